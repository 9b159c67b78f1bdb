"""The bench's rig: an emulator, configured plugin processes, resource inputs, bounded calls.

Every call into a plugin is bounded: a call that outlives its budget is reported as failed
and the plugin is stopped (closing its channel ends the call), so the bench always ends.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc

from aoai_deploy.emulator import Emulator
from engine_harness import PluginProcess, secret
from package_harness import PackagePluginProcess
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

__all__ = [
    "ENGINE_WORKERS",
    "FRONTS",
    "OPERATION_TIMEOUT",
    "BenchTimeoutError",
    "CreateOutcome",
    "Plugin",
    "bounded",
    "checked",
    "configured_plugin",
    "create_all",
    "create_lanes",
    "deployment_inputs",
    "peak_rss_kib",
    "running_emulator",
    "static_config",
]

T = TypeVar("T")

#: Worker threads of the SDK's plugin server (``pulumi/dynamic/__main__.py``); the bench
#: sends concurrent calls from as many threads, as the engine does for independent resources.
ENGINE_WORKERS = 4
#: ``operation_timeout_seconds`` of every bench resource: bounds the provider's own waiting.
OPERATION_TIMEOUT = 120
_START_TIMEOUT = 60.0
_CALL_TIMEOUT = 30.0


class BenchTimeoutError(RuntimeError):
    """A bounded call did not finish in time."""


def bounded(fn: Callable[[], T], timeout: float = _CALL_TIMEOUT, what: str = "call") -> T:
    """``fn()`` in a helper thread, waited for at most ``timeout`` seconds."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the caller's thread
            error.append(exc)

    thread = threading.Thread(target=run, name=f"bench-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise BenchTimeoutError(f"{what} did not finish within {timeout:.0f}s")
    if error:
        raise error[0]
    return result[0]


@contextmanager
def running_emulator(
    *, provisioning_seconds: float = 0.05, retry_after: int | None = 1
) -> Iterator[Emulator]:
    """The emulator with the default seed, on a free loopback port, real clock."""
    with Emulator() as emu:
        emu.settings.provisioning_seconds = provisioning_seconds
        emu.settings.deprovisioning_seconds = provisioning_seconds
        emu.settings.retry_after = retry_after
        yield emu


def static_config(emu: Emulator) -> dict[str, Any]:
    """Stack config for the emulator with static tokens for both seed tenants."""
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    return {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
    }


#: A plugin process of either front: the dynamic provider's or the package's.
Plugin = PluginProcess
FRONTS: dict[str, Callable[..., Plugin]] = {
    "dynamic": PluginProcess,
    "package": PackagePluginProcess,
}


@contextmanager
def configured_plugin(
    config: Mapping[str, Any], env: Mapping[str, str] | None = None, *, front: str = "dynamic"
) -> Iterator[Plugin]:
    """A fresh plugin that has received Configure, stopped on exit: ``python -m
    pulumi.dynamic`` (``front="dynamic"``) or ``python -m aoai_deploy.plugin`` (``"package"``)."""
    start = FRONTS[front]
    process = bounded(lambda: start(env=env), _START_TIMEOUT, "plugin start")
    try:
        bounded(lambda: process.configure(config), what="Configure")
        yield process
    finally:
        process.stop()


def deployment_inputs(
    name: str, account: str = DEST_ACCOUNT, *, cross_tenant: bool = True, **overrides: Any
) -> dict[str, Any]:
    """What a program registers for one deployment: by default the seed's fine-tuned model
    copied from contoso into ``account`` (a fabrikam account); otherwise a base model
    deployed within contoso (``account`` must then be contoso's)."""
    inputs: dict[str, Any] = {
        "account_id": account,
        "deployment_name": name,
        "owner": f"aoai-deploy/bench/{name}",
        "operation_timeout_seconds": OPERATION_TIMEOUT,
    }
    if cross_tenant:
        inputs.update(
            model_name=FT_MODEL,
            source_account_id=SOURCE_ACCOUNT,
            source_tenant_id=SOURCE_TENANT,
            tenant_id=DEST_TENANT,
        )
    else:
        inputs.update(model_name="gpt-4o-mini", model_version="2024-07-18", tenant_id=SOURCE_TENANT)
    inputs.update(overrides)
    return inputs


def checked(plugin: Plugin, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Check as the engine does before a Create; raises on a check failure."""
    news, failures = bounded(lambda: plugin.check(name, inputs), what=f"Check {name}")
    if failures:
        raise ValueError(f"Check {name} failed: {failures}")
    return news


@dataclass(frozen=True)
class CreateOutcome:
    """One engine Create call as the caller saw it."""

    name: str
    started: float
    ended: float
    error: str | None = None
    """The gRPC error's details (what the user would see), or why the call did not end."""

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def summary(self) -> str:
        """One line of the error for a table: the provider's ``creating <id>: <code>`` line
        when the traceback holds one, else its last line."""
        lines = [line.strip() for line in (self.error or "").splitlines() if line.strip()]
        found = next((line for line in lines if "creating /" in line), lines[-1] if lines else "")
        return f"Create {self.name}: {found[:240]}"

    @property
    def conflict(self) -> bool:
        """Whether the user saw a 409 RequestConflict."""
        return self.error is not None and ("RequestConflict" in self.error or "409" in self.error)


def create_all(
    plugin: Plugin,
    items: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    workers: int = ENGINE_WORKERS,
    timeout: float,
) -> list[CreateOutcome]:
    """One Create per ``(name, checked inputs)``, all independent, sent in order from
    ``workers`` threads (as the engine sends resources that do not depend on each other)."""
    return create_lanes(plugin, [[item] for item in items], workers=workers, timeout=timeout)


def create_lanes(
    plugin: Plugin,
    lanes: Sequence[Sequence[tuple[str, Mapping[str, Any]]]],
    *,
    workers: int = ENGINE_WORKERS,
    timeout: float,
) -> list[CreateOutcome]:
    """Creates in lanes: each lane one after the other (a ``depends_on`` chain, stopped by an
    error as the engine skips dependents), lanes in parallel on ``workers`` threads.

    Creates not finished after ``timeout`` seconds are reported as failed; the caller then
    stops the plugin, which ends them.
    """

    def run_lane(lane: Sequence[tuple[str, Mapping[str, Any]]]) -> list[CreateOutcome]:
        outcomes: list[CreateOutcome] = []
        for name, inputs in lane:
            outcomes.append(_create(plugin, name, inputs))
            if outcomes[-1].error is not None:
                break
        return outcomes

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine")
    futures: list[Future[list[CreateOutcome]]] = [pool.submit(run_lane, lane) for lane in lanes]
    wait_all(futures, timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    now = time.monotonic()
    outcomes: list[CreateOutcome] = []
    for future, lane in zip(futures, lanes, strict=True):
        done = future.result() if future.done() and not future.cancelled() else []
        outcomes.extend(done)
        why = (
            "not sent: an earlier create in its chain failed"
            if done and done[-1].error
            else f"did not finish within {timeout:.0f}s"
        )
        outcomes.extend(CreateOutcome(name, now, now, why) for name, _ in lane[len(done) :])
    return outcomes


def _create(plugin: Plugin, name: str, inputs: Mapping[str, Any]) -> CreateOutcome:
    started = time.monotonic()
    try:
        plugin.create(name, inputs)
    except grpc.RpcError as exc:
        details = exc.details() if isinstance(exc, grpc.Call) else None
        return CreateOutcome(name, started, time.monotonic(), details or repr(exc))
    return CreateOutcome(name, started, time.monotonic())


def peak_rss_kib(pid: int) -> int | None:
    """``VmHWM`` (peak resident set) of a live process, in KiB; ``None`` off Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None
