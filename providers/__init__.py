"""The ``CrossTenantDeployment`` dynamic resource and its provider, and ``get_deployment``."""

from __future__ import annotations

from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ArmAuthorizationError,
    ArmConflictError,
    ArmError,
    ArmNotFoundError,
    AuthError,
    ConfigError,
    ForeignDeploymentError,
    InputError,
    OperationFailedError,
    OperationTimeoutError,
    PreflightError,
    TransportError,
)
from aoai_deploy.providers.functions import GetDeploymentResult, get_deployment
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from aoai_deploy.providers.resource import CrossTenantDeployment, CrossTenantDeploymentArgs

__all__ = [
    "AoaiDeployError",
    "ArmAuthorizationError",
    "ArmConflictError",
    "ArmError",
    "ArmNotFoundError",
    "AuthError",
    "ConfigError",
    "CrossTenantDeployment",
    "CrossTenantDeploymentArgs",
    "CrossTenantDeploymentProvider",
    "ForeignDeploymentError",
    "GetDeploymentResult",
    "InputError",
    "OperationFailedError",
    "OperationTimeoutError",
    "PreflightError",
    "TransportError",
    "get_deployment",
]
