"""The deployment's settings that, left unset, keep the value the live deployment runs.

A PUT replaces the deployment, and Azure gives whatever it leaves out its default (FACTS.md):
so every write sends, for each setting the inputs leave unset, the value the deployment runs
(``core/live.py``), and the outputs record them (``live_settings``). :data:`LIVE_SETTINGS`
is the one table of them: adding a setting is one entry here, for an input of
``schema.INPUT_FIELDS``, and the rest follows from it: the body a write sends, the values
kept, the ``live_settings`` output, refresh (drift), the diff (an unset one is no change),
the plan's warning of what a replace resets, and ``check``'s refusal of a setting the
configured ``api_version`` does not define (:attr:`LiveSetting.member`, looked up in
``core/apiversions.py``).

Azure's defaults: tests/emulator/test_emulator_put_replaces.py and
``emulator/routes/deployment_settings.py`` name their sources.

Pure: no network, no imports beyond the standard library.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEPLOYMENT_STATES",
    "LIVE_SETTINGS",
    "PAUSABLE_SKUS",
    "ROUTER_MODEL",
    "ROUTING_MODES",
    "SERVICE_TIERS",
    "AzureDefault",
    "LiveSetting",
]

#: ``properties.serviceTier`` (the spec's enum).
SERVICE_TIERS: Final[tuple[str, ...]] = ("Default", "Priority")
#: ``properties.deploymentState`` (the spec's enum).
DEPLOYMENT_STATES: Final[tuple[str, ...]] = ("Running", "Paused")
#: ``properties.routing.mode`` (the spec's ``DeploymentRouting``).
ROUTING_MODES: Final[tuple[str, ...]] = ("balanced", "cost", "quality")
#: The SKUs a deployment may be paused on (the spec's note on ``serviceTier``).
PAUSABLE_SKUS: Final[tuple[str, ...]] = ("Standard", "DataZoneStandard", "GlobalStandard")
#: The model whose deployments take ``routing`` (the spec's description of it).
ROUTER_MODEL: Final = "model-router"


class AzureDefault(enum.Enum):
    """What Azure gives a setting a PUT leaves out, where that is no value of its own."""

    DEPENDS = "depends"
    """It depends on the deployment (the model's default version)."""
    UNSET = "unset"
    """Nothing: the deployment then has none."""


@dataclass(frozen=True)
class LiveSetting:
    """An input that, left unset, keeps the value the live deployment runs."""

    name: str
    """The input's name."""
    arm_path: tuple[str, ...]
    """Where a deployment's ARM body keeps it."""
    azure_default: object
    """What Azure sets when a PUT leaves it out: a value, or an :class:`AzureDefault`."""
    model_bound: bool = False
    """Whether it belongs to the model: kept only while the model stays the same."""

    @property
    def member(self) -> str:
        """The member of the deployment's spec it is, as ``apiversions.defines`` names it:
        ``properties.<member>``, or ``properties.model.<member>``."""
        depth = 3 if self.arm_path[:2] == ("properties", "model") else 2
        return ".".join(self.arm_path[:depth])


#: Every setting that keeps its live value when its input is unset, in the order of the
#: inputs table.
LIVE_SETTINGS: Final[tuple[LiveSetting, ...]] = (
    LiveSetting(
        "model_version", ("properties", "model", "version"), AzureDefault.DEPENDS, model_bound=True
    ),
    LiveSetting("rai_policy_name", ("properties", "raiPolicyName"), "Microsoft.DefaultV2"),
    LiveSetting(
        "version_upgrade_option",
        ("properties", "versionUpgradeOption"),
        "OnceNewDefaultVersionAvailable",
    ),
    LiveSetting("dynamic_throttling_enabled", ("properties", "dynamicThrottlingEnabled"), False),
    LiveSetting(
        "spillover_deployment_name", ("properties", "spilloverDeploymentName"), AzureDefault.UNSET
    ),
    LiveSetting(
        "designated_capacity",
        ("properties", "capacitySettings", "designatedCapacity"),
        AzureDefault.UNSET,
    ),
    LiveSetting(
        "capacity_priority", ("properties", "capacitySettings", "priority"), AzureDefault.UNSET
    ),
    LiveSetting(
        "parent_deployment_name", ("properties", "parentDeploymentName"), AzureDefault.UNSET
    ),
    LiveSetting("service_tier", ("properties", "serviceTier"), AzureDefault.UNSET),
    LiveSetting("deployment_state", ("properties", "deploymentState"), AzureDefault.UNSET),
    LiveSetting("routing", ("properties", "routing"), AzureDefault.UNSET),
    LiveSetting(
        "context_cache_container_id", ("properties", "contextCacheContainerId"), AzureDefault.UNSET
    ),
)
