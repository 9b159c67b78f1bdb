"""One customer's stack through the Automation API: its config, one operation, its outcome.

Stacks live in the backend the user chose (``--backend``, else ``PULUMI_BACKEND_URL``, else
the CLI's login), in the fleet's project, named by the customer's key. The program is
:func:`~aoai_deploy.fleet.program.customer_program`, run inline by this process; the real
``pulumi`` CLI plans and applies.

What goes where:

- **Stack config, written from the fleet file before every operation** (visible with
  ``pulumi config``, recorded by the backend for each update): the customer's resolved
  settings under the project's namespace (:data:`~aoai_deploy.fleet.program.CONFIG_KEYS`)
  and the provider's plain ``aoai-deploy:*`` settings (cloud, endpoint, CA bundle, the
  credential's kind and ids). The fleet file stays the one place they are edited.
- **Per run, secret:** tokens and client secrets (see tokens.py), set on the CLI's standard
  input and removed from the stack file when the run ends.

The stack files live in a work directory, a fresh temporary one per run unless ``--workdir``
names one to keep (then ``pulumi -C <workdir> stack ls`` and friends work on the fleet's
stacks). Each ``pulumi`` the fleet starts runs in a session of its own (``setsid``), so a
Ctrl-C in the terminal reaches the runner alone, which decides what the CLIs are told.

A preview of a customer whose stack does not exist yet runs against an empty throw-away
backend: a preview must not create stacks in the real one (the pull-request identity can
only read it), and a new stack's preview is the same all-create plan either way.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any, Final

import yaml

from aoai_deploy.fleet.outcome import Outcome, first_error
from aoai_deploy.fleet.program import customer_program
from aoai_deploy.fleet.spec import Customer, Fleet
from aoai_deploy.fleet.tokens import ProviderSettings, TokenBroker

__all__ = ["OPERATIONS", "RunSettings", "StackRunner", "customer_config"]

OPERATIONS: Final = ("preview", "up", "destroy")
#: Passphrase of the throw-away backend previews of new stacks run against (nothing kept).
_SCRATCH_PASSPHRASE: Final = "aoai-deploy-fleet-scratch-preview"  # noqa: S105
_SECRET_KEYS: Final = ("aoai-deploy:staticTokens", "aoai-deploy:clientSecret")


@dataclass(frozen=True)
class RunSettings:
    """Where and how the stacks run."""

    cli: Path
    """The ``pulumi`` binary."""
    work_dir: Path
    backend_url: str | None = None
    """``--backend``; ``None``: ``PULUMI_BACKEND_URL`` or the CLI's login."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment for every ``pulumi`` (on top of this process's)."""


def customer_config(fleet: Fleet, customer: Customer) -> dict[str, Any]:
    """The stack config the program reads, from the resolved customer (plain values)."""
    ns = fleet.project
    config: dict[str, Any] = {
        f"{ns}:customer": customer.key,
        f"{ns}:destinationTenantId": customer.tenant_id,
        f"{ns}:sourceAccountId": customer.source_account_id,
        f"{ns}:sourceTenantId": customer.source_tenant_id,
        f"{ns}:deployments": [dict(d) for d in customer.deployments],
    }
    if customer.creates_account:
        account = customer.account
        config[f"{ns}:createAccount"] = {
            k: account[k]
            for k in ("name", "resourceGroup", "location", "kind", "subdomain")
            if k in account
        }
    else:
        config[f"{ns}:destinationAccountId"] = customer.account_id
    if customer.role_assignment:
        config[f"{ns}:roleAssignment"] = dict(customer.role_assignment)
    return config


class StackRunner:
    """Runs operations on the fleet's stacks; thread-safe (one thread per running customer)."""

    def __init__(self, fleet: Fleet, settings: RunSettings, tokens: TokenBroker) -> None:
        from pulumi import automation as auto  # the Automation API is slow to import

        self._auto = auto
        self.fleet = fleet
        self.settings = settings
        self.tokens = tokens
        settings.work_dir.mkdir(parents=True, exist_ok=True)
        self._command = auto.PulumiCommand(
            root=str(_session_wrapper(settings.work_dir, settings.cli)), skip_version_check=True
        )
        env = {
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # Dynamic providers run `python -m pulumi.dynamic` with this interpreter, the one
            # aoai-deploy is installed in.
            "PULUMI_PYTHON_CMD": sys.executable,
            **settings.env,
        }
        if settings.backend_url:
            env["PULUMI_BACKEND_URL"] = settings.backend_url
        self._env = env
        self._workspace = self._make_workspace(settings.work_dir, env)
        self._scratch: Any = None
        self._scratch_lock = threading.Lock()
        self._existing: set[str] | None = None

    def _make_workspace(self, work_dir: Path, env: Mapping[str, str]) -> Any:
        auto = self._auto
        return auto.LocalWorkspace(
            work_dir=str(work_dir),
            program=customer_program,
            env_vars=dict(env),
            project_settings=auto.ProjectSettings(name=self.fleet.project, runtime="python"),
            pulumi_command=self._command,
        )

    def existing(self) -> set[str]:
        """The customers' stacks that exist in the backend (one ``pulumi stack ls``)."""
        if self._existing is None:
            self._existing = {s.name.rsplit("/", 1)[-1] for s in self._workspace.list_stacks()}
        return self._existing

    def last_updates(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The backend's last update of each existing stack among ``keys``: ``kind``,
        ``result``, ``end`` and a one-line ``text``."""
        found: dict[str, dict[str, Any]] = {}
        for key in keys:
            if key not in self.existing():
                continue
            stack = self._auto.Stack.select(key, self._workspace)
            history = stack.history(page_size=1, show_secrets=False)
            if not history:
                found[key] = {"text": "no update yet"}
                continue
            last = history[0]
            end = last.end_time
            if end is not None and end.tzinfo is not None:
                end = end.astimezone(UTC)
            found[key] = {
                "kind": last.kind,
                "result": last.result,
                "end": last.end_time,
                "text": f"{last.kind} {last.result} {end:%Y-%m-%d %H:%M}"
                + (" UTC" if end is not None and end.tzinfo is not None else "")
                if end
                else f"{last.kind} {last.result}",
            }
        return found

    def run(
        self,
        customer: Customer,
        operation: str,
        on_step: Callable[[str], None],
        cancelled: threading.Event,
    ) -> Outcome:
        """Run ``operation`` on ``customer``'s stack; never raises for the customer's failure
        (the outcome says it). ``on_step`` gets a short text for the live progress line."""
        outcome = Outcome(customer.key, customer.ring, operation, started=time.time())
        began = time.monotonic()
        try:
            self._run(customer, operation, on_step, outcome)
            outcome.result = "succeeded"
        except self._auto.CommandError as error:
            outcome.result = "cancelled" if cancelled.is_set() else "failed"
            if not outcome.error:
                # The command's output: the CLI's own words (passphrase, lock, backend).
                outcome.error, outcome.hint = first_error(_cli_error(str(error)))
        except Exception as error:  # a failure before the CLI ran: config, tokens, backend
            outcome.result = "failed"
            outcome.error, outcome.hint = first_error(f"{type(error).__name__}: {error}")
        finally:
            outcome.duration = time.monotonic() - began
        return outcome

    def _run(
        self, customer: Customer, operation: str, on_step: Callable[[str], None], outcome: Outcome
    ) -> None:
        auto = self._auto
        preview_new = operation == "preview" and customer.key not in self.existing()
        if operation == "destroy" and customer.key not in self.existing():
            outcome.note = "no stack: nothing to destroy"
            return
        workspace = self._scratch_workspace() if preview_new else self._workspace
        on_step("stack")
        stack = auto.Stack.create_or_select(customer.key, workspace)
        provider = self.tokens.settings(customer, sign_in_here=operation != "preview")
        self._write_config(workspace, customer, provider)
        try:
            on_step("config")
            for key, value in provider.secret.items():
                self._set_secret(workspace, customer.key, key, value)
            on_step("starting")
            common: dict[str, Any] = {"color": "never", "on_event": outcome.event_handler(on_step)}
            if operation == "preview":
                result = stack.preview(**common)
                outcome.counts(result.change_summary)
            elif operation == "up":
                # show_secrets=False: the update's summary is read without decrypting config.
                result = stack.up(**common, show_secrets=False)
                outcome.counts(result.summary.resource_changes or {})
            else:
                result = stack.destroy(**common, show_secrets=False)
                outcome.counts(result.summary.resource_changes or {})
        finally:
            self._forget_secrets(workspace, customer.key)
        if preview_new:
            outcome.note = "new stack"

    def _scratch_workspace(self) -> Any:
        with self._scratch_lock:
            if self._scratch is None:
                root = Path(tempfile.mkdtemp(prefix="scratch-", dir=self.settings.work_dir))
                (root / "state").mkdir()
                env = {
                    **self._env,
                    "PULUMI_BACKEND_URL": (root / "state").as_uri(),
                    "PULUMI_CONFIG_PASSPHRASE": _SCRATCH_PASSPHRASE,
                }
                env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
                self._scratch = self._make_workspace(root, env)
            return self._scratch

    # -- the stack file ----------------------------------------------------------------------

    def _stack_file(self, workspace: Any, key: str) -> Path:
        return Path(workspace.work_dir) / f"Pulumi.{key}.yaml"

    def _write_config(self, workspace: Any, customer: Customer, provider: ProviderSettings) -> None:
        """The plain config, written into the stack file as the CLI keeps it (its
        ``encryptionsalt`` and other settings left as they are)."""
        path = self._stack_file(workspace, customer.key)
        settings: dict[str, Any] = {}
        if path.exists():
            settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        settings["config"] = {**customer_config(self.fleet, customer), **provider.plain}
        path.write_text(yaml.safe_dump(settings, sort_keys=True), encoding="utf-8")

    def _set_secret(self, workspace: Any, key: str, name: str, value: str) -> None:
        """``pulumi config set --secret`` with the value on stdin: encrypted by the CLI with
        the stack's secrets provider before it is written; never on a command line."""
        done = subprocess.run(  # noqa: S603 (the CLI this run was given, fixed arguments)
            [self._command.command, "config", "set", "--secret", name, "--stack", key],
            input=value,
            capture_output=True,
            text=True,
            cwd=workspace.work_dir,
            env={**os.environ, **workspace.env_vars},
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pulumi config set --secret {name} failed: {done.stderr.strip()}")

    def _forget_secrets(self, workspace: Any, key: str) -> None:
        path = self._stack_file(workspace, key)
        if not path.exists():
            return
        settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = settings.get("config") or {}
        if any(name in config for name in _SECRET_KEYS):
            for name in _SECRET_KEYS:
                config.pop(name, None)
            path.write_text(yaml.safe_dump(settings, sort_keys=True), encoding="utf-8")


def _cli_error(text: str) -> str:
    """The CLI's error lines of a ``CommandError`` (which quotes the command, its exit code,
    stdout and stderr): its ``error:`` lines where there are some, else the whole stderr."""
    errors = [line for line in text.splitlines() if line.strip().startswith("error:")]
    if errors:
        return "\n".join(line.strip().removeprefix("error:").strip() for line in errors)
    return text.split("stderr:", 1)[-1]


def _session_wrapper(work_dir: Path, cli: Path) -> Path:
    """A ``bin/pulumi`` that runs ``cli`` in a session of its own (``setsid``, same pid), so
    a terminal's Ctrl-C reaches the runner and not the CLIs. Without ``setsid`` (macOS) the
    CLI runs as it is, and a Ctrl-C reaches it too: it then cancels itself at once."""
    root = work_dir / ".pulumi-cli"
    wrapper = root / "bin" / "pulumi"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    real = shlex.quote(str(cli))
    wrapper.write_text(
        "#!/bin/sh\n"
        "# Written by aoai-deploy fleet: the CLI in a session of its own (see fleet/stacks.py).\n"
        f'command -v setsid >/dev/null 2>&1 && exec setsid {real} "$@"\n'
        f'exec {real} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return root
