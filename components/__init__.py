"""Components that roll models into Azure OpenAI accounts.

:class:`FineTunedModelDeployment` deploys one or more models (above all a fine-tuned model
copied from an account in another Entra tenant) into one destination account, which it can
create, after granting the deploying principal the roles the copy needs. The grants a program
makes are shared between its components, one per (principal, role, scope): see ``grants.py``.
Creating the account or the grants needs pulumi-azure-native, which comes with the extra
``aoai-deploy[azure-native]`` (``extra.py``); nothing else here does.
"""

from __future__ import annotations

from aoai_deploy.components.args import (
    DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS,
    DestinationAccountArgs,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
    RoleAssignmentArgs,
)
from aoai_deploy.components.errors import ComponentArgsError, Problem
from aoai_deploy.components.extra import MissingExtraError
from aoai_deploy.components.fine_tuned import FineTunedModelDeployment
from aoai_deploy.components.grants import (
    Grant,
    RoleGrants,
    grants_needed,
    openai_contributor_assignment,
    program_role_grants,
    shared_grant_name,
)
from aoai_deploy.components.roles import role_assignment_name, role_definition_id

__all__ = [
    "DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS",
    "ComponentArgsError",
    "DestinationAccountArgs",
    "FineTunedModelDeployment",
    "FineTunedModelDeploymentArgs",
    "Grant",
    "MissingExtraError",
    "ModelDeploymentArgs",
    "Problem",
    "RoleAssignmentArgs",
    "RoleGrants",
    "grants_needed",
    "openai_contributor_assignment",
    "program_role_grants",
    "role_assignment_name",
    "role_definition_id",
    "shared_grant_name",
]
