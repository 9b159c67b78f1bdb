"""The owner tag must tell two stacks apart.

``create`` decides "this deployment is mine" from the owner tag alone, and acts on it
without ``adopt_existing``: it silently takes over a deployment with the same model, and
deletes and re-creates one with another model ("this stack's leftover ... replacing it").
The tag is ``<project>/<stack>/<resource name>`` (``CrossTenantDeployment.__init__``):
no organization (nor backend). Two teams in two Pulumi organizations that run this
repository's project (``aoai-deploy``) with a stack called ``prod`` into a shared
destination account write the same tag, so the second team's ``pulumi up`` deletes the
first team's deployment, and its ``pulumi destroy`` would too.

Fixed: the tag is ``<organization>/<project>/<stack>/<resource name>``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import (
    CrossTenantDeployment,
    CrossTenantDeploymentArgs,
    ForeignDeploymentError,
)
from aoai_deploy.providers.core.schema import OWNER_INPUT
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, LAB_ACCOUNT, LAB_MODEL


def _declare() -> None:
    CrossTenantDeployment(
        "ft",
        CrossTenantDeploymentArgs(account_id=DEST_ACCOUNT, deployment_name="ft", model_name="x"),
    )


def test_a_stack_of_another_organization_does_not_take_over_the_deployment(
    register: Any,
    registered_inputs: Any,
    provider: CrossTenantDeploymentProvider,
    emu: Emulator,
) -> None:
    (team_a,) = register(_declare, organization="team-a")
    (team_b,) = register(_declare, organization="team-b")
    owner_a = registered_inputs(team_a)[OWNER_INPUT]
    owner_b = registered_inputs(team_b)[OWNER_INPUT]
    provider.create(checked(provider, cross_tenant_inputs(owner=owner_a)))

    # Team B deploys its own fine-tuned model under the same name into the shared account;
    # refusing it (ForeignDeploymentError, as for any deployment not its own) is the fix.
    with contextlib.suppress(ForeignDeploymentError):
        provider.create(
            checked(
                provider,
                cross_tenant_inputs(
                    owner=owner_b,
                    model_name=LAB_MODEL,
                    source_account_id=LAB_ACCOUNT,
                    source_tenant_id=DEST_TENANT,
                ),
            )
        )

    live = emu.deployment(DEST_ACCOUNT, "ft")
    assert live is not None
    assert live["properties"]["model"]["name"] == FT_MODEL, (
        f"team B's create deleted team A's deployment (owner tags {owner_a!r} / {owner_b!r})"
    )
