"""The ``aoai-deploy`` config namespace is the provider's: which keys are settings, and which
settings must arrive as secrets.

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
from collections.abc import Collection, Iterable
from typing import Final

from aoai_deploy.providers.core.schema import CONFIG_FIELDS

__all__ = ["CONFIG_KEYS", "NAMESPACE", "SECRET_KEYS", "plaintext_secrets", "unknown_keys"]

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
