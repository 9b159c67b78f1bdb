"""The dynamic provider behind ``CrossTenantDeployment``: a thin front over ``lifecycle``.

Each method translates the SDK's dynamic-provider types to and from the plain dicts of
:mod:`aoai_deploy.providers.lifecycle`, where the lifecycle lives (the ``aoai-deploy``
package's provider is the other front over the same functions).

The instance is pickled by reference into every stack's state (``__provider``), so this
module path and class name must never move, and the instance carries no state: the
configuration, credentials and caches live in a :class:`~lifecycle.Runtime` built by
``configure`` in the plugin process and are excluded from pickling.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import pulumi.dynamic

from aoai_deploy.providers import engine_log, lifecycle
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.logs import install_stderr_handler
from aoai_deploy.providers.azure.namespace import CONFIG_KEYS, FirstConfiguration
from aoai_deploy.providers.errors import AoaiDeployError, ConfigError
from aoai_deploy.providers.lifecycle import Runtime

__all__ = ["CrossTenantDeploymentProvider", "Runtime"]

# Engine limitation (Pulumi issue 16175): the engine sends an imported dynamic resource no
# provider.
_IMPORT_NOTE = "(`pulumi import` does not work for dynamic resources.)"

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: The configuration this plugin process took. The SDK's plugin configures each provider
#: instance it unpickles with the config of the last Configure call it got; the engine sends
#: one, so a second that differs (someone else's) must not reach an instance unpickled later.
_FIRST = FirstConfiguration()


def _surfaced(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Raise this package's errors with a short traceback and no chained cause.

    The SDK's plugin sends the whole traceback to the CLI, which prints it (and CI posts it
    on pull requests). Ours carry everything in their message, first line first; a deep
    stack of HTTP-layer frames and a chained ``requests`` exception would only bury it. The
    exception is the one place the error is printed: the CLI shows the plugin's stderr too,
    so logging it as well would print every failure twice.
    """

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except AoaiDeployError as exc:
            raise exc.with_traceback(None) from None

    return wrapper


class CrossTenantDeploymentProvider(pulumi.dynamic.ResourceProvider):
    """Pickled by reference into every stack's state: never move or rename this class."""

    serialize_as_secret_always = False  # it holds nothing: see __getstate__

    def __init__(self, runtime: Runtime | None = None) -> None:
        super().__init__()
        self._runtime = runtime
        self._config_error: ConfigError | None = None
        self._runtime_lock = threading.Lock()

    # Nothing of the instance is pickled: no configuration, credential, session or lock
    # may reach the state file.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._runtime = None
        self._config_error = None
        self._runtime_lock = threading.Lock()

    def configure(self, req: pulumi.dynamic.ConfigureRequest) -> None:
        """Validate the ``aoai-deploy:*`` configuration and build the runtime from it.

        A configuration that cannot be used is not raised here: the SDK's plugin would show
        it as a Python traceback. ``check`` reports it as a check failure (no traceback, and
        before anything is planned), the operations raise it.
        """
        install_stderr_handler()  # configure only ever runs in the plugin process
        try:
            _FIRST.accept({k: v for k in CONFIG_KEYS if (v := req.config.get(k)) is not None})
            # Secrets arrive unwrapped (the SDK's plugin drops the flag before configure), so
            # whether they were stored as secrets is checked by the program: resource.py.
            config = ProviderConfig.from_getter(req.config.get, keys=_every_key(req.config))
        except ConfigError as error:
            with self._runtime_lock:
                self._config_error = error
            return
        with self._runtime_lock:
            self._runtime = Runtime.build(config)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        inputs, failures = lifecycle.check(news)
        runtime = self._runtime
        if not failures and runtime is not None and runtime.preflight.on_check:
            # aoai-deploy:preflight always: the one call a preview makes for a new resource.
            failures = lifecycle.preflight_failures(runtime, olds, inputs)
        reported = [pulumi.dynamic.CheckFailure(f.field, f.reason) for f in failures]
        if self._config_error is not None:
            # Named by its keys, not by a property of the resource.
            reported.insert(0, pulumi.dynamic.CheckFailure("", str(self._config_error)))
        return pulumi.dynamic.CheckResult(inputs, reported)

    def diff(
        self, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        planned = lifecycle.plan(olds, news, id_)
        if planned.notice:
            engine_log.warn(planned.notice)  # the SDK's Diff has no URN: the stack's
        return pulumi.dynamic.DiffResult(
            changes=planned.changes,
            replaces=planned.replaces,
            delete_before_replace=planned.delete_before_replace,
        )

    @_surfaced
    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        id_, outputs = lifecycle.create(self._require_runtime(), props, import_note=_IMPORT_NOTE)
        return pulumi.dynamic.CreateResult(id_, outputs)

    @_surfaced
    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        found = lifecycle.read(self._require_runtime(), id_, props)
        if found is None:
            return pulumi.dynamic.ReadResult(None, {})
        # The inputs (SDK >= 3.216) become the resource's inputs in the state.
        return pulumi.dynamic.ReadResult(found.id, found.outputs, found.inputs)

    @_surfaced
    def update(
        self, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(
            lifecycle.update(self._require_runtime(), id_, olds, news)
        )

    @_surfaced
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        lifecycle.delete(self._require_runtime(), id_, props)

    def _require_runtime(self) -> Runtime:
        runtime = self._runtime
        if self._config_error is not None:
            raise ConfigError(str(self._config_error))  # a fresh one per call: threads
        if runtime is None:
            raise ConfigError(
                "the aoai-deploy provider was not configured: Pulumi 3.139 or newer calls "
                "configure() with the stack config before any operation; upgrade the CLI"
            )
        return runtime


def _every_key(config: pulumi.dynamic.Config) -> Mapping[str, Any] | None:
    """Every key of the stack config the engine sent, or ``None`` where the SDK hides them.

    ``pulumi.dynamic.Config`` (SDK 3.272) offers ``get`` only; its ``_props`` is the whole
    stack config (every namespace), which is what the check of unknown ``aoai-deploy`` keys
    needs. tests/faults/test_security_configure.py pins it.
    """
    every = getattr(config, "_props", None)
    return every if isinstance(every, Mapping) else None
