"""ARM tokens per Entra tenant: a thread-safe cache, and cross-tenant checks.

A cross-tenant copy sends two tokens of one identity: the destination tenant's in
``Authorization`` and the source tenant's in ``x-ms-authorization-auxiliary``.
:class:`TokenProvider` gets and caches both; :func:`preflight_cross_tenant` reads their claims
(without verifying them: ARM does that) and refuses, before any request, what ARM would refuse
with a less helpful 401; :func:`auxiliary_header` builds the header.

Tokens come from an azure-identity credential (``aoai-deploy:credential``, built by
:mod:`.credentials`), or from the secret ``aoai-deploy:staticTokens`` (``static``: tokens
minted elsewhere, never refreshed).

Nothing here puts a token, a client secret or a credential's raw output into a ``repr``, a log
line or an exception message: the CLI prints exceptions whole into pull-request comments.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, NoReturn

from azure.core.credentials import AccessToken

from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.credentials import (
    CredentialFactory,
    TokenCredentialLike,
    _scrub,
    build_credential,
)
from aoai_deploy.providers.azure.jwt import decode_payload as _decode_jwt_payload
from aoai_deploy.providers.core.schema import OPENAI_CONTRIBUTOR_ROLE_NAME
from aoai_deploy.providers.errors import AuthError

__all__ = [
    "EXPIRY_MARGIN_SECONDS",
    "MAX_AUXILIARY_TOKENS",
    "REFRESH_BEFORE_SECONDS",
    "TokenProvider",
    "auxiliary_header",
    "preflight_cross_tenant",
    "token_claims",
]

_log = logging.getLogger(__name__)

#: A cached token is replaced when fewer seconds than this are left (azure-core's policies
#: use the same five minutes).
REFRESH_BEFORE_SECONDS: Final = 300
#: A token with fewer seconds than this left counts as expired: it could lapse in flight.
EXPIRY_MARGIN_SECONDS: Final = 60
#: ARM rejects ``x-ms-authorization-auxiliary`` with more tokens than this.
MAX_AUXILIARY_TOKENS: Final = 3

# Characters a bearer token may hold (RFC 6750 b64token); anything else, a comma or a line
# break above all, would corrupt or inject into the header it is put in.
_B64TOKEN: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # whole strings only: fullmatch


# ---------------------------------------------------------------------------------------------
# JWT claims
# ---------------------------------------------------------------------------------------------


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT access token, read WITHOUT verifying its signature.

    Good for routing and early, friendly refusals only (``tid``, ``exp``, ``appid``); ARM
    verifies the token. Raises :class:`AuthError` (without the token) when it is not a JWT.
    """
    claims = _decode_jwt_payload(token)
    if claims is None:
        raise AuthError(
            "the access token is not a JWT (three base64url segments with a JSON payload); "
            "use an ARM access token, e.g. from `az account get-access-token`"
        )
    return claims


def _claim_str(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value.lower() if isinstance(value, str) and value else None


def _claim_exp(claims: dict[str, Any]) -> float | None:
    value = claims.get("exp")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# The token cache
# ---------------------------------------------------------------------------------------------


class TokenProvider:
    """ARM tokens per tenant, cached and refreshed; shared by the provider's worker threads.

    Created inside the plugin process (in ``configure()``, after the provider was unpickled)
    and never pickled: it may hold credential objects and locks, and pickling it raises.
    The credential itself is built on the first token request, not at construction.

    - one cache entry per tenant, replaced when fewer than :data:`REFRESH_BEFORE_SECONDS` are
      left; a failed refresh falls back to the cached token while it is still valid;
    - acquisitions for one tenant are serialized (eight threads asking at once cause one
      ``get_token``), different tenants acquire in parallel;
    - every token a credential returns for a named tenant must carry that tenant's ``tid``;
    - ``static`` serves ``aoai-deploy:staticTokens`` and never refreshes.
    """

    def __init__(
        self,
        config: ProviderConfig,
        *,
        clock: Callable[[], float] = time.time,
        credential_factory: CredentialFactory | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._factory: CredentialFactory = credential_factory or build_credential
        self._credential: TokenCredentialLike | None = None
        self._home: str | None = config.tenant_id
        self._cache: dict[str, AccessToken] = {}
        self._acquisitions: dict[str, int] = {}
        self._lock = threading.Lock()  # guards the dicts and the lock table, held briefly
        self._tenant_locks: dict[str, threading.Lock] = {}
        self._home_lock = threading.Lock()
        self._credential_lock = threading.Lock()

    def __repr__(self) -> str:
        with self._lock:
            tenants = sorted(self._cache)
        return f"TokenProvider(credential={self._config.credential!r}, cached_tenants={tenants!r})"

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError(
            "TokenProvider holds credentials and tokens and is never pickled: create it in "
            "configure() and keep it off the pickled provider"
        )

    @property
    def credential_kind(self) -> str:
        """``aoai-deploy:credential`` of the configuration."""
        return self._config.credential

    @property
    def acquisitions(self) -> dict[str, int]:
        """How many tokens each tenant's credential calls returned (a copy; empty for
        ``static``, which acquires nothing)."""
        with self._lock:
            return dict(self._acquisitions)

    def token(self, tenant_id: str | None) -> str:
        """An ARM access token for ``tenant_id`` (``None`` or empty: the home tenant)."""
        if not tenant_id:
            tenant_id = self.home_tenant()
        tenant = tenant_id.lower()
        if self._config.credential == "static":
            return self._static_token(tenant)

        cached = self._cached(tenant)
        if cached is not None and self._fresh(cached):
            return cached.token
        with self._tenant_lock(tenant):
            # Another thread may have acquired it while this one waited for the lock.
            cached = self._cached(tenant)
            if cached is not None and self._fresh(cached):
                return cached.token
            try:
                return self._acquire(tenant).token
            except AuthError:
                if cached is not None and cached.expires_on - self._clock() > EXPIRY_MARGIN_SECONDS:
                    _log.warning(
                        "refreshing the token for tenant %s failed; using the cached one, "
                        "which expires at %s",
                        tenant,
                        _when(cached.expires_on),
                    )
                    return cached.token
                raise

    def home_tenant(self) -> str:
        """The tenant a resource without ``tenant_id`` deploys into.

        ``aoai-deploy:tenantId`` when set; for ``static``, the tenant of the only token; else
        the ``tid`` of a token acquired without naming a tenant (which is then cached).
        """
        if self._home is not None:
            return self._home
        if self._config.credential == "static":
            tenants = self._config.static_tenants
            if len(tenants) == 1:
                return tenants[0]
            raise AuthError(
                f"aoai-deploy:staticTokens holds tokens for {len(tenants)} tenants "
                f"({', '.join(tenants)}), so a resource must say which one it deploys into: "
                "set `tenant_id` on the resource"
            )
        with self._home_lock:
            if self._home is None:
                access = self._get_token(None)
                claims = _decode_jwt_payload(access.token)
                tid = _claim_str(claims, "tid") if claims is not None else None
                if tid is None:
                    raise AuthError(
                        f"cannot tell the home tenant of credential '{self._config.credential}' "
                        "(its token has no tid claim): set `tenant_id` on the resource"
                    )
                self._store(tid, access)
                self._home = tid
            return self._home

    def invalidate(self, tenant_id: str) -> None:
        """Forget the cached token of ``tenant_id``, e.g. after ARM answered 401 expired."""
        with self._lock:
            self._cache.pop(tenant_id.lower(), None)

    def cross_tenant_tokens(self, destination_tenant: str, source_tenant: str) -> tuple[str, str]:
        """``(destination token, source token)`` for a cross-tenant write, checked by
        :func:`preflight_cross_tenant` (a managed identity is refused before any request)."""
        if self._config.credential == "managed-identity":
            _refuse_managed_identity(destination_tenant, source_tenant)
        destination = self.token(destination_tenant)
        source = self.token(source_tenant)
        preflight_cross_tenant(
            destination_tenant=destination_tenant,
            destination_token=destination,
            source_tenant=source_tenant,
            source_token=source,
            now=self._clock(),
            credential_kind=self._config.credential,
        )
        return destination, source

    # -- internals --------------------------------------------------------------------------

    def _fresh(self, access: AccessToken) -> bool:
        return access.expires_on - self._clock() >= REFRESH_BEFORE_SECONDS

    def _cached(self, tenant: str) -> AccessToken | None:
        with self._lock:
            return self._cache.get(tenant)

    def _tenant_lock(self, tenant: str) -> threading.Lock:
        with self._lock:
            return self._tenant_locks.setdefault(tenant, threading.Lock())

    def _store(self, tenant: str, access: AccessToken) -> None:
        with self._lock:
            self._cache[tenant] = access
            self._acquisitions[tenant] = self._acquisitions.get(tenant, 0) + 1
        _log.debug(
            "acquired an ARM token for tenant %s, expires at %s (in %d s)",
            tenant,
            _when(access.expires_on),
            access.expires_on - self._clock(),
        )

    def _acquire(self, tenant: str) -> AccessToken:
        access = self._get_token(tenant)
        if not _B64TOKEN.fullmatch(access.token):
            # It would go into an Authorization header as it is: a line break there ends the
            # header early (http.client then refuses it, quoting the token in its error).
            raise AuthError(
                f"credential '{self._config.credential}' returned an access token for tenant "
                f"{tenant} that holds characters a bearer token cannot (a line break, a space "
                "or a comma): nothing was sent; check what produces the token"
            )
        claims = _decode_jwt_payload(access.token)
        tid = _claim_str(claims, "tid") if claims is not None else None
        if tid is not None and tid != tenant:
            # A managed identity ignores tenant_id; AZURE_IDENTITY_DISABLE_MULTITENANTAUTH
            # makes every credential ignore it. Either way ARM would answer 401 later.
            hint = (
                _managed_identity_hint()
                if self._config.credential == "managed-identity"
                else "the identity may not exist in that tenant (invite the user as a guest, "
                "or consent the multi-tenant app there), or AZURE_IDENTITY_DISABLE_MULTITENANTAUTH "
                "is set"
            )
            raise AuthError(
                f"asked credential '{self._config.credential}' for a token for tenant {tenant} "
                f"and got one for tenant {tid}: {hint}"
            )
        self._store(tenant, access)
        return access

    def _get_token(self, tenant: str | None) -> AccessToken:
        credential = self._get_credential()
        try:
            if tenant is None:
                return credential.get_token(self._config.token_scope)
            return credential.get_token(self._config.token_scope, tenant_id=tenant)
        except AuthError:
            raise
        except Exception as exc:  # azure-identity raises ClientAuthenticationError and others
            where = f"tenant {tenant}" if tenant else "its home tenant"
            # `from None`: the original exception's text is not scrubbed.
            raise AuthError(
                f"credential '{self._config.credential}' could not get an ARM token for {where}: "
                f"{type(exc).__name__}: {_scrub(str(exc), self._config)}"
            ) from None

    def _get_credential(self) -> TokenCredentialLike:
        with self._credential_lock:
            if self._credential is None:
                self._credential = self._factory(self._config)
            return self._credential

    def _static_token(self, tenant: str) -> str:
        token = self._config.static_token(tenant)
        if token is None:
            raise AuthError(
                f"aoai-deploy:staticTokens has no token for tenant {tenant} (it has "
                f"{', '.join(self._config.static_tenants)}): add one, or set `tenant_id` on "
                "the resource to one of those"
            )
        exp = _claim_exp(token_claims(token))
        now = self._clock()
        if exp is not None and exp - now < EXPIRY_MARGIN_SECONDS:
            state = "expired" if exp <= now else "expires"
            resource = self._config.token_scope.removesuffix("/.default")
            raise AuthError(
                f"the static token for tenant {tenant} {state} at {_when(exp)} and static "
                "tokens are never refreshed: mint a new one (`az account get-access-token "
                f"--tenant {tenant} --resource {resource} "
                "--query accessToken -o tsv`) and set it in aoai-deploy:staticTokens "
                "(`pulumi config set --secret aoai-deploy:staticTokens ...`)"
            )
        return token


# ---------------------------------------------------------------------------------------------
# Cross-tenant checks and the auxiliary header
# ---------------------------------------------------------------------------------------------


def _managed_identity_hint() -> str:
    return (
        "a managed identity lives in one tenant and cannot get tokens for another. To deploy "
        "across tenants, use a multi-tenant app registration with a federated credential that "
        "trusts the managed identity (aoai-deploy:credential workload-identity), give the app "
        "a service principal in both tenants, and grant it "
        f"'{OPENAI_CONTRIBUTOR_ROLE_NAME}' on both the source and the destination account"
    )


def _refuse_managed_identity(destination_tenant: str, source_tenant: str) -> NoReturn:
    raise AuthError(
        f"aoai-deploy:credential is 'managed-identity' but the model comes from tenant "
        f"{source_tenant.lower()} and goes to tenant {destination_tenant.lower()}: "
        f"{_managed_identity_hint()}"
    )


def preflight_cross_tenant(
    *,
    destination_tenant: str,
    destination_token: str,
    source_tenant: str,
    source_token: str,
    now: float,
    credential_kind: str | None = None,
    margin: float = EXPIRY_MARGIN_SECONDS,
) -> None:
    """Refuse, with an :class:`AuthError` that says what to do, a cross-tenant write that ARM
    would reject: a token whose ``tid`` is not its tenant, a token that is expired or expires
    within ``margin`` seconds, tokens of two different apps (``appid``/``azp``), or a managed
    identity (``credential_kind``) asked to cross tenants. Claims are read, not verified.
    """
    if (
        credential_kind == "managed-identity"
        and destination_tenant.lower() != source_tenant.lower()
    ):
        _refuse_managed_identity(destination_tenant, source_tenant)
    apps: dict[str, str | None] = {}
    for role, tenant, token in (
        ("destination", destination_tenant, destination_token),
        ("source", source_tenant, source_token),
    ):
        tenant = tenant.lower()
        header = "Authorization" if role == "destination" else "x-ms-authorization-auxiliary"
        try:
            claims = token_claims(token)
        except AuthError:
            raise AuthError(
                f"the {role} token (for tenant {tenant}, sent in {header}) is not a JWT: "
                "use an ARM access token"
            ) from None
        tid = _claim_str(claims, "tid")
        if tid != tenant:
            raise AuthError(
                f"the {role} token (sent in {header}) must be for tenant {tenant} but "
                + (f"was issued by tenant {tid}" if tid else "has no tid claim")
                + f": get a token for {tenant} (`az account get-access-token --tenant {tenant}`)"
            )
        exp = _claim_exp(claims)
        if exp is None:
            raise AuthError(
                f"the {role} token for tenant {tenant} has no exp claim: use an ARM access token"
            )
        if exp - now < margin:
            state = "expired" if exp <= now else "expires within a minute,"
            raise AuthError(
                f"the {role} token for tenant {tenant} {state} at {_when(exp)}: get a new one "
                "(for aoai-deploy:staticTokens, mint and set a fresh token)"
            )
        apps[role] = _claim_str(claims, "appid") or _claim_str(claims, "azp")
    destination_app, source_app = apps["destination"], apps["source"]
    if destination_app and source_app and destination_app != source_app:
        raise AuthError(
            f"the destination token (tenant {destination_tenant.lower()}) was issued to app "
            f"{destination_app} and the source token (tenant {source_tenant.lower()}) to app "
            f"{source_app}: ARM needs one identity in both tenants (a guest user, or a "
            "multi-tenant app with a service principal in each), holding "
            f"'{OPENAI_CONTRIBUTOR_ROLE_NAME}' on both accounts"
        )


def auxiliary_header(tokens: Sequence[str]) -> str:
    """The value of ``x-ms-authorization-auxiliary``: ``Bearer t1, Bearer t2``.

    ARM takes one to :data:`MAX_AUXILIARY_TOKENS` tokens; more, none, or a token with
    characters a bearer token cannot hold raise :class:`AuthError`.
    """
    if isinstance(tokens, str):
        raise TypeError("auxiliary_header takes a sequence of tokens, not one string")
    if not tokens:
        raise AuthError("x-ms-authorization-auxiliary needs at least one token")
    if len(tokens) > MAX_AUXILIARY_TOKENS:
        raise AuthError(
            f"x-ms-authorization-auxiliary takes at most {MAX_AUXILIARY_TOKENS} tokens and "
            f"{len(tokens)} were given: ARM rejects more; deploy from at most "
            f"{MAX_AUXILIARY_TOKENS} other tenants per request"
        )
    for number, token in enumerate(tokens, start=1):
        if not _B64TOKEN.fullmatch(token):
            raise AuthError(
                f"auxiliary token number {number} is empty or holds characters a bearer token "
                "cannot (spaces, commas, line breaks): use the access token exactly as issued"
            )
    return ", ".join(f"Bearer {token}" for token in tokens)
