"""What a change of inputs means for the deployment: nothing, an update in place, or a replace.

Pure: :func:`diff_inputs` compares the old outputs (which echo the old inputs) with the checked
new inputs, field by field, by the table in README.md ("``CrossTenantDeployment`` inputs"):

* replace, new ARM id (create the new one, then delete the old): ``account_id``,
  ``deployment_name``;
* replace, same ARM id (delete first): ``model_name``, ``model_format``,
  ``source_account_id``, ``source_tenant_id``, ``sku_name``;
* update in place: ``model_version``, ``sku_capacity``, ``rai_policy_name``,
  ``version_upgrade_option``, ``tags``, ``api_version``, ``tenant_id`` (no ARM change);
* nothing: ``adopt_existing``, ``operation_timeout_seconds``,
  ``role_propagation_timeout_seconds``, ``owner``.

Values are compared as Azure compares them: ARM ids, SKU names, enum values and tenant ids
ignoring case, numbers by value (Pulumi sends ``2.0`` for ``2``; Python's ``==`` agrees), an
absent value equal to its default, no tags equal to empty tags. A new ``tenant_id`` that is
absent is never a change (the old one is the credential's home tenant, resolved at create).
A value not known yet (preview) is a change, and a replace when the field is a replace field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aoai_deploy.providers.ids import AccountId, ArmIdError
from aoai_deploy.providers.inputs import has_unknown
from aoai_deploy.providers.schema import DEFAULTS, INPUTS

__all__ = [
    "DELETE_FIRST_FIELDS",
    "IGNORED_FIELDS",
    "NEW_ID_FIELDS",
    "UPDATE_FIELDS",
    "FieldDiff",
    "diff_inputs",
]

#: Changing these gives the deployment a new ARM id: create the new one, then delete the old.
NEW_ID_FIELDS: Final = frozenset({"account_id", "deployment_name"})
#: Changing these needs a new deployment under the same ARM id: delete first, then create.
DELETE_FIRST_FIELDS: Final = frozenset(
    {"model_name", "model_format", "source_account_id", "source_tenant_id", "sku_name"}
)
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
        if field == "tenant_id" and new is None:
            continue
        if _changed(field, olds.get(field), new):
            changes.append(field)
    replaces = [field for field in changes if field in NEW_ID_FIELDS | DELETE_FIRST_FIELDS]
    new_id = [field for field in replaces if field in NEW_ID_FIELDS]
    if new_id:
        # A new ARM id: create the new deployment before deleting the old one, whatever else
        # changed, unless the id is not known yet and may turn out to be the old one.
        delete_first = any(has_unknown(news.get(field)) for field in new_id)
    else:
        delete_first = bool(replaces)
    return FieldDiff(changes, replaces, delete_first)
