"""The team's naming and tagging rules for what it deploys."""

from __future__ import annotations


def deployment_name(team: str, purpose: str) -> str:
    """``<team>-<purpose>``, lower case: unique in a shared account as long as teams are."""
    return f"{team}-{purpose}".lower()


def team_tags(team: str) -> dict[str, str]:
    """Tags that say who owns a deployment in a shared account."""
    return {"owner": team, "managed-by": "pulumi"}
