"""What a change of inputs means for the deployment: nothing, an update in place, or a replace.

Pure: :func:`diff_inputs` compares the old outputs (which echo the old inputs) with the checked
new inputs, field by field, by the inputs table of DESIGN.md and README.md
("``CrossTenantDeployment`` inputs"):

* replace, new ARM id (create the new one, then delete the old): ``account_id``,
  ``deployment_name``;
* replace, same ARM id (delete first): ``model_name`` and ``model_format`` (but an update on
  the provisioned SKUs, which Azure moves to another model in place), ``source_account_id``,
  ``sku_name``, and ``source_tenant_id`` when it changes whether the copy is cross-tenant
  (what is sent to Azure), else an update that sends nothing;
* update in place: ``model_version``, ``sku_capacity``, ``rai_policy_name``,
  ``version_upgrade_option``, ``tags``, ``api_version``; ``tenant_id`` and
  ``operation_timeout_seconds`` too, which send nothing to Azure but are recorded in the
  outputs that ``read`` and ``delete`` get;
* nothing: ``adopt_existing``, ``role_propagation_timeout_seconds``, ``owner``.

Values are compared as Azure compares them: ARM ids, SKU names, enum values and tenant ids
ignoring case, numbers by value (Pulumi sends ``2.0`` for ``2``; Python's ``==`` agrees), an
absent value equal to its default, no tags equal to empty tags. A new ``tenant_id`` that is
absent is never a change (the old tenant is the credential's home tenant, resolved at
create), nor is an absent setting of ``LIVE_SETTINGS`` (``model_version``,
``rai_policy_name``, ``version_upgrade_option``): left unset, it keeps what the deployment
runs (``core/live.py``), so removing it from the program changes nothing.
A value not known yet (preview) is a change, and a replace when the field is a replace field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aoai_deploy.providers.core.ids import AccountId, ArmIdError
from aoai_deploy.providers.core.inputs import has_unknown
from aoai_deploy.providers.core.schema import DEFAULTS, INPUTS, LIVE_SETTINGS, PROVISIONED_SKUS

__all__ = [
    "DELETE_FIRST_FIELDS",
    "IGNORED_FIELDS",
    "IN_PLACE_ON_PROVISIONED",
    "NEW_ID_FIELDS",
    "UPDATE_FIELDS",
    "FieldDiff",
    "diff_inputs",
]

#: Changing these gives the deployment a new ARM id: create the new one, then delete the old.
NEW_ID_FIELDS: Final = frozenset({"account_id", "deployment_name"})
#: Changing these needs a new deployment under the same ARM id: delete first, then create
#: (``model_name`` and ``model_format`` not on the provisioned SKUs, ``source_tenant_id``
#: only when the copy becomes or stops being cross-tenant: see :func:`diff_inputs`).
DELETE_FIRST_FIELDS: Final = frozenset(
    {"model_name", "model_format", "source_account_id", "source_tenant_id", "sku_name"}
)
#: Of those, the ones Azure changes in place on the provisioned SKUs.
IN_PLACE_ON_PROVISIONED: Final = frozenset({"model_name", "model_format"})
#: Inputs whose absence in the new inputs is never a change.
_ABSENT_IS_NO_CHANGE: Final = frozenset({"tenant_id", *(s.name for s in LIVE_SETTINGS)})
#: Changing these is a PUT of the same deployment (``tenant_id``, ``operation_timeout_seconds``:
#: no ARM change at all, but an update records them in the outputs, which are all that
#: ``read`` and ``delete`` get; a raised timeout would otherwise never reach a slow delete).
UPDATE_FIELDS: Final = frozenset(
    {
        "model_version",
        "sku_capacity",
        "rai_policy_name",
        "version_upgrade_option",
        "tags",
        "api_version",
        "tenant_id",
        "operation_timeout_seconds",
    }
)
#: Changing these only steers a create or an update, which get the new inputs anyway.
IGNORED_FIELDS: Final = frozenset({"adopt_existing", "role_propagation_timeout_seconds"})


@dataclass(frozen=True)
class FieldDiff:
    """The fields whose change matters, and what it takes to apply them."""

    changes: list[str]
    """Every changed field, in the order of :data:`~schema.INPUTS`."""
    replaces: list[str]
    """The changed fields that force a replace."""
    delete_before_replace: bool
    """Whether the old deployment must go before the new one is created (same ARM id)."""


def _folded(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _account(value: object) -> object:
    if isinstance(value, str):
        try:
            return AccountId.parse(value)
        except ArmIdError:
            return value.lower()
    return value


def _tags(value: object) -> object:
    return {} if value is None else value


def _as_is(value: object) -> object:
    return value


_SAME_AS: Final[dict[str, Callable[[object], object]]] = {
    "account_id": _account,
    "source_account_id": _account,
    "deployment_name": _folded,
    "model_name": _folded,
    "model_format": _folded,
    "source_tenant_id": _folded,
    "tenant_id": _folded,
    "sku_name": _folded,
    "version_upgrade_option": _folded,
    "tags": _tags,
}


def _changed(field: str, old: object, new: object) -> bool:
    if has_unknown(new) or has_unknown(old):
        return True
    if old is None:
        old = DEFAULTS.get(field)
    if new is None:
        new = DEFAULTS.get(field)
    canonical = _SAME_AS.get(field, _as_is)
    return canonical(old) != canonical(new)


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> FieldDiff:
    """Compare the old outputs with the new (checked) inputs; keys outside the inputs are
    ignored."""
    changes: list[str] = []
    for field in INPUTS:
        if field in IGNORED_FIELDS:
            continue
        new = news.get(field)
        if field in _ABSENT_IS_NO_CHANGE and new is None:
            continue
        old = olds.get(field)
        if field == "model_version" and old is None:
            # Left unset before: the version Azure chose is the one in force.
            old = _live_version(olds)
        if _changed(field, old, new):
            changes.append(field)
    replaces = [field for field in changes if _forces_replace(field, olds, news)]
    new_id = [field for field in replaces if field in NEW_ID_FIELDS]
    if new_id:
        # A new ARM id: create the new deployment before deleting the old one, whatever else
        # changed, unless the id is not known yet and may turn out to be the old one.
        delete_first = any(has_unknown(news.get(field)) for field in new_id)
    else:
        delete_first = bool(replaces)
    return FieldDiff(changes, replaces, delete_first)


def _live_version(olds: Mapping[str, Any]) -> object:
    model = olds.get("model")
    version = model.get("version") if isinstance(model, Mapping) else None
    return version if isinstance(version, str) else None


def _forces_replace(field: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    if field in IN_PLACE_ON_PROVISIONED and _provisioned(news):
        return False
    if field == "source_tenant_id":
        return _cross_tenant(olds, olds) != _cross_tenant(news, olds)
    return field in NEW_ID_FIELDS | DELETE_FIRST_FIELDS


def _provisioned(news: Mapping[str, Any]) -> bool:
    """Whether the new SKU is one Azure moves to another model in place (an unknown SKU
    is not: the replace is the safe plan)."""
    sku = news.get("sku_name")
    return isinstance(sku, str) and sku.lower() in {name.lower() for name in PROVISIONED_SKUS}


def _cross_tenant(props: Mapping[str, Any], olds: Mapping[str, Any]) -> object:
    """Whether ``props`` make a cross-tenant copy, as ``mapping.is_cross_tenant`` decides:
    a source tenant, a source account other than the destination, and a source tenant
    other than the destination's (``props``' own ``tenant_id``, else the one ``olds``
    recorded at create). An object that equals nothing when a value is not known yet."""
    tenant = props.get("tenant_id")
    if tenant is None:
        tenant = olds.get("tenant_id")
    source_tenant = props.get("source_tenant_id")
    values = (tenant, source_tenant, props.get("source_account_id"), props.get("account_id"))
    if any(has_unknown(value) for value in values):
        return object()
    source, account = _account(props.get("source_account_id")), _account(props.get("account_id"))
    return (
        isinstance(source_tenant, str)
        and source is not None
        and source != account
        and not (isinstance(tenant, str) and tenant.lower() == source_tenant.lower())
    )
