"""The :class:`Emulator`: seed, state, faults and the HTTPS server behind one object."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from aoai_deploy.emulator.app import ArmApp
from aoai_deploy.emulator.certs import make_certificates
from aoai_deploy.emulator.faults import Fault, FaultBook
from aoai_deploy.emulator.quota import in_use
from aoai_deploy.emulator.requestlog import RequestLogEntry
from aoai_deploy.emulator.seed import Seed, VersionSeed, load_seed
from aoai_deploy.emulator.server import EmulatorServer, make_ssl_context
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import DEPLOYMENT_TYPE, Model, World, rate_limits, system_data
from aoai_deploy.emulator.tokens import mint

__all__ = ["Emulator"]

_STOP_JOIN_SECONDS = 2.0


class Emulator:
    """A local ARM for ``Microsoft.CognitiveServices/accounts/deployments`` over HTTPS.

    ``clock`` drives long-running operations and role propagation (default
    ``time.monotonic``). Token ``exp``/``iat`` and timestamps in bodies are epoch seconds: they
    are read from ``clock`` too when one is given (a :class:`ManualClock` starts at the current
    epoch time for that reason), else from ``time.time``.
    """

    def __init__(
        self,
        seed: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        clock: Callable[[], float] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.seed: Seed = load_seed(seed)
        self.clock: Callable[[], float] = clock or time.monotonic
        self._wall: Callable[[], float] = clock or time.time
        self.host = host
        self.port = port
        self.settings = Settings()
        self._faults = FaultBook()
        self._world = World(self.seed, self.clock, self._wall)
        self._log: list[RequestLogEntry] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._app = ArmApp(
            self._world,
            self._faults,
            settings=lambda: self.settings,
            base_url=lambda: self.base_url,
            pause=self._pause,
        )
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        self._tempdir: str | None = None
        self._ca_path: str | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Make a certificate, bind, and serve in a background thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        self._tempdir = tempfile.mkdtemp(prefix="aoai-emulator-")
        try:
            files = make_certificates(Path(self._tempdir), (self.host,))
            context = make_ssl_context(str(files.cert_path), str(files.key_path))
            server = EmulatorServer(
                (self.host, self.port), self._app, context, self._stopping, self._record
            )
        except BaseException:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
            raise
        self._ca_path = str(files.ca_path)
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},  # bounds how long stop() waits
            name=f"aoai-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open connections, remove the certificate files. Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(_STOP_JOIN_SECONDS)
        self._server = None
        self._thread = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _pause(self, seconds: float) -> None:
        # Interrupted by stop(), so a slow-response fault never holds shutdown up.
        self._stopping.wait(seconds)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>`` (only while running)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"https://{self.host}:{self.port}"

    @property
    def ca_path(self) -> str:
        """The PEM CA certificate to pass as ``verify=`` (only while running)."""
        if self._ca_path is None or self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._ca_path

    # -- identities ------------------------------------------------------------------------

    def tenant_id(self, tenant: str) -> str:
        """A tenant's id from its alias (or id)."""
        return self.seed.tenant_id(tenant)

    def object_id(self, principal: str, tenant: str) -> str:
        """A seed principal's object id in a tenant."""
        tid = self.seed.tenant_id(tenant)
        oid = self.seed.principal(principal).object_ids.get(tid)
        if oid is None:
            raise KeyError(f"principal {principal!r} has no object id in tenant {tenant!r}")
        return oid

    def token(
        self,
        tenant: str,
        principal: str = "deployer",
        expires_in: float = 3600,
        audience: str | None = None,
        **extra_claims: Any,
    ) -> str:
        """An unsigned JWT for a seed principal in ``tenant`` (alias or id).

        ``expires_in`` may be negative for an expired token; ``extra_claims`` add to or replace
        claims (``oid=...``, ``appid=...``, ``tid=...``); a claim given as ``None`` is left out.
        """
        tid = self.seed.tenant_id(tenant)
        seed_principal = self.seed.principal(principal)
        oid = seed_principal.object_ids.get(tid)
        if oid is None and "oid" not in extra_claims:
            raise KeyError(f"principal {principal!r} has no object id in tenant {tenant!r}")
        now = int(self._wall())
        claims: dict[str, Any] = {
            "aud": audience or self.settings.default_audience,
            "iss": f"https://sts.windows.net/{tid}/",
            "iat": now,
            "nbf": now,
            "exp": int(now + expires_in),
            "appid": seed_principal.app_id,
            "appidacr": "1",
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tid,
            "ver": "1.0",
        }
        claims.update(extra_claims)
        return mint({k: v for k, v in claims.items() if v is not None})

    # -- faults, log, counters -------------------------------------------------------------

    def inject(self, fault: Fault) -> Fault:
        """Add a fault (after those already injected); returns it."""
        self._faults.add(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    def pending_faults(self) -> list[Fault]:
        """Injected faults that may still fire."""
        return self._faults.pending()

    def _record(self, entry: RequestLogEntry) -> None:
        with self._log_lock:
            self._log.append(entry)

    @property
    def request_log(self) -> list[RequestLogEntry]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    @property
    def write_overlaps(self) -> int:
        """Writes accepted while another write ran on the same account (must stay 0)."""
        with self._world.lock:
            return self._world.write_overlaps

    @property
    def conflicts(self) -> int:
        """409 ``RequestConflict`` answers sent so far."""
        with self._world.lock:
            return self._world.conflicts

    @property
    def connections_accepted(self) -> int:
        """TLS connections accepted since start (keep-alive keeps this low)."""
        server = self._server
        return server.connections_accepted if server is not None else 0

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of requests the emulator itself failed on (a bug; should stay empty)."""
        return list(self._app.internal_errors)

    # -- state helpers ---------------------------------------------------------------------

    def account_id(self, account: str) -> str:
        """The ARM id of an account, given its name (or id, normalised to the seed's casing)."""
        with self._world.lock:
            return self._world.account_by_ref(account).id

    def deployment(self, account: str, name: str) -> dict[str, Any] | None:
        """The deployment's ARM body as GET would return it, or ``None``."""
        with self._world.lock:
            found = self._world.deployment(self._world.account_by_ref(account).key, name)
            return None if found is None else self._world.render(found, self.settings.etag_key)

    def deployments(self, account: str) -> list[dict[str, Any]]:
        """Every deployment of an account, in creation order."""
        with self._world.lock:
            key = self._world.account_by_ref(account).key
            return [
                self._world.render(d, self.settings.etag_key)
                for d in self._world.list_deployments(key)
            ]

    def put_deployment_direct(
        self, account: str, name: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Store a deployment without HTTP, auth, validation or an operation (``Succeeded``).

        ``body`` is a PUT body (``sku``, ``tags``, ``properties.model``...); fields Azure adds
        are filled in, and any given ``properties`` (``provisioningState`` too) win.
        """
        with self._world.lock:
            target = self._world.account_by_ref(account)
            existing = self._world.deployment(target.key, name)
            stored_name = existing.name if existing else name
            sku = dict(body.get("sku") or {"name": "Standard", "capacity": 1})
            capacity = int(sku.get("capacity", 1))
            given = copy.deepcopy(dict(body.get("properties") or {}))
            model = dict(given.pop("model", {}) or {})
            model.setdefault("format", "OpenAI")
            model.setdefault("callRateLimit", {"rules": rate_limits(capacity)})
            properties: dict[str, Any] = {
                "model": model,
                "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
                "currentCapacity": capacity,
                "capabilities": {"chatCompletion": "true"},
                "provisioningState": "Succeeded",
                "rateLimits": rate_limits(capacity),
                "callRateLimit": {"rules": rate_limits(capacity)},
                "raiPolicyName": "Microsoft.DefaultV2",
                "dynamicThrottlingEnabled": False,
            }
            properties.update(given)
            stored: dict[str, Any] = {
                "id": f"{target.id}/deployments/{stored_name}",
                "type": DEPLOYMENT_TYPE,
                "name": stored_name,
                "sku": sku,
                "systemData": system_data(
                    "emulator-direct",
                    "Application",
                    self._wall(),
                    existing.body["systemData"] if existing else None,
                ),
                "properties": properties,
            }
            if body.get("tags") is not None:
                stored["tags"] = dict(body["tags"])
            result = self._world.store(target, stored_name, stored)
            return self._world.render(result, self.settings.etag_key)

    def delete_deployment_direct(self, account: str, name: str) -> bool:
        """Remove a deployment without HTTP; ``False`` if it was not there."""
        with self._world.lock:
            return self._world.remove(self._world.account_by_ref(account).key, name)

    def add_role_assignment(
        self,
        principal_oid: str,
        role_definition_id: str,
        scope: str,
        propagation_seconds: float = 0,
    ) -> str:
        """Assign a role; it is in force after ``propagation_seconds`` on the emulator's clock.

        Returns the assignment's id.
        """
        with self._world.lock:
            return self._world.add_assignment(
                principal_oid, role_definition_id, scope, propagation_seconds
            )

    def remove_role_assignment(
        self, principal_oid: str, role_definition_id: str, scope: str
    ) -> bool:
        """Remove matching role assignments; ``False`` if there were none."""
        with self._world.lock:
            return self._world.remove_assignment(principal_oid, role_definition_id, scope)

    def add_model(
        self,
        account: str,
        model_name: str,
        version: str = "1",
        model_format: str = "OpenAI",
        capabilities: Mapping[str, str] | None = None,
    ) -> None:
        """Let an account hold another model (or another version of one it holds)."""
        with self._world.lock:
            target = self._world.account_by_ref(account)
            for model in target.models:
                if (
                    model.name.lower() == model_name.lower()
                    and model.format.lower() == model_format.lower()
                ):
                    if version not in model.versions:
                        model.versions.append(version)
                    return
            target.models.append(
                Model(model_name, [version], model_format, dict(capabilities or {}))
            )

    def set_model_version(
        self,
        account: str,
        model_name: str,
        version: str,
        *,
        skus: Sequence[str] | None = None,
        retires: str | None = None,
        fine_tune_retires: str | None = None,
        sku_retires: Mapping[str, str] | None = None,
    ) -> None:
        """Say more of one version of a model an account holds (adding the version, and the
        model, if needed): the deployment SKUs it is offered in (``None``: the model's), when
        it retires (``deprecation.inference``, ISO 8601), and per SKU ``deprecationDate``."""
        with self._world.lock:
            target = self._world.account_by_ref(account)
            model = next((m for m in target.models if m.name.lower() == model_name.lower()), None)
            if model is None:
                model = Model(model_name, [])
                target.models.append(model)
            if version not in model.versions:
                model.versions.append(version)
            model.details[version.lower()] = VersionSeed(
                version,
                tuple(skus) if skus is not None else None,
                retires,
                fine_tune_retires,
                dict(sku_retires or {}),
            )

    def set_quota(
        self, account: str, usage_name: str, *, limit: int | None = None, used: int | None = None
    ) -> dict[str, int]:
        """Set the quota of ``usage_name`` (``OpenAI.<SKU>.<model>``) in the subscription and
        region of ``account``: its ``limit``, and ``used``, the use by deployments the
        emulator does not hold (a new quota needs a limit). Writes that need more than is
        free then get ``InsufficientQuota``; ``limit=0`` runs it out. Returns :meth:`quota`."""
        with self._world.lock:
            target = self._world.account_by_ref(account)
            self._world.quotas.set(
                target.subscription_id, target.location, usage_name, limit=limit, used=used
            )
        return self.quota(account, usage_name)

    def quota(self, account: str, usage_name: str) -> dict[str, int]:
        """``{"limit", "currentValue"}`` of a usage in the subscription and region of
        ``account``, as the usages list reports it (:class:`KeyError` if it has no quota)."""
        with self._world.lock:
            target = self._world.account_by_ref(account)
            found = self._world.quotas.get(target.subscription_id, target.location, usage_name)
            if found is None:
                raise KeyError(f"no quota {usage_name!r} in {target.location}")
            used = in_use(self._world, target.subscription_id, target.location, usage_name)
            return {"limit": found.limit, "currentValue": used}

    def __repr__(self) -> str:
        where = f"{self.base_url}" if self.running else "stopped"
        return f"Emulator({where})"
