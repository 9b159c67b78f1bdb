"""The provider configuration: the ``aoai-deploy:*`` stack config, validated once.

The fronts read it where the engine configures the provider, inside the plugin process::

    config = ProviderConfig.from_getter(values.get, keys=values, plaintext=not_secret)

``get(key)`` returns the plain string (secrets arrive decrypted) or ``None``; ``keys`` lists
every key the front received, so that a key of the namespace that is no setting is refused
(:mod:`.namespace`), and ``plaintext`` the keys that arrived without the secret flag, so that
a secret setting stored in plain text is refused. A front that cannot tell passes ``None``.
Nothing here reads the environment: what a stack does depends only on its config.

The keys and what they mean are the table
:data:`~aoai_deploy.providers.core.schema.CONFIG_FIELDS` (the README lists it).

Tokens go to the configured cloud's own ARM endpoint or to a loopback address. Any other
``armEndpoint`` (another cloud's ARM included: its tokens are not that cloud's) is accepted
only with ``allowCustomEndpoint`` or with static tokens that are unsigned (``alg: none``, as
the local emulator mints them: worthless anywhere else), and then a warning names the host.

Every :class:`~aoai_deploy.providers.errors.ConfigError` names the key and says what to set;
one error names every problem of one configuration, and none repeats a secret.
:class:`ProviderConfig` holds secrets, so it keeps them out of its ``repr`` and refuses to be
pickled: it must never end up on the pickled provider.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn
from urllib.parse import urlsplit

from aoai_deploy.providers.azure.clouds import CLOUDS, Cloud, _custom_host, _format_host, cloud_of
from aoai_deploy.providers.azure.jwt import decode_payload, is_unsigned
from aoai_deploy.providers.azure.namespace import (
    CONFIG_KEYS,
    NAMESPACE,
    plaintext_secrets,
    unknown_keys,
)
from aoai_deploy.providers.errors import ConfigError

__all__ = [
    "CONFIG_KEYS",
    "CREDENTIAL_KINDS",
    "PREFLIGHT_MODES",
    "ProviderConfig",
]


_NS: Final = NAMESPACE
KEY_CLOUD: Final = f"{_NS}:cloud"
KEY_ARM_ENDPOINT: Final = f"{_NS}:armEndpoint"
KEY_ALLOW_CUSTOM_ENDPOINT: Final = f"{_NS}:allowCustomEndpoint"
KEY_CA_BUNDLE: Final = f"{_NS}:caBundle"
KEY_CREDENTIAL: Final = f"{_NS}:credential"
KEY_CLIENT_ID: Final = f"{_NS}:clientId"
KEY_CLIENT_SECRET: Final = f"{_NS}:clientSecret"
KEY_TENANT_ID: Final = f"{_NS}:tenantId"
KEY_STATIC_TOKENS: Final = f"{_NS}:staticTokens"
KEY_PREFLIGHT: Final = f"{_NS}:preflight"

#: ``off``: no preflight; ``up``: before the first write of an update; ``always``: also when
#: inputs are checked, so in `pulumi preview` too (the provider cannot tell a preview's check
#: from an update's).
PREFLIGHT_MODES: Final[tuple[str, ...]] = ("off", "up", "always")

_log = logging.getLogger(__name__)


CREDENTIAL_KINDS: Final[tuple[str, ...]] = (
    "default",
    "cli",
    "client-secret",
    "workload-identity",
    "managed-identity",
    "static",
)

# Which optional keys each credential kind uses; setting one it does not use is refused, since
# a value that silently does nothing (a secret above all) is a mistake the user wants to hear of.
_USES_CLIENT_ID: Final = frozenset(
    {"default", "client-secret", "workload-identity", "managed-identity"}
)
_USES_TENANT_ID: Final = frozenset({"cli", "client-secret", "workload-identity"})

# Matched with fullmatch only: `$` would also accept a value ending in a line break.
_GUID: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class ProviderConfig:
    """The validated ``aoai-deploy:*`` configuration.

    Secret fields (``client_secret``, ``static_tokens``) are left out of ``repr``. Build it
    with :meth:`from_getter`; the other fields are plain and safe to log.
    """

    cloud: str = CLOUDS["azurecloud"].name
    """Canonical cloud name."""
    arm_endpoint: str = CLOUDS["azurecloud"].arm_endpoint
    """ARM base URL requests go to: ``https://host[:port]``, no trailing slash."""
    authority_host: str = CLOUDS["azurecloud"].authority_host
    """Microsoft Entra authority host of the cloud."""
    token_scope: str = CLOUDS["azurecloud"].token_scope
    """Scope of ARM tokens: the cloud's ARM, also when ``arm_endpoint`` is overridden."""
    ca_bundle: str | None = None
    """Absolute path of a PEM CA bundle for ``arm_endpoint``; ``None`` = system trust."""
    credential: str = "default"
    """One of :data:`CREDENTIAL_KINDS`."""
    client_id: str | None = None
    """Application (client) id, or a user-assigned managed identity's client id."""
    tenant_id: str | None = None
    """Home tenant of the identity (lower-case GUID) when configured."""
    client_secret: str | None = field(default=None, repr=False)
    """Secret of the application for ``client-secret``."""
    static_tokens: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """``(tenant id, access token)`` pairs for ``static``; tenant ids lower-case."""
    preflight: str = "off"
    """One of :data:`PREFLIGHT_MODES`."""

    @classmethod
    def from_getter(
        cls,
        get: Callable[[str], str | None],
        *,
        keys: Iterable[str] | None = None,
        plaintext: Collection[str] | None = None,
    ) -> ProviderConfig:
        """Read and validate every ``aoai-deploy:*`` key through ``get`` (e.g.
        ``req.config.get``). ``keys``: every key of the configuration (any namespace), where
        the caller has them; ``plaintext``: the keys whose value arrived without the secret
        flag, where the caller can tell. Raises one :class:`ConfigError` naming every
        problem."""
        problems: list[str] = []

        def value(key: str) -> str | None:
            raw = get(key)
            # `pulumi config set key ""` stores an empty string: the same as unset.
            return raw.strip() if raw is not None and raw.strip() else None

        if keys is not None:
            problems += unknown_keys(keys)
        if plaintext is not None:
            problems += plaintext_secrets(
                plaintext, {k for k in (KEY_CLIENT_SECRET, KEY_STATIC_TOKENS) if value(k)}
            )

        cloud = _parse_cloud(value(KEY_CLOUD), problems)
        arm_endpoint = cloud.arm_endpoint
        override = value(KEY_ARM_ENDPOINT)
        if override is not None:
            arm_endpoint = _parse_arm_endpoint(override, problems) or arm_endpoint
        ca_bundle = _parse_ca_bundle(value(KEY_CA_BUNDLE), problems)

        kind = (value(KEY_CREDENTIAL) or "default").lower()
        known_kind = kind in CREDENTIAL_KINDS
        if not known_kind:
            # The keys each kind uses are not checked against a kind that does not exist:
            # they would only add problems that go away with the right kind.
            problems.append(
                f"{KEY_CREDENTIAL} is '{value(KEY_CREDENTIAL)}', which is not a credential kind: "
                f"set it to one of {', '.join(CREDENTIAL_KINDS)} "
                f"(`pulumi config set {KEY_CREDENTIAL} cli`)"
            )

        client_id = value(KEY_CLIENT_ID)
        client_secret = value(KEY_CLIENT_SECRET)
        tenant_id = value(KEY_TENANT_ID)
        raw_static = value(KEY_STATIC_TOKENS)

        if client_id is not None:
            if known_kind and kind not in _USES_CLIENT_ID:
                problems.append(_unused(KEY_CLIENT_ID, kind, "client-secret"))
            elif not _GUID.fullmatch(client_id):
                problems.append(
                    # Not quoted: a secret pasted into the wrong key must not be echoed.
                    f"{KEY_CLIENT_ID} is not a GUID: set it to the "
                    f"application (client) id, e.g. `pulumi config set {KEY_CLIENT_ID} "
                    f"00000000-0000-0000-0000-000000000000`"
                )
        elif kind == "client-secret":
            problems.append(_missing(kind, KEY_CLIENT_ID, secret=False, what="<application-id>"))

        if client_secret is not None:
            if known_kind and kind != "client-secret":
                problems.append(_unused(KEY_CLIENT_SECRET, kind, "client-secret"))
        elif kind == "client-secret":
            problems.append(_missing(kind, KEY_CLIENT_SECRET, secret=True, what="<value>"))

        if tenant_id is not None:
            if known_kind and kind not in _USES_TENANT_ID:
                problems.append(_unused(KEY_TENANT_ID, kind, "client-secret"))
            elif not _GUID.fullmatch(tenant_id):
                problems.append(
                    f"{KEY_TENANT_ID} is not a GUID: set it to the "
                    f"directory (tenant) id, e.g. from `az account show --query tenantId`"
                )
            else:
                tenant_id = tenant_id.lower()
        elif kind == "client-secret":
            # azure-identity builds a client-secret credential for one home tenant; the app's
            # home tenant cannot be derived from its client id alone.
            problems.append(_missing(kind, KEY_TENANT_ID, secret=False, what="<tenant-id>"))

        static_tokens: tuple[tuple[str, str], ...] = ()
        if raw_static is not None:
            if kind == "static":
                static_tokens = _parse_static_tokens(raw_static, problems)
            elif known_kind:
                problems.append(_unused(KEY_STATIC_TOKENS, kind, "static"))
        elif kind == "static":
            problems.append(
                _missing(
                    kind, KEY_STATIC_TOKENS, secret=True, what='\'{"<tenant-id>": "<token>"}\''
                )
            )

        preflight = (value(KEY_PREFLIGHT) or "off").lower()
        if preflight not in PREFLIGHT_MODES:
            problems.append(
                f"{KEY_PREFLIGHT} is '{value(KEY_PREFLIGHT)}', which is not a preflight mode: set "
                "it to off (the default), up (read quota and models before the first write of "
                "`pulumi up`) or always (in `pulumi preview` too): "
                f"`pulumi config set {KEY_PREFLIGHT} up`"
            )

        allowed = _parse_flag(KEY_ALLOW_CUSTOM_ENDPOINT, value(KEY_ALLOW_CUSTOM_ENDPOINT), problems)
        if allowed is not None and override is None:
            problems.append(
                f"{KEY_ALLOW_CUSTOM_ENDPOINT} is set but {KEY_ARM_ENDPOINT} is not, so it does "
                f"nothing: remove it (`pulumi config rm {KEY_ALLOW_CUSTOM_ENDPOINT}`)"
            )
        custom_host = _custom_host(arm_endpoint, cloud)
        reason = ""
        if custom_host is not None and known_kind:
            if allowed:
                reason = f"{KEY_ALLOW_CUSTOM_ENDPOINT} true"
            elif (
                kind == "static"
                and static_tokens
                and all(is_unsigned(token) for _, token in static_tokens)
            ):
                reason = "unsigned static tokens"
            elif kind != "static" or static_tokens:  # else its tokens are refused already
                problems.append(_endpoint_refused(arm_endpoint, custom_host, cloud, kind))

        if problems:
            _raise(problems)
        if custom_host is not None:
            other = cloud_of(arm_endpoint)
            _log.warning(
                "%s: ARM requests and their tokens go to %s, which is %s (allowed: %s)",
                KEY_ARM_ENDPOINT,
                custom_host,
                "not an Azure cloud's ARM endpoint"
                if other is None
                else f"the ARM endpoint of {other.name}, not of {cloud.name}",
                reason,
            )
        return cls(
            cloud=cloud.name,
            arm_endpoint=arm_endpoint,
            authority_host=cloud.authority_host,
            token_scope=cloud.token_scope,
            ca_bundle=ca_bundle,
            credential=kind,
            client_id=client_id.lower() if client_id else None,
            tenant_id=tenant_id,
            client_secret=client_secret,
            static_tokens=static_tokens,
            preflight=preflight,
        )

    @property
    def host(self) -> str:
        """``host[:port]`` of :attr:`arm_endpoint` (lower-case; port only when not 443): the
        one place tokens may be sent. Prefer :meth:`is_arm_url` to compare a URL with it."""
        return self.arm_endpoint.removeprefix("https://")

    @property
    def verify(self) -> str | bool:
        """The ``verify=`` argument for ``requests``: the CA bundle, else system trust."""
        return self.ca_bundle if self.ca_bundle is not None else True

    @property
    def static_tenants(self) -> tuple[str, ...]:
        """Tenant ids that have a static token (lower-case), in config order."""
        return tuple(t for t, _ in self.static_tokens)

    def static_token(self, tenant_id: str) -> str | None:
        """The static token for ``tenant_id`` (any case), or ``None``."""
        wanted = tenant_id.lower()
        return next((tok for t, tok in self.static_tokens if t == wanted), None)

    def is_arm_url(self, url: str) -> bool:
        """Whether ``url`` points at the configured ARM endpoint: https, same host, same port.
        The HTTP layer asks this before attaching a token to any URL ARM handed back."""
        try:
            parts = urlsplit(url)
            port = parts.port or 443
        except ValueError:
            return False
        if parts.scheme.lower() != "https" or parts.username or parts.password:
            return False
        return _format_host(parts.hostname or "", port) == self.host

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        # Pickling would write the client secret or the static tokens into stack state.
        raise TypeError(
            "ProviderConfig holds secrets and is never pickled: build it in configure() "
            "and keep it off the pickled provider"
        )


def _raise(problems: list[str]) -> NoReturn:
    if len(problems) == 1:
        raise ConfigError(problems[0])
    raise ConfigError(
        "the aoai-deploy provider configuration has problems:\n"
        + "\n".join(f"  - {p}" for p in problems)
    )


def _missing(kind: str, key: str, *, secret: bool, what: str) -> str:
    flag = "--secret " if secret else ""
    return (
        f"{KEY_CREDENTIAL} is '{kind}' but {key} is not set: "
        f"run `pulumi config set {flag}{key} {what}`"
    )


def _unused(key: str, kind: str, used_by: str) -> str:
    return (
        f"{key} is set but {KEY_CREDENTIAL} is '{kind}', which does not use it: "
        f"remove it (`pulumi config rm {key}`) or set {KEY_CREDENTIAL} to a kind that "
        f"uses it, such as '{used_by}'"
    )


def _endpoint_refused(arm_endpoint: str, host: str, cloud: Cloud, kind: str) -> str:
    opt_in = (
        f"to send them to {host} on purpose, run "
        f"`pulumi config set {KEY_ALLOW_CUSTOM_ENDPOINT} true`"
    )
    other = cloud_of(arm_endpoint)
    if other is not None:
        return (
            f"{KEY_ARM_ENDPOINT} is '{arm_endpoint}', the ARM endpoint of {other.name}, but "
            f"{KEY_CLOUD} is {cloud.name}, whose tokens it would get. For {other.name}, run "
            f"`pulumi config set {KEY_CLOUD} {other.name}` and remove {KEY_ARM_ENDPOINT} "
            f"(`pulumi config rm {KEY_ARM_ENDPOINT}`); {opt_in}"
        )
    if kind == "static":
        return (
            f"{KEY_ARM_ENDPOINT} is '{arm_endpoint}', which is not the ARM endpoint of an "
            f"Azure cloud, and {KEY_STATIC_TOKENS} holds signed tokens (real Entra tokens, "
            "not the unsigned ones a local emulator mints), which would be sent there. For a "
            "local emulator use a loopback address (https://127.0.0.1:<port>) or its "
            f"unsigned tokens; {opt_in}"
        )
    return (
        f"{KEY_ARM_ENDPOINT} is '{arm_endpoint}', which is not the ARM endpoint of an "
        f"Azure cloud: credential '{kind}' would send it real Entra tokens. For a "
        "local emulator use a loopback address (https://127.0.0.1:<port>); with "
        f"unsigned tokens minted for it, use `{KEY_CREDENTIAL} static`; {opt_in}"
    )


def _parse_cloud(raw: str | None, problems: list[str]) -> Cloud:
    if raw is None:
        return CLOUDS["azurecloud"]
    cloud = CLOUDS.get(raw.lower())
    if cloud is None:
        problems.append(
            f"{KEY_CLOUD} is '{raw}', which is not a known cloud: set it to one of "
            f"{', '.join(c.name for c in CLOUDS.values())} "
            f"(`pulumi config set {KEY_CLOUD} AzureCloud`)"
        )
        return CLOUDS["azurecloud"]
    return cloud


def _parse_arm_endpoint(raw: str, problems: list[str]) -> str | None:
    fix = f"set it to the base URL only, e.g. `pulumi config set {KEY_ARM_ENDPOINT} https://127.0.0.1:8443`"
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        problems.append(f"{KEY_ARM_ENDPOINT} is not a valid URL (bad host or port): {fix}")
        return None
    if parts.username is not None or parts.password is not None:
        # The value itself is not repeated: user info may be a password.
        problems.append(f"{KEY_ARM_ENDPOINT} carries user info (user@ or user:password@): {fix}")
        return None
    scheme = parts.scheme.lower()
    if scheme == "http":
        problems.append(
            f"{KEY_ARM_ENDPOINT} is '{raw}': plain http is refused because bearer tokens would "
            f"cross the network unencrypted; use an https:// URL (for a local emulator, also "
            f"set {KEY_CA_BUNDLE} to its certificate)"
        )
        return None
    if scheme != "https" or not parts.hostname:
        problems.append(f"{KEY_ARM_ENDPOINT} is '{raw}', which is not an https:// URL: {fix}")
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or raw.endswith(("?", "#")):
        problems.append(
            f"{KEY_ARM_ENDPOINT} is '{raw}': it may not have a path, query or fragment, since "
            f"ARM paths are appended to it: {fix}"
        )
        return None
    return f"https://{_format_host(parts.hostname, port or 443)}"


def _parse_flag(key: str, raw: str | None, problems: list[str]) -> bool | None:
    """``true``/``false`` in any case (what `pulumi config set` stores), ``None`` when unset."""
    if raw is None:
        return None
    flag = {"true": True, "false": False}.get(raw.lower())
    if flag is None:
        problems.append(f"{key} must be true or false: `pulumi config set {key} true`")
    return flag


def _parse_ca_bundle(raw: str | None, problems: list[str]) -> str | None:
    if raw is None:
        return None
    path = os.path.abspath(os.path.expanduser(raw))
    fix = f"`pulumi config set {KEY_CA_BUNDLE} <path to a PEM file>`"
    if not os.path.isfile(path):
        problems.append(f"{KEY_CA_BUNDLE} is '{raw}', which is not an existing file: {fix}")
        return None
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        problems.append(
            f"{KEY_CA_BUNDLE} is '{raw}', which cannot be read ({exc.strerror}): "
            f"make it readable or {fix}"
        )
        return None
    if "-----BEGIN CERTIFICATE-----" not in text:
        problems.append(
            f"{KEY_CA_BUNDLE} is '{raw}', which holds no PEM certificate "
            f"('-----BEGIN CERTIFICATE-----'): {fix}"
        )
        return None
    return path


def _parse_static_tokens(raw: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    # Never quote the raw value or a token in these messages: both are secrets.
    fix = (
        f"run `pulumi config set --secret {KEY_STATIC_TOKENS} "
        '\'{"<tenant-id>": "<access token>", ...}\'`'
    )
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        problems.append(f"{KEY_STATIC_TOKENS} is not valid JSON{where}: {fix}")
        return ()
    if not isinstance(parsed, dict) or not parsed:
        problems.append(
            f"{KEY_STATIC_TOKENS} must be a non-empty JSON object of tenant id to token: {fix}"
        )
        return ()
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, (tenant, token) in enumerate(parsed.items(), start=1):
        if not _GUID.fullmatch(tenant):
            # The key is not quoted either: keys and values swapped would put a token there.
            problems.append(
                f"{KEY_STATIC_TOKENS}: key number {number} is not a tenant id (a GUID): {fix}"
            )
            continue
        tenant = tenant.lower()
        if tenant in seen:
            problems.append(f"{KEY_STATIC_TOKENS} names tenant {tenant} twice: keep one token")
            continue
        seen.add(tenant)
        claims = decode_payload(token) if isinstance(token, str) else None
        if not isinstance(token, str) or claims is None:
            problems.append(
                f"{KEY_STATIC_TOKENS}: the value for tenant {tenant} is not an access token "
                f"(a JWT, header.payload.signature): mint one with `az account get-access-token "
                f"--tenant {tenant} --query accessToken -o tsv` and {fix}"
            )
            continue
        tid = claims.get("tid")
        if isinstance(tid, str) and tid.lower() != tenant:
            problems.append(
                f"{KEY_STATIC_TOKENS}: the token under tenant {tenant} was issued by tenant "
                f"{tid.lower()}: put it under that tenant id, or mint one for {tenant}"
            )
            continue
        pairs.append((tenant, token))
    return tuple(pairs)
