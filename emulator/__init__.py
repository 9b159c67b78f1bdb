"""A local Azure Resource Manager for ``Microsoft.CognitiveServices/accounts/deployments``.

It answers over HTTPS on loopback the way ARM does (as Azure's REST specs and recorded
sessions show): unsigned JWTs whose ``tid``, ``appid``/``oid``, ``aud`` and ``exp`` it checks,
role assignments it enforces, the cross-tenant auxiliary-token rules, long-running operations
with ``Azure-AsyncOperation`` or ``Location`` polling, per-account write serialization (409),
and injected faults.

Start it from Python::

    from aoai_deploy.emulator import Emulator, Fault, ManualClock

    with Emulator() as emu:                         # default seed, port 0 = any free port
        token = emu.token("fabrikam")               # deployer in the destination tenant
        aux = emu.token("contoso")                  # the same app in the source tenant
        url = f"{emu.account_id('fabrikam-aoai-eus')}/deployments/ft?api-version=2024-10-01"
        requests.put(emu.base_url + url, json=body, verify=emu.ca_path,
                     headers={"Authorization": f"Bearer {token}",
                              "x-ms-authorization-auxiliary": f"Bearer {aux}"})

or from a shell (see ``python -m aoai_deploy.emulator --help``)::

    python -m aoai_deploy.emulator --port 0
    # {"base_url": "https://127.0.0.1:PORT", "ca_path": "/tmp/.../ca.pem", ...}  (one JSON line)
    python -m aoai_deploy.emulator token --tenant fabrikam --principal deployer

Pass ``verify=emu.ca_path`` on each request: ``REQUESTS_CA_BUNDLE`` makes ``requests`` ignore
``Session.verify``.

Public API
----------
``Emulator(seed=None | dict | path, clock=None, host="127.0.0.1", port=0)``
    ``start()`` / ``stop()`` / context manager; ``base_url``; ``ca_path``;
    ``token(tenant, principal="deployer", expires_in=3600, audience=None, **extra_claims)``;
    ``settings`` (:class:`Settings`); ``inject(Fault)``, ``clear_faults()``,
    ``pending_faults()``; ``request_log`` (:class:`RequestLogEntry` list), ``clear_log()``;
    ``write_overlaps``; ``conflicts``; ``connections_accepted``; ``internal_errors``;
    ``clock``; ``seed``; ``tenant_id(alias)``,
    ``object_id(principal, tenant)``, ``account_id(name)``; ``deployment(account, name)``,
    ``deployments(account)``, ``put_deployment_direct(account, name, body)``,
    ``delete_deployment_direct(account, name)``,
    ``add_role_assignment(principal_oid, role_definition_id, scope, propagation_seconds=0)``,
    ``remove_role_assignment(principal_oid, role_definition_id, scope)``,
    ``add_model(account, model_name, version="1", model_format="OpenAI", capabilities=None)``,
    ``set_model_version(account, model_name, version, skus=None, retires=None, ...)``,
    ``set_quota(account, usage_name, limit=None, used=None)``, ``quota(account, usage_name)``.
    ``account`` arguments take an ARM id or a seed account's name. Routes, check order and
    the exact answers are documented in :mod:`.app` and :mod:`.routes`; error wording in
    :mod:`.armerrors`.
:class:`Fault`
    Frozen description of one fault; kinds, routes and counting in :mod:`.faults`.
:class:`ManualClock`
    ``now()``, ``sleep(s)``, ``advance(s)``; callable, so ``Emulator(clock=ManualClock())``.
:data:`DEFAULT_SEED_PATH`
    The default seed; its format is documented in :mod:`.seed`.

Internally: ``app.py`` (routing and the order of ARM's checks), ``routes/`` (each resource's
answers: ``subscriptions``, ``accounts``, ``deployments``, ``operations``), ``exchange.py``
(request, response, route), ``server.py`` (HTTPS transport), ``state.py``
(accounts, deployments, operations, roles), ``catalog.py`` (the account's models list:
versions, SKUs, retirements), ``quota.py`` (usage names, limits and what is in use),
``auth.py`` (tokens on a request), ``tokens.py`` (JWT mint/parse), ``armerrors.py`` (codes
and messages), ``faults.py``, ``certs.py``, ``settings.py``, ``seed.py``, ``clock.py``.
"""

from __future__ import annotations

from aoai_deploy.emulator.apiversions import API_VERSIONS
from aoai_deploy.emulator.clock import ManualClock
from aoai_deploy.emulator.emulator import Emulator
from aoai_deploy.emulator.faults import FAULT_KINDS, FAULT_ROUTES, Fault, FaultKind
from aoai_deploy.emulator.requestlog import RequestLogEntry
from aoai_deploy.emulator.routes.deployment_body import DEPLOYMENT_SKUS
from aoai_deploy.emulator.seed import DEFAULT_SEED_PATH, SeedError
from aoai_deploy.emulator.settings import ASYNC_STYLES, UPDATE_HEADERS, Settings

__all__ = [
    "API_VERSIONS",
    "ASYNC_STYLES",
    "DEFAULT_SEED_PATH",
    "DEPLOYMENT_SKUS",
    "FAULT_KINDS",
    "FAULT_ROUTES",
    "UPDATE_HEADERS",
    "Emulator",
    "Fault",
    "FaultKind",
    "ManualClock",
    "RequestLogEntry",
    "SeedError",
    "Settings",
]
