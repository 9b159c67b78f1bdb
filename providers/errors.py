"""The errors the provider raises, all rooted in :class:`AoaiDeployError`.

::

    AoaiDeployError                 anything this package raises on purpose
    ├── ConfigError                 bad provider configuration (aoai-deploy:* stack config)
    ├── InputError                  resource inputs that cannot be used (check catches most)
    ├── AuthError                   no usable token for a tenant, found before any request
    ├── TransportError              no answer from ARM: timeout, TLS, refused, dropped, bad host
    ├── ArmError                    ARM answered with an error body (.status, .code, .message)
    │   ├── ArmAuthorizationError   401 / 403: token, tenant or role problems
    │   ├── ArmConflictError        409 RequestConflict that outlived its retry budget
    │   └── ArmNotFoundError        404 where the resource had to exist
    ├── OperationFailedError        a long-running operation ended Failed or Canceled
    ├── OperationTimeoutError       an operation outlived operation_timeout_seconds
    ├── ForeignDeploymentError      create found a deployment it does not own
    └── PreflightError              the preflight found, before any write, that it would fail

Every message's first line says what was being done, to which ARM id, the ARM code and
ARM's message; what to do, when that is known, follows on the next line::

    creating /subscriptions/.../deployments/ft: LinkedAuthorizationFailed: The client ...
    The deploying identity needs 'Cognitive Services OpenAI Contributor' ...

Messages never carry a token, an Authorization header or a raw response: the CLI prints
exceptions whole, and they end up in pull-request comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "AoaiDeployError",
    "ArmAuthorizationError",
    "ArmConflictError",
    "ArmError",
    "ArmNotFoundError",
    "AuthError",
    "ConfigError",
    "ForeignDeploymentError",
    "InputError",
    "OperationFailedError",
    "OperationTimeoutError",
    "PreflightError",
    "TransportError",
    "about",
    "with_hint",
]


class AoaiDeployError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(AoaiDeployError):
    """The provider configuration (``aoai-deploy:*`` stack config) cannot be used."""


class InputError(AoaiDeployError):
    """Resource inputs that cannot be used; ``check`` reports most of these first."""


class AuthError(AoaiDeployError):
    """No usable token for a tenant; found before any request was sent."""


class TransportError(AoaiDeployError):
    """The request got no ARM answer: timeout, TLS failure, dropped connection, refused host."""


class ArmError(AoaiDeployError):
    """ARM answered with an error.

    ``operation`` is what was being done (``creating``, ``reading``, ...), ``resource_id`` the
    ARM id it was done to, ``status`` the HTTP status, ``code`` and ``message`` ARM's error
    code and message (its ``error`` object), ``hint`` what to do about it when known.
    """

    def __init__(
        self,
        operation: str,
        resource_id: str,
        status: int,
        code: str,
        message: str,
        hint: str = "",
    ) -> None:
        self.operation = operation
        self.resource_id = resource_id
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        super().__init__(_format(operation, resource_id, code, message, hint))


class ArmAuthorizationError(ArmError):
    """401 or 403: a token from the wrong tenant, an expired token, or a missing role."""


class ArmConflictError(ArmError):
    """409 RequestConflict that kept coming back for longer than the retry budget."""


class ArmNotFoundError(ArmError):
    """404 where the resource (or its account) had to exist."""


class OperationFailedError(AoaiDeployError):
    """A long-running operation reached ``Failed`` or ``Canceled``."""

    def __init__(
        self, operation: str, resource_id: str, status: str, code: str, message: str, hint: str = ""
    ) -> None:
        self.operation = operation
        self.resource_id = resource_id
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        super().__init__(_format(operation, resource_id, code or status, message, hint))


class OperationTimeoutError(AoaiDeployError):
    """An operation did not finish within ``operation_timeout_seconds``."""


class ForeignDeploymentError(AoaiDeployError):
    """``create`` found an existing deployment that this stack did not create."""


class PreflightError(AoaiDeployError):
    """The preflight (``aoai-deploy:preflight``) found, before any write, what Azure would
    refuse: quota, a model or version not offered, a retired version. One line per problem,
    the first after ``<operation> <ARM id>: PreflightFailed: ``."""

    code = "PreflightFailed"

    def __init__(self, operation: str, resource_id: str, problems: list[str]) -> None:
        self.operation = operation
        self.resource_id = resource_id
        self.problems = list(problems)
        lines = [f"{operation} {resource_id}: {self.code}: {problems[0]}", *problems[1:]]
        lines.append(
            "Nothing was written: aoai-deploy:preflight read the account's models and the "
            "subscription's quota before the first write."
        )
        super().__init__("\n".join(lines))


def _format(operation: str, resource_id: str, code: str, message: str, hint: str) -> str:
    text = f"{operation} {resource_id}: {code}"
    if message:
        text += f": {message}"
    if hint:
        # The first line is the whole failure; what to do about it follows on its own.
        text += f"\n{hint}"
    return text


def with_hint(error: AoaiDeployError, hint: str) -> AoaiDeployError:
    """The same error (same class, same first line) with ``hint`` as what to do: in place of
    the hint it had for an ARM or operation failure, after the message for any other."""
    if isinstance(error, ArmError):
        return type(error)(
            error.operation, error.resource_id, error.status, error.code, error.message, hint
        )
    if isinstance(error, OperationFailedError):
        return type(error)(
            error.operation, error.resource_id, error.status, error.code, error.message, hint
        )
    return type(error)(f"{error}\n{hint}")


@contextmanager
def about(operation: str, resource_id: str) -> Iterator[None]:
    """Start the message of an :class:`AuthError` raised inside with what was being done to
    which ARM id, as every other error's message starts (tokens are fetched deep down, where
    only the caller knows the operation)."""
    try:
        yield
    except AuthError as exc:
        prefix = f"{operation} {resource_id}: "
        if str(exc).startswith(prefix):
            raise
        raise AuthError(prefix + str(exc)) from None
