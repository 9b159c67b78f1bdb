"""The api-versions of ``Microsoft.CognitiveServices/accounts/deployments`` and what each
defines: whether ``Deployments_Update`` (PATCH) exists, whether a deployment has tags, and the
members of its properties and model.

Each row was read from the REST spec file it cites (Azure/azure-rest-api-specs); the emulator
keeps its own copy (``aoai_deploy.emulator.apiversions``, the stand-in for Azure), and
``tests/emulator/test_emulator_api_versions.py`` checks that the two agree. A new column is a
field with a default, so existing rows need no edit.

The provider is tested against every row's version; that is the supported range:

* older than the oldest row: refused at ``check``, with the range named;
* between two rows (a preview not listed, say): served as the nearest older row says, which
  can only under-use what the version has (a full PUT works at every version);
* newer than the newest row: accepted, served as the newest row says, and a warning names
  the tested range. Azure adds api-versions several times a year and retires old ones;
  refusing a newer one would leave a user whose version is being retired waiting for a
  release, while a version that does not exist is refused by ARM itself, at the first request,
  with the versions it has.

Pure: no network, no imports beyond the standard library.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "NEWEST",
    "OLDEST",
    "ROWS",
    "ApiVersion",
    "body_for",
    "defines",
    "defines_update",
    "first_with",
    "is_newer_than_tested",
    "row_for",
    "supported_range",
]

_SPEC: Final = (
    "specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/{}/{}/"
    "cognitiveservices.json"
)
_PROPERTIES_2023_05: Final = frozenset(
    {
        "provisioningState",
        "model",
        "scaleSettings",
        "capabilities",
        "raiPolicyName",
        "callRateLimit",
        "rateLimits",
        "versionUpgradeOption",
    }
)
_PROPERTIES_2023_10: Final = _PROPERTIES_2023_05 | {"dynamicThrottlingEnabled", "currentCapacity"}
_PROPERTIES_2024_10: Final = _PROPERTIES_2023_10 | {"capacitySettings", "parentDeploymentName"}
_PROPERTIES_2025_09: Final = _PROPERTIES_2024_10 | {"spilloverDeploymentName"}
_PROPERTIES_2025_12: Final = _PROPERTIES_2025_09 | {"serviceTier", "deploymentState", "routing"}
_PROPERTIES_2026_09: Final = _PROPERTIES_2025_12 | {"contextCacheContainerId"}
_MODEL_2023_05: Final = frozenset({"format", "name", "version", "source", "callRateLimit"})


@dataclass(frozen=True)
class ApiVersion:
    """One api-version and what its spec defines for a deployment."""

    version: str
    """The ``api-version`` value."""
    source: str
    """The spec file this row was read from."""
    update: bool
    """Whether ``Deployments_Update`` (a PATCH of ``{sku, tags}``) exists."""
    tags: bool
    """Whether a deployment has ``tags`` (``definitions.Deployment``)."""
    properties: frozenset[str]
    """The members of ``definitions.DeploymentProperties``."""
    model: frozenset[str] = field(default=_MODEL_2023_05)
    """The members of ``definitions.DeploymentModel``."""


#: Oldest first.
ROWS: Final[tuple[ApiVersion, ...]] = (
    ApiVersion(
        "2023-05-01",
        _SPEC.format("stable", "2023-05-01"),
        update=False,
        tags=False,
        properties=_PROPERTIES_2023_05,
    ),
    ApiVersion(
        "2023-10-01-preview",
        _SPEC.format("preview", "2023-10-01-preview"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2023_10,
    ),
    ApiVersion(
        "2024-10-01",
        _SPEC.format("stable", "2024-10-01"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2024_10,
        model=_MODEL_2023_05 | {"sourceAccount"},
    ),
    ApiVersion(
        "2025-06-01",
        _SPEC.format("stable", "2025-06-01"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2024_10,
        model=_MODEL_2023_05 | {"sourceAccount", "publisher"},
    ),
    ApiVersion(
        "2025-09-01",
        _SPEC.format("stable", "2025-09-01"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2025_09,
        model=_MODEL_2023_05 | {"sourceAccount", "publisher"},
    ),
    ApiVersion(
        "2025-10-01-preview",
        _SPEC.format("preview", "2025-10-01-preview"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2025_09 | {"serviceTier", "deploymentState"},
        model=_MODEL_2023_05 | {"sourceAccount", "publisher"},
    ),
    # Read from the types Azure/bicep-types-az generates from these two spec files; the
    # stable versions between them (2026-03-01, -05-01, -07-01) define what 2025-12-01 does.
    ApiVersion(
        "2025-12-01",
        _SPEC.format("stable", "2025-12-01"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2025_12,
        model=_MODEL_2023_05 | {"sourceAccount", "publisher"},
    ),
    ApiVersion(
        "2026-09-01",
        _SPEC.format("stable", "2026-09-01"),
        update=True,
        tags=True,
        properties=_PROPERTIES_2026_09,
        model=_MODEL_2023_05 | {"sourceAccount", "publisher"},
    ),
)
OLDEST: Final = ROWS[0].version
NEWEST: Final = ROWS[-1].version


def _order(version: str) -> tuple[str, int]:
    """Sort key: by date, a preview before the stable version of the same date."""
    date, _, suffix = version.partition("-preview")
    return (date, 0 if version.endswith("-preview") and not suffix else 1)


def row_for(version: str) -> ApiVersion | None:
    """The row that says what ``version`` defines: its own, else the nearest older one;
    ``None`` when ``version`` is older than every row."""
    key = _order(version)
    found: ApiVersion | None = None
    for candidate in ROWS:
        if _order(candidate.version) <= key:
            found = candidate
    return found


def is_newer_than_tested(version: str) -> bool:
    return _order(version) > _order(NEWEST)


def supported_range() -> str:
    return f"{OLDEST} to {NEWEST}"


def defines_update(version: str) -> bool:
    """Whether a PATCH (``Deployments_Update``) exists at ``version``."""
    found = row_for(version)
    return found is not None and found.update


def first_with(what: str) -> str | None:
    """The oldest version whose row has ``what``: ``tags``, ``update``,
    ``properties.<member>`` or ``properties.model.<member>``."""
    for candidate in ROWS:
        if _has(candidate, what):
            return candidate.version
    return None


def defines(version: str, what: str) -> bool:
    """Whether ``version`` has ``what`` (as :func:`first_with` names it)."""
    found = row_for(version)
    return found is not None and _has(found, what)


def _has(candidate: ApiVersion, what: str) -> bool:
    if what in ("tags", "update"):
        return bool(getattr(candidate, what))
    if what.startswith("properties.model."):
        return what.removeprefix("properties.model.") in candidate.model
    return what.removeprefix("properties.") in candidate.properties


def body_for(version: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A PUT body without what ``version`` does not define (the owner tag at a version
    without deployment tags, say), so that nothing is sent that the version cannot name."""
    found = row_for(version) or ROWS[0]
    out = copy.deepcopy(dict(body))
    if not found.tags:
        out.pop("tags", None)
    properties = out.get("properties")
    if isinstance(properties, dict):
        for key in [k for k in properties if k not in found.properties]:
            del properties[key]
        model = properties.get("model")
        if isinstance(model, dict):
            for key in [k for k in model if k not in found.model]:
                del model[key]
    return out
