"""Who is calling: the bearer token and the auxiliary tokens, checked the way ARM checks them.

Authentication only (401 / 400); which roles the caller holds is decided by
:meth:`aoai_deploy.emulator.state.World.permitted`, and the cross-tenant (linked) rules live
with the deployment handlers that need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.tokens import TokenClaims, TokenError, parse

__all__ = ["AUX_HEADER", "MAX_AUX_TOKENS", "Caller", "authenticate", "peek"]

AUX_HEADER = "x-ms-authorization-auxiliary"
MAX_AUX_TOKENS = 3


@dataclass(frozen=True)
class Caller:
    """An authenticated request's identities."""

    token: TokenClaims
    """The bearer token's claims."""
    aux: tuple[TokenClaims, ...] = ()
    """The auxiliary tokens' claims, in header order."""

    @property
    def tenant_id(self) -> str:
        return self.token.tenant_id.lower()

    @property
    def client_type(self) -> str:
        return "Application" if self.token.identity_type == "app" else "User"


def _bearer(value: str) -> str | None:
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _aux_parts(header: str) -> list[str]:
    return [part for part in (p.strip() for p in header.split(",")) if part]


def peek(
    headers: Mapping[str, str],
) -> tuple[tuple[str | None, str | None], list[tuple[str | None, str | None]]]:
    """``(tid, appid)`` of the bearer token and of each auxiliary token, for the request log.

    Never raises: a token that cannot be read gives ``(None, None)``.
    """

    def ids(value: str) -> tuple[str | None, str | None]:
        token = _bearer(value)
        if token is None:
            return None, None
        try:
            claims = parse(token)
        except TokenError:
            return None, None
        return claims.tenant_id, claims.app_id

    primary = ids(headers.get("authorization", ""))
    aux = [ids(part) for part in _aux_parts(headers.get(AUX_HEADER, ""))]
    return primary, aux


def _check(claims: TokenClaims, now: float, audiences: tuple[str, ...], aux: bool) -> None:
    if claims.expires <= now:
        raise ArmError.expired_token(
            claims.expires, now, claims.tenant_id, auxiliary_client=claims.client if aux else None
        )
    if claims.audience not in audiences:
        raise ArmError.wrong_audience(claims.audience, audiences)


def authenticate(headers: Mapping[str, str], now: float, audiences: tuple[str, ...]) -> Caller:
    """The caller behind ``headers`` (lower-cased names), or the :class:`ArmError` ARM sends.

    Auxiliary tokens are checked whenever the header is present: more than three is 400, an
    unreadable one 401 ``AuthenticationFailed``, an expired one 401 naming its client and tenant.
    """
    value = headers.get("authorization")
    if value is None or not value.strip():
        raise ArmError.missing_authorization()
    token = _bearer(value)
    if token is None:
        raise ArmError.invalid_authorization()
    try:
        claims = parse(token)
    except TokenError:
        raise ArmError.invalid_authorization() from None
    _check(claims, now, audiences, aux=False)

    aux_claims: list[TokenClaims] = []
    aux_value = headers.get(AUX_HEADER)
    if aux_value is not None:
        parts = _aux_parts(aux_value)
        if len(parts) > MAX_AUX_TOKENS:
            raise ArmError.too_many_auxiliary_tokens(len(parts))
        if not parts:
            raise ArmError.invalid_authorization(AUX_HEADER)
        for part in parts:
            aux_token = _bearer(part)
            if aux_token is None:
                raise ArmError.invalid_authorization(AUX_HEADER)
            try:
                aux_claims.append(parse(aux_token))
            except TokenError:
                raise ArmError.invalid_authorization(AUX_HEADER) from None
        for item in aux_claims:
            _check(item, now, audiences, aux=True)
    return Caller(claims, tuple(aux_claims))
