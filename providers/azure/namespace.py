"""The ``aoai-deploy`` config namespace is the provider's: which keys are settings, which
settings must arrive as secrets, and that a plugin process takes one configuration.

The settings are those of the one table that documents them,
:data:`~aoai_deploy.providers.core.schema.CONFIG_FIELDS` (the README's table and the package
schema are checked against it). Any other ``aoai-deploy:<key>`` is a mistake the user wants to
hear of, a misspelt setting above all (silently ignored, ``armEndpont`` would send the
deployments to the public cloud after minutes of retries), so it is refused with the nearest
setting. The secret settings (``clientSecret``, ``staticTokens``) set without ``--secret`` sit
in plain text in the stack's config file and, for the package's provider, in the stack's
state: they are refused with the command that stores them as secrets.

:class:`~.config.ProviderConfig` adds these problems to the others it collects, so that one
run names them all.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import threading
from collections.abc import Collection, Iterable, Mapping
from typing import Final

from aoai_deploy.providers.core.schema import CONFIG_FIELDS
from aoai_deploy.providers.errors import ConfigError

__all__ = [
    "CONFIG_KEYS",
    "NAMESPACE",
    "SECRET_KEYS",
    "FirstConfiguration",
    "plaintext_secrets",
    "provider_values",
    "unknown_keys",
]

NAMESPACE: Final = "aoai-deploy"
#: Every key the provider reads, in the order of the documented table.
CONFIG_KEYS: Final[tuple[str, ...]] = tuple(f"{NAMESPACE}:{f.name}" for f in CONFIG_FIELDS)
#: The keys whose values are secrets.
SECRET_KEYS: Final[frozenset[str]] = frozenset(
    f"{NAMESPACE}:{f.name}" for f in CONFIG_FIELDS if f.secret
)

# What to write after `pulumi config set --secret <key>` for each secret setting.
_SECRET_PLACEHOLDERS: Final = {
    f"{NAMESPACE}:clientSecret": "<value>",
    f"{NAMESPACE}:staticTokens": '\'{"<tenant-id>": "<access token>", ...}\'',
}


def unknown_keys(keys: Iterable[str]) -> list[str]:
    """A problem for each key of ``keys`` (any namespace) that is in the provider's namespace
    but no setting of it, naming the nearest setting. The values are never repeated: a
    misspelt ``clientSecret`` holds a secret."""
    prefix = f"{NAMESPACE}:"
    names = [key.removeprefix(prefix) for key in CONFIG_KEYS]
    lowered = {name.lower(): name for name in names}
    problems = []
    for key in sorted(k for k in keys if k.startswith(prefix) and k not in CONFIG_KEYS):
        # Compared without case: `tenantID` and `clientsecret` are slips of the same kind.
        close = difflib.get_close_matches(key.removeprefix(prefix).lower(), lowered, n=1)
        if close:
            problems.append(
                f"{key} is not a setting of the {NAMESPACE} provider: did you mean "
                f"{prefix}{lowered[close[0]]}? Move the value there and remove this key "
                f"(`pulumi config rm {key}`)"
            )
        else:
            problems.append(
                f"{key} is not a setting of the {NAMESPACE} provider, whose settings are "
                f"{', '.join(names)}: remove it (`pulumi config rm {key}`). A program's own "
                f"settings belong under its project's name, which must not be {NAMESPACE}: "
                "the provider reads this namespace"
            )
    return problems


def provider_values(config: Mapping[str, object]) -> dict[str, str]:
    """The ``aoai-deploy:*`` entries of ``config`` (any namespace), as text."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in config.items()
        if key.startswith(f"{NAMESPACE}:") and value is not None
    }


def plaintext_secrets(plaintext: Collection[str], is_set: Collection[str]) -> list[str]:
    """A problem for each secret setting that is set (in ``is_set``) but arrived without the
    secret flag (in ``plaintext``)."""
    return [
        f"{key} is not a secret, so its value is stored in plain text (in the stack's config "
        f"file, and in the state of a stack that uses the {NAMESPACE} package): set it again "
        f"with `pulumi config set --secret {key} {_SECRET_PLACEHOLDERS.get(key, '<value>')}`, "
        "or, for a provider resource declared in a program, pass the value as a secret "
        "(`fn::secret` in YAML, `pulumi.Output.secret` in Python)"
        for key in sorted(SECRET_KEYS)
        if key in plaintext and key in is_set
    ]


class FirstConfiguration:
    """The configuration a plugin process took first; a different one later is refused.

    A provider plugin listens on loopback without authentication (every Pulumi plugin does):
    another local user can call it. Were a second Configure taken, they could point the
    process at a server of theirs and collect the bearer tokens of the next requests. The
    engine configures each provider plugin process once (one process per provider resource),
    so a second configuration that differs is never the engine's. Only a digest of the first
    is kept, not its values.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digest: str | None = None

    def accept(self, values: Mapping[str, str]) -> None:
        """Take ``values`` (``aoai-deploy:<key>`` -> plain value) if they are the first or the
        same as the first; else raise :class:`ConfigError`."""
        digest = hashlib.sha256(json.dumps(sorted(values.items())).encode()).hexdigest()
        with self._lock:
            if self._digest is None:
                self._digest = digest
            elif digest != self._digest:
                raise ConfigError(
                    f"the {NAMESPACE} provider of this process is configured already, with "
                    "other settings: a second configuration is refused (the engine configures "
                    "a provider once; another local process may be trying to redirect its "
                    'requests and tokens: see docs/security.md, "Plugins listen on loopback")'
                )
