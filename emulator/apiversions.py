"""What each api-version of ``Microsoft.CognitiveServices/accounts/deployments`` defines.

One row per api-version the emulator answers, each read from the REST spec of that version
(Azure/azure-rest-api-specs, ``specification/cognitiveservices/resource-manager/
Microsoft.CognitiveServices/{stable|preview}/<version>/cognitiveservices.json``: the
``Deployments_*`` operations under ``paths``, and ``definitions.Deployment``,
``definitions.DeploymentProperties`` and ``definitions.DeploymentModel``).

How the emulator uses a row, per request:

* ``PATCH`` (``Deployments_Update``) exists only where :attr:`ApiVersion.update` says so;
  elsewhere ARM answers 405 with the text Azure sends for a method a resource does not serve
  ("The requested resource does not support http method 'PATCH'.", quoted in
  azure-sdk-for-python ``sdk/network/azure-mgmt-network/tests/test_cli_mgmt_network_ip.py``).
* A ``PUT`` body is read through the version's model: members it does not define are not
  taken (the spec gives ``DeploymentProperties`` no ``additionalProperties``). Whether Azure
  ignores such a member or refuses it is not in any public recording; the emulator ignores it.
  What the stored deployment has that the version cannot name is kept as it was.
* An answer shows only the members the version defines: the deployment is serialized through
  that version's model (Microsoft's API guidelines, microsoft/api-guidelines issue 393: a GET
  at an older version leaves out what that version does not know).

The provider keeps its own copy of this table (``aoai_deploy.providers.core.apiversions``);
``tests/emulator/test_emulator_api_versions.py`` checks that the two agree. A later change
adds a column as a field with a default, so that existing rows need no edit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["API_VERSIONS", "ROWS", "ApiVersion", "row"]

_SPEC: Final = (
    "specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/{}/{}/"
    "cognitiveservices.json"
)

#: Members of ``DeploymentProperties`` that every version here defines.
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
#: Members of ``DeploymentModel`` that every version here defines.
_MODEL_2023_05: Final = frozenset({"format", "name", "version", "source", "callRateLimit"})


@dataclass(frozen=True)
class ApiVersion:
    """One api-version: what its spec defines for a deployment."""

    version: str
    """The ``api-version`` value."""
    source: str
    """The spec file the row was read from."""
    update: bool
    """Whether ``Deployments_Update`` (``PATCH`` of ``{sku, tags}``) exists."""
    tags: bool
    """Whether ``definitions.Deployment`` has ``tags``."""
    properties: frozenset[str]
    """The members of ``definitions.DeploymentProperties``."""
    model: frozenset[str] = field(default=_MODEL_2023_05)
    """The members of ``definitions.DeploymentModel``."""

    def accepted(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``body`` (a PUT's) without the members this version does not define."""
        out = {k: copy.deepcopy(v) for k, v in body.items() if self.tags or k.lower() != "tags"}
        props = _member(out, "properties")
        if isinstance(props, dict):
            props = {k: v for k, v in props.items() if _known(k, self.properties)}
            model = _member(props, "model")
            if isinstance(model, dict):
                props[_key(props, "model")] = {
                    k: v for k, v in model.items() if _known(k, self.model)
                }
            out[_key(out, "properties")] = props
        return out

    def shown(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A stored deployment as this version serializes it (a copy)."""
        out = copy.deepcopy(dict(body))
        if not self.tags:
            out.pop("tags", None)
        props = out.get("properties")
        if isinstance(props, dict):
            for key in [k for k in props if k not in self.properties]:
                del props[key]
            model = props.get("model")
            if isinstance(model, dict):
                for key in [k for k in model if k not in self.model]:
                    del model[key]
        return out

    def kept(self, existing: Mapping[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
        """``new`` (what a PUT at this version stores) plus what ``existing`` has that this
        version cannot name (set earlier at a newer version)."""
        if existing is None:
            return new
        if not self.tags and "tags" in existing:
            new["tags"] = copy.deepcopy(existing["tags"])
        old_props = existing.get("properties", {})
        for key, value in old_props.items():
            if key not in self.properties and key not in new["properties"]:
                new["properties"][key] = copy.deepcopy(value)
        old_model = old_props.get("model", {})
        for key, value in old_model.items():
            if key not in self.model and key not in new["properties"]["model"]:
                new["properties"]["model"][key] = copy.deepcopy(value)
        return new


def _member(obj: Mapping[str, Any], key: str) -> Any:
    for name, value in obj.items():
        if name.lower() == key.lower():
            return value
    return None


def _key(obj: Mapping[str, Any], key: str) -> str:
    for name in obj:
        if name.lower() == key.lower():
            return name
    return key


def _known(name: str, names: frozenset[str]) -> bool:
    return any(name.lower() == known.lower() for known in names)


_PROPERTIES_2023_10: Final = _PROPERTIES_2023_05 | {"dynamicThrottlingEnabled", "currentCapacity"}
_PROPERTIES_2024_10: Final = _PROPERTIES_2023_10 | {"capacitySettings", "parentDeploymentName"}
_PROPERTIES_2025_09: Final = _PROPERTIES_2024_10 | {"spilloverDeploymentName"}
_PROPERTIES_2025_12: Final = _PROPERTIES_2025_09 | {"serviceTier", "deploymentState", "routing"}
_PROPERTIES_2026_09: Final = _PROPERTIES_2025_12 | {"contextCacheContainerId"}

#: Oldest first. Each row cites its spec file; the members were read from it.
ROWS: Final[tuple[ApiVersion, ...]] = (
    ApiVersion(
        "2023-05-01",
        _SPEC.format("stable", "2023-05-01"),
        # GET, PUT and DELETE only; Deployment has sku, systemData, etag, properties (no tags).
        update=False,
        tags=False,
        properties=_PROPERTIES_2023_05,
    ),
    ApiVersion(
        "2023-10-01-preview",
        _SPEC.format("preview", "2023-10-01-preview"),
        # Deployments_Update first appears here, and Deployment.tags with it.
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
    # The two below were read from the types Azure/bicep-types-az generates from these spec
    # files (generated/cognitiveservices/microsoft.cognitiveservices/<version>/types.md), and
    # the spec file's existence checked. 2026-03-01, 2026-05-01 and 2026-07-01 define what
    # 2025-12-01 does, so its row serves them; Deployments_Update and tags carry on.
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

#: The api-versions the emulator answers; others get 400 ``NoRegisteredProviderFound``.
API_VERSIONS: Final[tuple[str, ...]] = tuple(r.version for r in ROWS)

_BY_VERSION: Final = {r.version: r for r in ROWS}


def row(api_version: str) -> ApiVersion:
    """The row of an api-version the emulator answers (:class:`KeyError` otherwise)."""
    return _BY_VERSION[api_version]
