"""Role definition ids and deterministic role assignment names.

A role assignment's name is a GUID the caller chooses. Deriving it from what identifies the
grant (scope, principal, role) makes every run of every stack choose the same name for the
same grant, so a re-run finds the assignment it made instead of adding a second one.
"""

from __future__ import annotations

import uuid
from typing import Final

from aoai_deploy.providers.core.ids import AccountId
from aoai_deploy.providers.core.schema import OPENAI_CONTRIBUTOR_ROLE_ID

__all__ = ["role_assignment_name", "role_definition_id"]

# Fixed for good: changing it renames, and so replaces, every assignment ever made.
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:aoai-deploy:role-assignment")


def role_definition_id(account_id: str, role_id: str = OPENAI_CONTRIBUTOR_ROLE_ID) -> str:
    """The full id of a built-in role definition, in the subscription of ``account_id``.

    Raises :class:`~aoai_deploy.providers.core.ids.ArmIdError` when ``account_id`` is not one."""
    subscription = AccountId.parse(account_id).subscription_id
    return (
        f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"
    )


def role_assignment_name(
    scope: str, principal_id: str, role_id: str = OPENAI_CONTRIBUTOR_ROLE_ID
) -> str:
    """A GUID that is the same for the same account scope, principal and role, whatever their
    case. Raises :class:`~aoai_deploy.providers.core.ids.ArmIdError` when ``scope`` is not an
    account id."""
    # The canonical id, lower-cased, is what every spelling of one account has in common. For
    # any id the parser accepts it is the id itself lower-cased, which is what names were
    # derived from before the parser existed: existing assignments keep their names.
    parts = (str(AccountId.parse(scope)), principal_id.strip(), role_id.strip())
    return str(uuid.uuid5(_NAMESPACE, "|".join(part.lower() for part in parts)))
