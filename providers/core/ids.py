"""ARM identities as value objects: an account id and a deployment id.

Both are frozen dataclasses, parsed strictly, compared case-insensitively (ARM resource ids
are case-insensitive), and formatted one way::

    /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.CognitiveServices/accounts/<name>
    .../accounts/<name>/deployments/<deployment>

Parsing rejects, with a message that names the problem and shows the expected shape, anything
that could address a different resource once put into a URL: ``..``, ``?``, ``#``, ``%``
(encoded slashes), whitespace, control characters, non-ASCII look-alikes (a Cyrillic ``\\u0430``),
empty segments and a trailing slash.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from aoai_deploy.providers.errors import InputError

__all__ = [
    "ACCOUNT_ID_SHAPE",
    "DEPLOYMENT_ID_SHAPE",
    "AccountId",
    "ArmIdError",
    "DeploymentId",
    "describe_char",
    "is_guid",
    "validate_account_name",
    "validate_deployment_name",
    "validate_resource_group",
]

_PROVIDER: Final = "Microsoft.CognitiveServices"

ACCOUNT_ID_SHAPE: Final = (
    f"/subscriptions/<subscription GUID>/resourceGroups/<resource group>/providers/{_PROVIDER}"
    "/accounts/<account name>"
)
DEPLOYMENT_ID_SHAPE: Final = f"{ACCOUNT_ID_SHAPE}/deployments/<deployment name>"

# [0-9] rather than \d: \d also matches non-ASCII digits.
_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_RESOURCE_GROUP = re.compile(r"[A-Za-z0-9_().-]{1,90}")
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}")
_DEPLOYMENT_NAME_CHAR = re.compile(r"[A-Za-z0-9_.-]")
_DEPLOYMENT_NAME_MAX = 64

# The fixed segments of an id, by position among the '/'-separated segments; the values sit
# at the odd positions in between (subscription, group, account, deployment).
_ACCOUNT_KEYS: Final = {
    0: "subscriptions",
    2: "resourceGroups",
    4: "providers",
    5: _PROVIDER,
    6: "accounts",
}
_DEPLOYMENT_KEYS: Final = {**_ACCOUNT_KEYS, 8: "deployments"}
_KEY_LABELS: Final = {
    0: "the first segment",
    2: "the segment after the subscription",
    4: "the segment after the resource group",
    5: "the resource provider",
    6: "the resource type",
    8: "the child resource type",
}
_VALUE_LABELS: Final = {
    1: "subscription",
    3: "resource group",
    7: "account name",
    9: "deployment name",
}


class ArmIdError(InputError, ValueError):
    """A string that is not a well-formed ARM id of the expected kind."""


def is_guid(text: object) -> bool:
    """Whether ``text`` is a GUID in its usual 8-4-4-4-12 hex form (any case, no braces)."""
    return isinstance(text, str) and _GUID.fullmatch(text) is not None


def describe_char(ch: str) -> str:
    """A readable name for a character a person cannot always see (space, tab, look-alikes)."""
    if ch == " ":
        return "a space"
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"the control character U+{ord(ch):04X}"
    if ord(ch) > 0x7F:
        name = unicodedata.name(ch, "unnamed")
        return f"the non-ASCII character {ch!r} (U+{ord(ch):04X} {name})"
    return repr(ch)


def validate_deployment_name(name: object) -> str | None:
    """``None`` when ``name`` is a usable deployment name, else the reason, phrased to follow
    the name of the thing checked (``"deployment_name " + reason``)."""
    if not isinstance(name, str):
        return f"must be a string, got {type(name).__name__}"
    if not name:
        return "must not be empty"
    if len(name) > _DEPLOYMENT_NAME_MAX:
        return f"is {len(name)} characters long; at most {_DEPLOYMENT_NAME_MAX} are allowed"
    for position, ch in enumerate(name):
        if not _DEPLOYMENT_NAME_CHAR.fullmatch(ch):
            return (
                f"contains {describe_char(ch)} at position {position}; "
                "use only ASCII letters, digits, '-', '_' and '.'"
            )
    if name[0] in ".-":
        return f"must not start with {name[0]!r}"
    if ".." in name:
        return "must not contain '..'"
    return None


def validate_account_name(name: str) -> str | None:
    """``None`` when ``name`` is a valid Cognitive Services account name, else the reason."""
    if _ACCOUNT_NAME.fullmatch(name) and ".." not in name:
        return None
    return (
        "must be 2-64 characters, start with a letter or digit and continue with letters, "
        "digits, '_', '.' or '-'"
    )


def validate_resource_group(name: str) -> str | None:
    """``None`` when Azure would accept ``name`` as a resource group name, else the reason."""
    if _RESOURCE_GROUP.fullmatch(name) and not name.endswith(".") and ".." not in name:
        return None
    return (
        "must be 1-90 characters of letters, digits, '_', '(', ')', '-' and '.', "
        "and must not end with '.'"
    )


def _fail(text: str, kind: str, shape: str, problem: str) -> ArmIdError:
    return ArmIdError(f"{text!r} is not a valid {kind} id: {problem}. Expected {shape}")


def _split(text: object, kind: str, keys: dict[int, str], shape: str) -> list[str]:
    """Check ``text`` as a whole and segment by segment; return the value segments."""
    if not isinstance(text, str):
        raise ArmIdError(f"an ARM {kind} id must be a string, got {type(text).__name__}")
    for position, ch in enumerate(text):
        if ord(ch) <= 0x20 or ord(ch) >= 0x7F:
            raise _fail(
                text, kind, shape, f"it contains {describe_char(ch)} at position {position}"
            )
        if ch in "?#":
            raise _fail(
                text, kind, shape, f"it contains {ch!r}; an ARM id has no query or fragment"
            )
        if ch == "%":
            raise _fail(
                text,
                kind,
                shape,
                "it contains '%'; percent-encoded characters (such as %2F for '/') are not allowed",
            )
    if not text:
        raise _fail(text, kind, shape, "it is empty")
    if ".." in text:
        raise _fail(text, kind, shape, "it contains '..'")
    if not text.startswith("/"):
        raise _fail(text, kind, shape, "it must start with '/subscriptions/'")
    if len(text) > 1 and text.endswith("/"):
        raise _fail(text, kind, shape, "it ends with '/'; remove the trailing slash")
    segments = text[1:].split("/")
    if "" in segments:
        raise _fail(text, kind, shape, "it has an empty segment ('//')")

    count = max(keys) + 2
    for position, expected in keys.items():
        if position >= len(segments):
            break
        if segments[position].lower() != expected.lower():
            what = _KEY_LABELS[position]
            raise _fail(
                text, kind, shape, f"{what} is {segments[position]!r}, expected {expected!r}"
            )
    if len(segments) < count:
        part = next(label for index, label in _VALUE_LABELS.items() if index >= len(segments))
        if kind == "deployment" and len(segments) == 8:
            raise _fail(
                text, kind, shape, "it is an account id; add '/deployments/<deployment name>'"
            )
        raise _fail(text, kind, shape, f"the {part} is missing")
    if len(segments) > count:
        if kind == "account" and segments[8].lower() == "deployments":
            raise _fail(
                text,
                kind,
                shape,
                f"it is a deployment id; drop '/{'/'.join(segments[8:])}' to name the account",
            )
        raise _fail(text, kind, shape, f"it has extra segments '/{'/'.join(segments[count:])}'")
    return [segments[i] for i in _VALUE_LABELS if i < count]


def _check_account_parts(subscription_id: str, resource_group: str, name: str) -> str | None:
    if not is_guid(subscription_id):
        return f"the subscription {subscription_id!r} is not a GUID"
    reason = validate_resource_group(resource_group)
    if reason:
        return f"the resource group {resource_group!r} {reason}"
    reason = validate_account_name(name)
    if reason:
        return f"the account name {name!r} {reason}"
    return None


@dataclass(frozen=True, eq=False)
class AccountId:
    """A Cognitive Services account's ARM id; equal to another ignoring case."""

    subscription_id: str
    """The subscription GUID, as written."""
    resource_group: str
    """The resource group name, as written."""
    name: str
    """The account name, as written."""

    def __post_init__(self) -> None:
        problem = _check_account_parts(self.subscription_id, self.resource_group, self.name)
        if problem:
            raise _fail(str(self), "account", ACCOUNT_ID_SHAPE, problem)

    @classmethod
    def parse(cls, text: object) -> AccountId:
        """Parse ``/subscriptions/.../providers/Microsoft.CognitiveServices/accounts/<name>``;
        fixed segments may be in any case. Raises :class:`ArmIdError`."""
        subscription_id, resource_group, name = _split(
            text, "account", _ACCOUNT_KEYS, ACCOUNT_ID_SHAPE
        )
        return cls(subscription_id, resource_group, name)

    def deployment(self, name: str) -> DeploymentId:
        """The id of the deployment ``name`` in this account."""
        return DeploymentId(self, name)

    def _key(self) -> tuple[str, str, str]:
        return (self.subscription_id.lower(), self.resource_group.lower(), self.name.lower())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AccountId):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/{_PROVIDER}/accounts/{self.name}"
        )


@dataclass(frozen=True, eq=False)
class DeploymentId:
    """A deployment's ARM id: an account id plus a URL-safe name; equal ignoring case."""

    account: AccountId
    """The account the deployment lives in."""
    name: str
    """The deployment name, as written."""

    def __post_init__(self) -> None:
        reason = validate_deployment_name(self.name)
        if reason:
            raise _fail(
                str(self), "deployment", DEPLOYMENT_ID_SHAPE, f"the deployment name {reason}"
            )

    @classmethod
    def parse(cls, text: object) -> DeploymentId:
        """Parse an account id followed by ``/deployments/<name>``. Raises :class:`ArmIdError`."""
        subscription_id, resource_group, account, name = _split(
            text, "deployment", _DEPLOYMENT_KEYS, DEPLOYMENT_ID_SHAPE
        )
        problem = _check_account_parts(subscription_id, resource_group, account)
        if problem:
            raise _fail(str(text), "deployment", DEPLOYMENT_ID_SHAPE, problem)
        return cls(AccountId(subscription_id, resource_group, account), name)

    def _key(self) -> tuple[AccountId, str]:
        return (self.account, self.name.lower())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeploymentId):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f"{self.account}/deployments/{self.name}"
