"""The credential behind ARM tokens: which azure-identity credential ``aoai-deploy:credential``
builds, and the workload identity that reads its federated token file afresh.

:class:`~.tokens.TokenProvider` asks the credential built here for a token per tenant and
caches it. Nothing here puts a client secret or a credential's raw output into a ``repr``, a
log line or an exception message (:func:`_scrub`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from azure.core.credentials import AccessToken
from azure.identity import ChainedTokenCredential, ClientAssertionCredential

from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.errors import AuthError, ConfigError

__all__ = [
    "CredentialFactory",
    "FederatedTokenFile",
    "FederatedTokenFileCredential",
    "TokenCredentialLike",
    "build_credential",
    "credential_spec",
]

#: Strings shaped like a JWT, which :func:`_scrub` takes out of messages.
_JWT_LIKE: Final = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


class TokenCredentialLike(Protocol):
    """What :class:`~.tokens.TokenProvider` needs of a credential: azure-identity's
    ``get_token``."""

    def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
        """A token for ``scopes``, in ``tenant_id`` (``None``: the credential's own)."""
        ...


#: Builds the credential for a configuration; injectable so tests never touch the network.
CredentialFactory = Callable[[ProviderConfig], TokenCredentialLike]


def credential_spec(config: ProviderConfig) -> tuple[type[Any], dict[str, Any]]:
    """The azure-identity class and keyword arguments for ``config.credential``.

    One credential serves every tenant: it is built with ``additionally_allowed_tenants=["*"]``
    and asked ``get_token(scope, tenant_id=...)`` per tenant, rather than one credential per
    tenant. The tenants come from resource inputs, unknown when the provider is configured;
    ``DefaultAzureCredential`` takes no ``tenant_id`` at all, so it cannot be built per tenant;
    and one credential keeps one MSAL cache, one CLI login and one federated-token reader. The
    per-tenant cache is :class:`~.tokens.TokenProvider`'s. ``"*"`` widens nothing that matters: a
    tenant only issues a token to an identity it knows (a guest, or a multi-tenant app's
    service principal), and :class:`~.tokens.TokenProvider` checks every token's ``tid``.
    """
    # This module, and azure-identity with it, is imported when the first token is acquired
    # (tokens._build_credential): a preview never imports it.
    import azure.identity as identity

    kind = config.credential
    allow_any: dict[str, Any] = {"additionally_allowed_tenants": ["*"]}
    authority: dict[str, Any] = {"authority": config.authority_host}
    if kind == "default":
        kwargs = {**authority, **allow_any}
        if config.client_id:
            # DefaultAzureCredential's workload identity step falls back to this id too.
            kwargs["managed_identity_client_id"] = config.client_id
        return identity.DefaultAzureCredential, kwargs
    if kind == "cli":
        # The CLI takes its cloud from `az cloud set`, not from an authority argument.
        kwargs = dict(allow_any)
        if config.tenant_id:
            kwargs["tenant_id"] = config.tenant_id
        return identity.AzureCliCredential, kwargs
    if kind == "client-secret":
        return identity.ClientSecretCredential, {
            "tenant_id": config.tenant_id,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            **authority,
            **allow_any,
        }
    if kind == "workload-identity":
        # Unset ids fall back to AZURE_TENANT_ID / AZURE_CLIENT_ID, which the AKS webhook and
        # the workflows set; the federated token file always comes from
        # AZURE_FEDERATED_TOKEN_FILE. Not azure-identity's WorkloadIdentityCredential: see
        # FederatedTokenFileCredential for why.
        kwargs = {**authority, **allow_any}
        if config.tenant_id:
            kwargs["tenant_id"] = config.tenant_id
        if config.client_id:
            kwargs["client_id"] = config.client_id
        return FederatedTokenFileCredential, kwargs
    if kind == "managed-identity":
        # A managed identity lives in one tenant of one cloud: no authority, no other tenants
        # (azure-identity ignores tenant_id for it).
        return identity.ManagedIdentityCredential, (
            {"client_id": config.client_id} if config.client_id else {}
        )
    raise ConfigError(f"aoai-deploy:credential '{kind}' has no azure-identity credential")


def build_credential(config: ProviderConfig) -> TokenCredentialLike:
    """The default :data:`CredentialFactory`: :func:`credential_spec`, instantiated.

    Building one touches no network. A credential that cannot be built from what it finds
    (workload identity without its environment) raises :class:`ConfigError`.
    """
    cls, kwargs = credential_spec(config)
    try:
        credential: TokenCredentialLike = cls(**kwargs)
        if isinstance(credential, ChainedTokenCredential):
            _read_federated_tokens_afresh(credential, config)
    except ValueError as exc:
        raise ConfigError(
            f"aoai-deploy:credential '{config.credential}': {cls.__name__} cannot be built: "
            f"{_scrub(str(exc), config)}"
        ) from None
    return credential


def _read_federated_tokens_afresh(chain: ChainedTokenCredential, config: ProviderConfig) -> None:
    """Swap the workload identity step of ``DefaultAzureCredential`` for a
    :class:`FederatedTokenFileCredential` in the same place of the chain.

    DefaultAzureCredential builds its WorkloadIdentityCredential only when the workload
    identity environment is complete (its order, its AZURE_TOKEN_CREDENTIALS selection and
    its error handling stay as they are); the replacement takes the same inputs: the client
    id DefaultAzureCredential was given (``managed_identity_client_id``, else
    AZURE_CLIENT_ID), AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE.
    """
    import azure.identity as identity

    steps = list(chain.credentials)
    for position, step in enumerate(steps):
        if isinstance(step, identity.WorkloadIdentityCredential):
            steps[position] = FederatedTokenFileCredential(
                client_id=config.client_id,
                authority=config.authority_host,
                additionally_allowed_tenants=["*"],
            )
    chain.credentials = tuple(steps)


@dataclass(frozen=True)
class FederatedTokenFile:
    """The client assertion of a workload identity, read from its file at every call.

    ``path`` is AZURE_FEDERATED_TOKEN_FILE: a Kubernetes service account token, or a GitHub
    Actions OIDC token that the workflows renew every 240 s. Surrounding whitespace is dropped
    (``jq --raw-output`` ends the file with a line break; a JWT holds none).
    """

    path: str

    def __call__(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as f:
                assertion = f.read().strip()
        except OSError as exc:
            # Not the file's content, only where it should be: the content is a credential.
            raise AuthError(
                f"cannot read the federated token file {self.path} "
                f"(AZURE_FEDERATED_TOKEN_FILE): {exc.strerror}"
            ) from None
        if not assertion:
            raise AuthError(
                f"the federated token file {self.path} (AZURE_FEDERATED_TOKEN_FILE) is empty: "
                "whatever writes it (the workflow's federated-token step, the AKS webhook) "
                "has not written a token yet"
            )
        return assertion


class FederatedTokenFileCredential(ClientAssertionCredential):
    """azure-identity's ``ClientAssertionCredential`` with a :class:`FederatedTokenFile`:
    a workload identity that reads its token file for every token it asks Entra for.

    azure-identity's own ``WorkloadIdentityCredential`` keeps what it read from the file for
    600 seconds (``TokenFileMixin._get_service_account_token`` in
    azure/identity/_credentials/workload_identity.py, azure-identity 1.19 to 1.27). That suits
    Kubernetes, whose projected tokens live an hour; GitHub's OIDC tokens live minutes, the
    workflows renew the file every 240 s, and a cross-tenant copy often asks for the source
    tenant's token first minutes into a run: a read kept for 600 s is then an expired token,
    and Entra refuses the exchange. ``ClientAssertionCredential`` calls its ``func`` every
    time it requests a token (tokens themselves are still cached per tenant by MSAL's cache
    and by :class:`TokenProvider`).

    Arguments as ``WorkloadIdentityCredential``'s; unset ids come from AZURE_TENANT_ID and
    AZURE_CLIENT_ID, the file from AZURE_FEDERATED_TOKEN_FILE. Raises ``ValueError`` naming
    what is missing.
    """

    def __init__(
        self,
        *,
        tenant_id: str | None = None,
        client_id: str | None = None,
        token_file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        tenant_id = tenant_id or os.environ.get("AZURE_TENANT_ID")
        client_id = client_id or os.environ.get("AZURE_CLIENT_ID")
        token_file_path = token_file_path or os.environ.get("AZURE_FEDERATED_TOKEN_FILE")
        missing = [
            what
            for what, value in (
                ("AZURE_FEDERATED_TOKEN_FILE (the path of the federated token)", token_file_path),
                ("a tenant id (aoai-deploy:tenantId or AZURE_TENANT_ID)", tenant_id),
                ("a client id (aoai-deploy:clientId or AZURE_CLIENT_ID)", client_id),
            )
            if not value
        ]
        if missing or tenant_id is None or client_id is None or token_file_path is None:
            raise ValueError(f"workload identity needs {', '.join(missing)}")
        self.token_file = FederatedTokenFile(token_file_path)
        super().__init__(tenant_id, client_id, self.token_file, **kwargs)


def _scrub(text: str, config: ProviderConfig) -> str:
    """``text`` without anything secret: the client secret, static tokens, JWT-like strings."""
    for secret in (config.client_secret, *(tok for _, tok in config.static_tokens)):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _JWT_LIKE.sub("[redacted token]", text)
