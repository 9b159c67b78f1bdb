"""ARM error answers: one exception type, and the codes and messages Azure sends, in one place.

Every error body has ARM's shape ``{"error": {"code", "message"[, "target", "details"]}}``.
Messages copy the wording of real Azure answers (FACTS.md, recorded sessions) where one is
known; the few the emulator had to word itself say so below.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ArmError", "arm_time", "error_body"]


def error_body(code: str, message: str, target: str | None = None) -> dict[str, Any]:
    """ARM's error envelope."""
    error: dict[str, Any] = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    return {"error": error}


def arm_time(epoch: float) -> str:
    """ISO 8601 UTC with 7 fractional digits, as ARM writes timestamps."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _token_time(epoch: float) -> str:
    """The ``M/D/YYYY h:mm:ss AM`` form ARM uses in token-expiry messages."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {half}"


@dataclass
class ArmError(Exception):
    """Raised anywhere in request handling; the server turns it into the HTTP answer."""

    status: int
    code: str
    message: str
    target: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.target)

    # -- 400 -----------------------------------------------------------------------------

    @classmethod
    def missing_api_version(cls) -> ArmError:
        return cls(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )

    @classmethod
    def unsupported_api_version(
        cls,
        api_version: str,
        location: str,
        resource_type: str,
        known: tuple[str, ...],
        locations: tuple[str, ...],
    ) -> ArmError:
        return cls(
            400,
            "NoRegisteredProviderFound",
            f"No registered resource provider found for location '{location}' and API version "
            f"'{api_version}' for type '{resource_type}'. The supported api-versions are "
            f"'{', '.join(known)}'. The supported locations are '{', '.join(locations)}'.",
        )

    @classmethod
    def invalid_content(cls, detail: str) -> ArmError:
        return cls(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: '{detail}'.",
        )

    @classmethod
    def invalid_properties(cls, message: str, target: str | None = None) -> ArmError:
        return cls(400, "InvalidResourceProperties", message, target)

    @classmethod
    def invalid_name(cls, name: str) -> ArmError:
        # Worded by the emulator: deployment names have no pattern in the spec.
        return cls(
            400,
            "InvalidResourceName",
            f"The deployment name '{name}' is invalid. It must be 1 to 64 characters of letters, "
            "digits, '_', '.' and '-', and start with a letter or digit.",
        )

    @classmethod
    def model_not_supported(cls, fmt: str, name: str, version: str, source: str) -> ArmError:
        return cls(
            400,
            "DeploymentModelNotSupported",
            f"The model 'Format: {fmt}, Name: {name}, Version: {version}, Source: {source}' of "
            "account deployment is not supported.",
        )

    @classmethod
    def cannot_change_model(cls) -> ArmError:
        return cls(400, "CannotChangeDeploymentModel", "The model of deployment cannot be changed.")

    @classmethod
    def capacity_and_model(cls) -> ArmError:
        # Azure's message (Azure-Samples/azure-search-openai-demo issue 1154, FACTS.md); the
        # code is the emulator's: the public reports quote only the message.
        return cls(
            400,
            "InvalidResourceProperties",
            "Cannot change capacity and model at the same time for deployment.",
        )

    @classmethod
    def insufficient_quota(
        cls,
        model: str,
        needed: int,
        available: int = 0,
        used: int = 1000,
        limit: int = 1000,
        message: str | None = None,
        code: str | None = None,
    ) -> ArmError:
        # Azure's wording, numbers and all: "This operation require 8 new capacity in quota
        # Tokens Per Minute (thousands) - gpt-4o-mini, which is bigger than the current
        # available capacity 0. The current quota usage is 0 and the quota limit is 0 for
        # quota Tokens Per Minute (thousands) - gpt-4o-mini." (Azure-Samples/
        # azure-search-openai-demo-csharp issue 398; "require" is Azure's.)
        quota = f"Tokens Per Minute (thousands) - {model}"
        return cls(
            400,
            code or "InsufficientQuota",
            message
            or (
                f"This operation require {needed} new capacity in quota {quota}, which is "
                f"bigger than the current available capacity {available}. The current quota "
                f"usage is {used} and the quota limit is {limit} for quota {quota}."
            ),
        )

    @classmethod
    def sku_not_supported(cls, sku: str, model_label: str, location: str) -> ArmError:
        return cls.invalid_properties(
            f"The specified SKU '{sku}' for model '{model_label}' is not supported in this "
            f"region '{location}'.",
            target="sku.name",
        )

    @classmethod
    def model_deprecated(cls, fmt: str, name: str, version: str, since: str) -> ArmError:
        # Azure's wording (Azure-Samples/aks-store-demo issue 203, azd against a retired
        # version): "ServiceModelDeprecated: The model 'Publisher: , Format: OpenAI, Name:
        # gpt-35-turbo, Version: 0613, Source: , SourceAccount: ' has been deprecated since
        # 02/13/2025 00:00:00."
        moment = datetime.datetime.fromisoformat(since)
        return cls(
            400,
            "ServiceModelDeprecated",
            f"The model 'Publisher: , Format: {fmt}, Name: {name}, Version: {version}, "
            f"Source: , SourceAccount: ' has been deprecated since "
            f"{moment:%m/%d/%Y %H:%M:%S}.",
        )

    @classmethod
    def linked_invalid_id(cls, value: str, path: str) -> ArmError:
        return cls(
            400,
            "LinkedInvalidPropertyId",
            f"Property id '{value}' at path '{path}' is invalid. Expect fully qualified resource "
            "Id that start with '/subscriptions/{subscriptionId}' or "
            "'/providers/{resourceProviderNamespace}/'.",
        )

    @classmethod
    def too_many_auxiliary_tokens(cls, count: int) -> ArmError:
        # Worded by the emulator: no recorded Azure answer for this case.
        return cls(
            400,
            "TooManyAuxiliaryTokens",
            f"The 'x-ms-authorization-auxiliary' header holds {count} tokens; at most 3 are "
            "allowed.",
        )

    # -- 401 -----------------------------------------------------------------------------

    @classmethod
    def _unauthorized(cls, code: str, message: str, tenant: str | None, error: str) -> ArmError:
        authority = f"https://login.windows.net/{tenant or 'common'}"
        challenge = (
            f'Bearer authorization_uri="{authority}", error="invalid_token", '
            f'error_description="{error}"'
        )
        return cls(401, code, message, headers={"WWW-Authenticate": challenge})

    @classmethod
    def subscription_challenge(cls, tenant: str | None) -> ArmError:
        """An unauthenticated GET of a subscription: the challenge names the subscription's
        tenant, which is how tools find the tenant of a subscription they cannot read
        (FACTS.md, "More of Azure's behaviour")."""
        authority = f"https://login.microsoftonline.com/{tenant or 'common'}"
        challenge = (
            f'Bearer authorization_uri="{authority}", error="invalid_token", '
            'error_description="The authentication failed because of missing '
            "'Authorization' header.\""
        )
        return cls(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            headers={"WWW-Authenticate": challenge},
        )

    @classmethod
    def missing_authorization(cls) -> ArmError:
        return cls._unauthorized(
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            None,
            "The authentication failed because of missing 'Authorization' header.",
        )

    @classmethod
    def invalid_authorization(cls, header: str = "Authorization") -> ArmError:
        return cls._unauthorized(
            "AuthenticationFailed",
            f"Authentication failed. The '{header}' header is provided in an invalid format.",
            None,
            "The access token is invalid.",
        )

    @classmethod
    def expired_token(
        cls, expires: float, now: float, tenant: str, auxiliary_client: str | None = None
    ) -> ArmError:
        message = (
            f"The access token expiry UTC time '{_token_time(expires)}' is earlier than current "
            f"UTC time '{_token_time(now)}'."
        )
        if auxiliary_client is not None:
            # Azure names the bad auxiliary token's client and tenant (FACTS.md).
            message = (
                f"The access token in the 'x-ms-authorization-auxiliary' header for client "
                f"'{auxiliary_client}' from tenant '{tenant}' has expired. " + message
            )
        return cls._unauthorized(
            "ExpiredAuthenticationToken",
            message,
            tenant,
            "The access token expiry UTC time is earlier than current UTC time.",
        )

    @classmethod
    def wrong_audience(cls, audience: str | None, allowed: tuple[str, ...]) -> ArmError:
        listed = ",".join(f"'{a}'" for a in allowed)
        return cls._unauthorized(
            "InvalidAuthenticationTokenAudience",
            f"The access token has been obtained for wrong audience or resource '{audience}'. "
            f"It should exactly match with one of the allowed audiences {listed}.",
            None,
            "The access token has been obtained for wrong audience or resource.",
        )

    @classmethod
    def wrong_tenant(cls, token_tenant: str, subscription_tenant: str) -> ArmError:
        return cls._unauthorized(
            "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer 'https://sts.windows.net/{token_tenant}/'. "
            f"It must match the tenant 'https://sts.windows.net/{subscription_tenant}/' associated "
            "with this subscription. Please use the authority (URL) "
            f"'https://login.windows.net/{subscription_tenant}' to get the token. Note, if the "
            "subscription is transferred to another tenant there is no impact to the services, "
            "but information about new tenant could take time to propagate (up to an hour). If "
            "you just transferred your subscription and see this error message, please try back "
            "later.",
            subscription_tenant,
            "The access token is from the wrong issuer.",
        )

    # -- 403 -----------------------------------------------------------------------------

    @classmethod
    def authorization_failed(cls, client: str, object_id: str, action: str, scope: str) -> ArmError:
        return cls(
            403,
            "AuthorizationFailed",
            f"The client '{client}' with object id '{object_id}' does not have authorization to "
            f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access "
            "was recently granted, please refresh your credentials.",
        )

    @classmethod
    def linked_authorization_failed(
        cls,
        client: str,
        object_id: str,
        action: str,
        scope: str,
        linked_action: str,
        linked_scope: str,
    ) -> ArmError:
        return cls(
            403,
            "LinkedAuthorizationFailed",
            f"The client '{client}' with object id '{object_id}' has permission to perform action "
            f"'{action}' on scope '{scope}'; however, it does not have permission to perform "
            f"action '{linked_action}' on the linked scope(s) '{linked_scope}' or the linked "
            "scope(s) are invalid.",
        )

    @classmethod
    def linked_tenant_not_authorized(
        cls, client: str, object_id: str, action: str, scope: str, tenant: str, subscription: str
    ) -> ArmError:
        return cls(
            403,
            "LinkedAuthorizationFailed",
            f"The client '{client}' with object id '{object_id}' has permission to perform action "
            f"'{action}' on scope '{scope}', however the current tenant '{tenant}' is not "
            f"authorized to access linked subscription '{subscription}'.",
        )

    @classmethod
    def linked_other_client(
        cls, client: str, object_id: str, action: str, scope: str, tenant: str, aux_client: str
    ) -> ArmError:
        # Worded by the emulator: the auxiliary token must belong to the same application.
        return cls(
            403,
            "LinkedAuthorizationFailed",
            f"The client '{client}' with object id '{object_id}' has permission to perform action "
            f"'{action}' on scope '{scope}'; however, the auxiliary token for tenant '{tenant}' "
            f"was issued to client '{aux_client}', not to '{client}'.",
        )

    # -- 404 / 405 / 409 / 412 -------------------------------------------------------------

    @classmethod
    def subscription_not_found(cls, subscription: str) -> ArmError:
        return cls(
            404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found."
        )

    @classmethod
    def resource_group_not_found(cls, group: str) -> ArmError:
        return cls(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")

    @classmethod
    def account_not_found(cls, name: str, group: str) -> ArmError:
        return cls(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.CognitiveServices/accounts/{name}' under resource group "
            f"'{group}' was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix",
        )

    @classmethod
    def parent_not_found(cls, name: str) -> ArmError:
        return cls(
            404,
            "ParentResourceNotFound",
            "Can not perform requested operation on nested resource. Parent resource "
            f"'{name}' not found.",
        )

    @classmethod
    def not_found(cls, resource_id: str) -> ArmError:
        return cls(404, "NotFound", f"Specified resource '{resource_id}' cannot be found.")

    @classmethod
    def no_route(cls, method: str, path: str) -> ArmError:
        return cls(
            404,
            "InvalidResourceType",
            f"The resource type could not be found for '{method} {path}' on this emulator of "
            "Microsoft.CognitiveServices.",
        )

    @classmethod
    def method_not_allowed(cls, method: str) -> ArmError:
        # The message is Azure's for a method a resource does not serve (quoted in
        # azure-sdk-for-python sdk/network/azure-mgmt-network/tests/test_cli_mgmt_network_ip.py
        # for a PATCH); status 405 and the code are the emulator's.
        return cls(
            405,
            "MethodNotAllowed",
            f"The requested resource does not support http method '{method}'.",
            headers={},
        )

    @classmethod
    def conflict(cls, account_id: str) -> ArmError:
        return cls(
            409,
            "RequestConflict",
            f"Another operation is being performed on the parent resource '{account_id}'. "
            "Please try again later.",
        )

    @classmethod
    def precondition_failed(cls, header: str, value: str) -> ArmError:
        return cls(
            412, "PreconditionFailed", f"The specified precondition '{header} = {value}' failed."
        )

    @classmethod
    def body_too_large(cls) -> ArmError:
        return cls(413, "RequestEntityTooLarge", "The request body is too large.")

    # -- faults ----------------------------------------------------------------------------

    @classmethod
    def throttled(cls, subscription: str, kind: str, retry_after: int | None) -> ArmError:
        wait = retry_after if retry_after is not None else 1
        headers = {f"x-ms-ratelimit-remaining-subscription-{kind}s": "0"}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return cls(
            429,
            "SubscriptionRequestsThrottled",
            f"Number of '{kind}' requests for subscription '{subscription}' exceeded. Please try "
            f"again after '{wait}' seconds after additional tokens are available. Refer to "
            "https://aka.ms/arm-throttling",
            headers=headers,
        )

    @classmethod
    def server_error(
        cls, status: int, retry_after: int | None, code: str | None, message: str | None
    ) -> ArmError:
        default_code = {
            500: "InternalServerError",
            502: "BadGateway",
            503: "ServiceUnavailable",
            504: "GatewayTimeout",
        }[status]
        headers = {}
        if status == 503 and retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return cls(
            status,
            code or default_code,
            message or "Encountered internal server error. Please try again later.",
            headers=headers,
        )
