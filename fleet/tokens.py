"""Credentials per tenant for a fleet run: what each customer's stack gets as provider config.

One identity usually deploys for every customer (a multi-tenant app with a service principal
in each tenant). Left to itself, each stack's plugin process would sign in on its own: one
token per tenant per *stack*. The fleet does better where the credential allows:

- **Shared** (``shareTokens``, the default, for every kind but ``static``): the runner builds
  the credential once, in its own process, with the provider's own code
  (:class:`~aoai_deploy.providers.azure.tokens.TokenProvider`), asks it for one token per
  tenant, and hands each stack the tokens of its two tenants (the customer's and the
  source's) as ``aoai-deploy:credential static`` + ``aoai-deploy:staticTokens``. The tokens
  reach the stack as a **secret** config value, set with ``pulumi config set --secret`` on
  the CLI's standard input (never its command line): the CLI encrypts it with the stack's
  secrets provider before it touches the stack file, so it exists unencrypted only in the
  runner's memory, the CLI's, and the plugin's (which keeps it out of state, outputs, logs
  and errors, as it does for any static token). The report holds none. After the run the
  runner removes the key from every stack file; the backend's update history keeps the
  ciphertext of what each update ran with, which a leaked passphrase would open to tokens
  that expired long before.
- **What expires:** an Entra access token lives 60 to 90 minutes, and the plugin never
  refreshes a static token. So before each customer starts, the runner checks the tokens it
  holds: one with less than ``min_lifetime`` seconds left (default 1800, the provider's
  default operation deadline) is acquired again. A stack that could run longer than that
  (very slow provisioning, many deployments into one account) should set
  ``shareTokens: false``.
- **Per stack** (``shareTokens: false``, and every *preview*, which sends no request and
  needs no token): each stack gets the credential itself (``aoai-deploy:credential`` and its
  ``clientId``/``tenantId``; a client secret from the environment variable named, again as a
  secret set on stdin), and each plugin signs in for itself: one token per tenant per stack,
  refreshed by the plugin. ``static`` tokens are the same strings either way.

Where sharing is impossible: a GitHub Actions matrix runs each customer in its own job with
its own OIDC identity, so each job signs in for its own customer (tokens per tenant = jobs in
that tenant), and a managed identity never signs in to another tenant at all.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from aoai_deploy.fleet.spec import Credential, Customer, Fleet
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.credentials import CredentialFactory
from aoai_deploy.providers.azure.tokens import TokenProvider, token_claims
from aoai_deploy.providers.errors import AoaiDeployError

__all__ = ["DEFAULT_MIN_LIFETIME_SECONDS", "ProviderSettings", "TokenBroker", "TokenSetupError"]

#: A shared token with less than this left is acquired again before a customer starts.
DEFAULT_MIN_LIFETIME_SECONDS: Final = 1800
_NS: Final = "aoai-deploy"


class TokenSetupError(ValueError):
    """A credential cannot be used as the fleet file names it (found before anything runs)."""


@dataclass(frozen=True)
class ProviderSettings:
    """One stack's ``aoai-deploy:*`` config: ``plain`` values and ``secret`` ones."""

    plain: Mapping[str, str]
    secret: Mapping[str, str]

    def __repr__(self) -> str:
        return f"ProviderSettings(plain={dict(self.plain)!r}, secret={sorted(self.secret)!r})"


class TokenBroker:
    """The provider settings for each customer's stack, tokens shared per tenant and run."""

    def __init__(
        self,
        fleet: Fleet,
        azure: Mapping[str, str],
        *,
        environ: Mapping[str, str] | None = None,
        min_lifetime: float = DEFAULT_MIN_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
        credential_factory: CredentialFactory | None = None,
    ) -> None:
        self._fleet = fleet
        self._azure = {k: v for k, v in azure.items() if v}
        self._environ = os.environ if environ is None else environ
        self._min_lifetime = min_lifetime
        self._clock = clock
        self._factory = credential_factory
        self._providers: dict[str, TokenProvider] = {}
        self._lock = threading.Lock()
        self._static: dict[str, dict[str, str]] = {}

    def check(self, customers: list[Customer], *, shared: bool) -> None:
        """Everything the environment must supply for these customers, before anything runs:
        each static credential's tokens (one per tenant it is used for), each client secret.
        Raises :class:`TokenSetupError` listing every problem."""
        problems: list[str] = []
        for customer in customers:
            credential = customer.credential
            if credential.kind == "static":
                tokens = self._static_tokens(credential, problems)
                for tenant in (customer.tenant_id, customer.source_tenant_id):
                    if tokens is not None and tenant not in tokens:
                        problems.append(
                            f"credentials.{credential.name}: ${credential.tokens_env} has no "
                            f"token for tenant {tenant} (customer {customer.key})"
                        )
            elif credential.client_secret_env and not self._environ.get(
                credential.client_secret_env
            ):
                problems.append(
                    f"credentials.{credential.name}: ${credential.client_secret_env} is not set "
                    "(it holds the app's client secret)"
                )
        if problems:
            raise TokenSetupError("\n".join(dict.fromkeys(problems)))
        del shared

    def settings(self, customer: Customer, *, sign_in_here: bool) -> ProviderSettings:
        """The ``aoai-deploy:*`` config of ``customer``'s stack. ``sign_in_here``: tokens
        acquired (or reused) by this process for a shared credential; otherwise the stack's
        plugin signs in itself (or, in a preview, never)."""
        credential = customer.credential
        plain = {f"{_NS}:{key}": value for key, value in self._azure.items()}
        tenants = (customer.tenant_id, customer.source_tenant_id)
        if credential.kind == "static":
            tokens = self._static_tokens(credential, [])
            assert tokens is not None  # check() ran first
            plain[f"{_NS}:credential"] = "static"
            return ProviderSettings(plain, {f"{_NS}:staticTokens": _tokens_json(tokens, tenants)})
        if sign_in_here and credential.share_tokens:
            provider = self._provider(credential)
            tokens = {tenant: self._fresh_token(provider, tenant) for tenant in tenants}
            plain[f"{_NS}:credential"] = "static"
            return ProviderSettings(plain, {f"{_NS}:staticTokens": _tokens_json(tokens, tenants)})
        plain.update(_credential_keys(credential))
        secret = {}
        if credential.client_secret_env:
            secret[f"{_NS}:clientSecret"] = self._environ[credential.client_secret_env]
        return ProviderSettings(plain, secret)

    @property
    def acquisitions(self) -> dict[str, int]:
        """Tokens this process acquired per tenant, all credentials together."""
        counts: dict[str, int] = {}
        with self._lock:
            providers = list(self._providers.values())
        for provider in providers:
            for tenant, count in provider.acquisitions.items():
                counts[tenant] = counts.get(tenant, 0) + count
        return counts

    # -- internals ----------------------------------------------------------------------------

    def _static_tokens(self, credential: Credential, problems: list[str]) -> dict[str, str] | None:
        with self._lock:
            if credential.name in self._static:
                return self._static[credential.name]
        name = credential.tokens_env or ""
        raw = self._environ.get(name)
        where = f"credentials.{credential.name}"
        if not raw:
            problems.append(
                f"{where}: ${name} is not set (a JSON object {{tenant id: access token}})"
            )
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
        ):
            # Not the value: it is a secret.
            problems.append(f"{where}: ${name} is not a JSON object {{tenant id: access token}}")
            return None
        tokens = {k.lower(): v for k, v in value.items()}
        with self._lock:
            self._static[credential.name] = tokens
        return tokens

    def _provider(self, credential: Credential) -> TokenProvider:
        with self._lock:
            provider = self._providers.get(credential.name)
            if provider is None:
                values = {**_credential_keys(credential)}
                if "cloud" in self._azure:
                    values[f"{_NS}:cloud"] = self._azure["cloud"]
                if credential.client_secret_env:
                    values[f"{_NS}:clientSecret"] = self._environ[credential.client_secret_env]
                config = ProviderConfig.from_getter(values.get)
                provider = TokenProvider(
                    config, clock=self._clock, credential_factory=self._factory
                )
                self._providers[credential.name] = provider
            return provider

    def _fresh_token(self, provider: TokenProvider, tenant: str) -> str:
        token = provider.token(tenant)
        if self._left(token) < self._min_lifetime:
            provider.invalidate(tenant)
            token = provider.token(tenant)
        return token

    def _left(self, token: str) -> float:
        try:
            exp = token_claims(token).get("exp")
        except AoaiDeployError:
            return float("inf")  # not a JWT: nothing to say about its lifetime
        return float(exp) - self._clock() if isinstance(exp, int | float) else float("inf")


def _credential_keys(credential: Credential) -> dict[str, str]:
    keys = {f"{_NS}:credential": credential.kind}
    if credential.client_id:
        keys[f"{_NS}:clientId"] = credential.client_id
    if credential.tenant_id:
        keys[f"{_NS}:tenantId"] = credential.tenant_id
    return keys


def _tokens_json(tokens: Mapping[str, str], tenants: tuple[str, ...]) -> str:
    """Only the stack's own tenants' tokens: a stack never holds another customer's."""
    return json.dumps({tenant: tokens[tenant] for tenant in dict.fromkeys(tenants)})
