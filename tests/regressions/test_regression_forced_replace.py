"""A replace the engine forces (``pulumi up --replace``) must not delete the deployment.

For a targeted replace the engine does not ask the provider's Diff at all
(pkg/resource/deploy/step_generator.go, ``diff``: "If this resource is marked for
replacement, just return a 'replace' diff that blames the id"), so whether it deletes
first comes only from the resource's own ``deleteBeforeReplace`` option
(``deleteBeforeReplace := diff.DeleteBeforeReplace; if goal.DeleteBeforeReplace != nil``).
The same holds for ``replace_on_changes`` and replacement triggers. The ARM id never
changes in such a replace, so create-before-delete PUTs the same deployment (``create``
adopts it by its owner tag) and then DELETEs it: the stack records a deployment that no
longer exists, and the model is offline until someone notices.

Fixed: ``Runtime.created_here``: a delete of a deployment that a create of this update
wrote leaves it in place. First by its etag, which Azure need not send (issue 10, item 1);
now whatever the etag says, since the engine never deletes a resource in the update that
created it.
"""

from __future__ import annotations

from typing import Any

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import MakeProvider, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT


def _declare() -> None:
    CrossTenantDeployment(
        "ft",
        CrossTenantDeploymentArgs(
            account_id=DEST_ACCOUNT,
            deployment_name="ft",
            model_name=FT_MODEL,
            source_account_id=SOURCE_ACCOUNT,
            source_tenant_id=SOURCE_TENANT,
            tenant_id=DEST_TENANT,
        ),
    )


def _forced_replace(
    provider: CrossTenantDeploymentProvider,
    request: Any,
    id_: str,
    old_outputs: dict[str, Any],
    inputs: dict[str, Any],
) -> None:
    """What the engine does for `pulumi up --replace <urn>` (the provider's Diff unasked)."""
    delete_first = request.deleteBeforeReplaceDefined and request.deleteBeforeReplace
    if delete_first:
        provider.delete(id_, old_outputs)
        provider.create(inputs)
    else:
        provider.create(inputs)
        provider.delete(id_, old_outputs)


def test_forced_replace_leaves_the_deployment_in_place(
    register: Any,
    registered_inputs: Any,
    provider: CrossTenantDeploymentProvider,
    emu: Emulator,
) -> None:
    (request,) = register(_declare)
    inputs = checked(provider, registered_inputs(request))
    created = provider.create(inputs)
    assert emu.deployment(DEST_ACCOUNT, "ft") is not None

    _forced_replace(provider, request, created.id, created.outs or {}, inputs)

    assert emu.deployment(DEST_ACCOUNT, "ft") is not None, (
        "after `pulumi up --replace` the state holds the deployment's id, but the deployment "
        "was deleted by the replace's own delete step"
    )


def test_forced_replace_keeps_the_deployment_when_arm_sends_no_etag(
    register: Any,
    registered_inputs: Any,
    make_provider: MakeProvider,
    emu: Emulator,
) -> None:
    """Issue 10, item 1: Azure's 2024-10-01 examples carry no etag (and an identical PUT
    need not change one), so an etag cannot tell the old resource's delete from another."""
    emu.settings.etag_key = None
    (request,) = register(_declare)
    first_up = make_provider()
    inputs = checked(first_up, registered_inputs(request))
    created = first_up.create(inputs)

    replacing_up = make_provider()  # `pulumi up --replace`: another plugin process
    _forced_replace(replacing_up, request, created.id, created.outs or {}, inputs)

    assert emu.deployment(DEST_ACCOUNT, "ft") is not None, (
        "with no etag from ARM, the replace's delete removed the deployment its create "
        "had just written"
    )


def test_a_replace_with_a_new_arm_id_still_deletes_the_old_deployment(
    make_provider: MakeProvider, emu: Emulator
) -> None:
    first_up = make_provider()
    created = first_up.create(checked(first_up, cross_tenant_inputs()))

    renaming_up = make_provider()
    renaming_up.create(checked(renaming_up, cross_tenant_inputs(deployment_name="ft2")))
    renaming_up.delete(created.id, created.outs or {})

    assert emu.deployment(DEST_ACCOUNT, "ft") is None
    assert emu.deployment(DEST_ACCOUNT, "ft2") is not None
