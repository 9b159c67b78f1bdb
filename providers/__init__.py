"""The ``CrossTenantDeployment`` dynamic resource and its provider."""

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
    "InputError",
    "OperationFailedError",
    "OperationTimeoutError",
    "PreflightError",
    "TransportError",
]
