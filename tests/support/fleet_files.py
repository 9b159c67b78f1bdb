"""Fleet files for the fleet's tests: the example, and small ones built in the test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "fleet" / "fleet.yaml"

SOURCE_TENANT = "11111111-1111-4111-8111-111111111111"
SOURCE_ACCOUNT = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models/"
    "providers/Microsoft.CognitiveServices/accounts/vendor-ft-src"
)
MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"


def tenant(n: int) -> str:
    return f"2222{n:04d}-2222-4222-8222-222222222222"


def subscription(n: int) -> str:
    return f"bbbb{n:04d}-0000-4000-8000-000000000002"


def small_fleet(
    rings: list[tuple[str, str | int]], *, tenants: int | None = None
) -> dict[str, Any]:
    """A fleet file (parsed) of ``(key, ring)`` customers, in ``tenants`` tenants (default: one
    each), with a static credential that can reach them all."""
    count = tenants or len(rings)
    return {
        "project": "test-fleet",
        "parallel": 2,
        "maxFailures": 0,
        "credentials": {
            "emulator": {
                "kind": "static",
                "tokensEnv": "AOAI_FLEET_TOKENS",
                "tenants": [SOURCE_TENANT] + [tenant(n) for n in range(1, count + 1)],
            }
        },
        "defaults": {
            "credential": "emulator",
            "source": {"accountId": SOURCE_ACCOUNT, "tenantId": SOURCE_TENANT},
            "account": {"resourceGroup": "rg-aoai"},
            "deployments": [
                {
                    "deploymentName": "support-bot",
                    "modelName": MODEL,
                    "modelVersion": "1",
                    "skuCapacity": 1,
                }
            ],
        },
        "customers": [
            {
                "key": key,
                "ring": ring,
                "tenantId": tenant(n % count + 1),
                "subscriptionId": subscription(n % count + 1),
                "account": {"name": f"{key}-aoai"},
            }
            for n, (key, ring) in enumerate(rings)
        ],
    }
