"""What to do about an ARM error code, in a sentence a person can act on.

The codes are the ones Azure returns for deployments (docs/cross-tenant.md lists the common
ones); ``context`` supplies the facts the sentence needs (``account``, ``destination_tenant``,
``source_account``, ``source_tenant``, ``cross_tenant``: ``"true"``/``"false"``). Unknown codes
get no hint.
"""

from __future__ import annotations

from collections.abc import Mapping

from aoai_deploy.providers.core.schema import (
    OPENAI_CONTRIBUTOR_ROLE_ID,
    OPENAI_CONTRIBUTOR_ROLE_NAME,
)

__all__ = ["hint_for", "source_tenant_hint"]

_ROLE = f"'{OPENAI_CONTRIBUTOR_ROLE_NAME}' ({OPENAI_CONTRIBUTOR_ROLE_ID})"

_HINTS: dict[str, str] = {
    "linkedauthorizationfailed": (
        "The deploying identity needs {role} on the source account {source_account} in "
        "tenant {source_tenant}, as a service principal of the same multi-tenant app (or a "
        "guest user) there, and the auxiliary token must come from that tenant. If the role "
        "was assigned moments ago, set role_propagation_timeout_seconds to wait for it."
    ),
    # The copy was sent as a same-tenant one: ARM looked for the source in the destination's
    # tenant, and the usual cause is a source account in another tenant.
    "linkedauthorizationfailed/same-tenant": (
        "The copy was made as a same-tenant one ({source_tenant_said}), so ARM "
        "looked for the source account {source_account} from the destination's tenant "
        "{destination_tenant}. If that account is in another tenant, set source_tenant_id to "
        "that tenant; otherwise the deploying identity needs {role} on it. If the role was "
        "assigned moments ago, set role_propagation_timeout_seconds to wait for it."
    ),
    "authorizationfailed": (
        "The deploying identity needs {role} on the destination account {account} in tenant "
        "{destination_tenant} (or on its resource group or subscription). If the role was "
        "assigned moments ago, set role_propagation_timeout_seconds to wait for it."
    ),
    "invalidauthenticationtokentenant": (
        "The token is for a different tenant than the subscription: set tenant_id to the "
        "destination account's tenant ({destination_tenant} was used) and source_tenant_id "
        "to the source account's tenant."
    ),
    "expiredauthenticationtoken": (
        "A token expired before ARM saw it. With aoai-deploy:credential static, mint fresh "
        "tokens for both tenants and set aoai-deploy:staticTokens again; otherwise sign in "
        "again (e.g. `az login --tenant <id>` for each tenant)."
    ),
    "authenticationfailed": (
        "ARM did not accept the token: check aoai-deploy:credential and that it yields "
        "tokens for the ARM endpoint of aoai-deploy:cloud."
    ),
    "requestconflict": (
        "Other writes to the account kept it busy past the retry budget. Writes to one "
        "account must not run at the same time: chain deployments with depends_on (the "
        "FineTunedModelDeployment component does), and avoid editing it from the portal "
        "during `pulumi up`."
    ),
    "insufficientquota": (
        "The subscription has too little quota for this SKU and capacity in the account's "
        "region: lower sku_capacity, choose another sku_name, or request more quota."
    ),
    "deploymentmodelnotsupported": (
        "The model is not available here: check model_name, model_version and model_format "
        "against the models of the source account {source_account}, and that "
        "source_account_id names the account that holds the fine-tuned model."
    ),
    # No source account: a base model (or a fine-tuned one whose account was not named).
    "deploymentmodelnotsupported/no-source": (
        "The model is not available here: check model_name, model_version and model_format "
        "against the models the account {account} can deploy (its region's base models and "
        "its own fine-tuned models). For a fine-tuned model trained in another account, set "
        "source_account_id to that account."
    ),
    "invalidresourceproperties": (
        "Azure rejected a property: check sku_name (a deployment SKU such as Standard or "
        "GlobalStandard, not an account SKU such as S0), sku_capacity and model_version."
    ),
    "resourcenotfound": (
        "The account or resource group was not found: check account_id, and that the "
        "identity can read it in tenant {destination_tenant}."
    ),
    "flagmustbesetforrestore": (
        "An account of this name was deleted less than 48 hours ago and is soft-deleted, "
        "holding its name and quota. Restore it (the component's create_account.restore=True; "
        "the example stack's aoai-deploy-example:newAccountRestore: true) or purge it first: "
        "az cognitiveservices account purge --name <account> --resource-group <group> "
        "--location <region>."
    ),
    "parentresourcenotfound": (
        "The account was not found: check account_id, and that the identity can read it in "
        "tenant {destination_tenant}."
    ),
}


#: What the context says of a fact the operation does not have (``writes.make_call``).
_NOT_SET = "(not set)"


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return _NOT_SET


def _is_set(context: Mapping[str, str], key: str) -> bool:
    return context.get(key, _NOT_SET) != _NOT_SET


def hint_for(code: str, context: Mapping[str, str]) -> str:
    """The advice for an ARM error code, or ``""`` when there is none."""
    key = code.lower()
    if key == "linkedauthorizationfailed" and context.get("cross_tenant") == "false":
        key += "/same-tenant"
    if key == "deploymentmodelnotsupported" and not _is_set(context, "source_account"):
        key += "/no-source"
    template = _HINTS.get(key)
    if template is None:
        return ""
    facts = _Facts(context)
    facts["role"] = _ROLE
    facts["source_tenant_said"] = (
        f"source_tenant_id: {context['source_tenant']}"
        if _is_set(context, "source_tenant")
        else "source_tenant_id is not set"
    )
    return template.format_map(facts)


def source_tenant_hint(
    source_account: str, subscription: str, tenant: str, destination: str
) -> str:
    """What to do when a copy sent as same-tenant failed and the source account's
    subscription turned out to belong to ``tenant``, not to the destination's tenant."""
    return (
        f"The source account {source_account} is in tenant {tenant} (the tenant of its "
        f"subscription {subscription}), not in the destination's tenant {destination}: "
        f"set source_tenant_id to {tenant}. The copy is then cross-tenant: the provider "
        "sends an auxiliary token for that tenant, and the deploying identity needs "
        f"{_ROLE} on the source account there."
    )
