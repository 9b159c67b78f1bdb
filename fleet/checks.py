"""The fleet file's problems, in the file's words: what ``fleet.schema.json`` refuses
(jsonschema's ``iter_errors``, each error explained by its path) and the rules across fields a
schema cannot say (listed in :mod:`aoai_deploy.fleet.spec`). Both return ``(path, problem)``
pairs; :func:`aoai_deploy.fleet.spec.parse_fleet` gathers them into one
:class:`~aoai_deploy.fleet.spec.FleetFileError`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from aoai_deploy.fleet.spec import CANARY, schema

__all__ = ["cross_field_problems", "path_text", "schema_problems"]


# -- the schema's problems, in the file's words --------------------------------------------------


def path_text(parts: Iterable[str | int]) -> str:
    """``customers[3].ring`` from ``["customers", 3, "ring"]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_problems(data: Any) -> list[tuple[str, str]]:
    from jsonschema import Draft202012Validator  # imported here: only a run that reads one pays

    validator = Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        problems.extend(_explain(error))
    # One problem per path and reason, in path order.
    return sorted(dict.fromkeys(problems), key=lambda p: p[0])


def _explain(error: Any) -> list[tuple[str, str]]:
    parts = list(error.absolute_path)
    where = path_text(parts)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        return [(path_text([*parts, missing]), "missing")]
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        allowed = set(known)
        found = []
        for extra in sorted(k for k in value if k not in allowed):
            close = difflib.get_close_matches(extra, known, n=1)
            advice = f"did you mean {close[0]}? " if close else ""
            found.append(
                (path_text([*parts, extra]), f"unknown key; {advice}allowed: {', '.join(known)}")
            )
        return found
    if parts and parts[-1] == "ring" and kind in ("oneOf", "const", "type", "minimum"):
        return [(where, f"must be canary or a ring number (1, 2, ...), not {_shown(value)}")]
    if kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return [(where, f"must be one of {choices}, not {_shown(value)}")]
    if kind == "not" and parts == ["project"]:
        return [
            (
                where,
                "'aoai-deploy' is the provider's config namespace: name the fleet's project "
                "after the fleet (e.g. support-bot-fleet)",
            )
        ]
    if kind == "pattern":
        return [(where, f"{_shown(value)} {_pattern_meaning(parts)}")]
    if kind == "type":
        return [(where, f"must be {_a(error.validator_value)}, not {_shown(value)}")]
    if kind in ("minimum", "maximum", "minItems", "minLength", "minProperties", "uniqueItems"):
        return [(where, _bound_message(kind, error.validator_value, value))]
    return [(where, error.message)]


def _pattern_meaning(parts: list[str | int]) -> str:
    last = str(parts[-1]) if parts else ""
    if last in ("tenantId", "subscriptionId", "clientId", "principalObjectId") or (
        len(parts) >= 2 and parts[-2] == "tenants"
    ):
        return "is not a GUID (00000000-0000-0000-0000-000000000000)"
    if last == "accountId":
        return (
            "is not an account's ARM id (/subscriptions/<id>/resourceGroups/<group>/providers/"
            "Microsoft.CognitiveServices/accounts/<name>)"
        )
    if last == "key":
        return "is not a stack name: lower-case letters, digits and '-', at most 50"
    if last in ("clientSecretEnv", "tokensEnv"):
        return "is not an environment variable's name"
    if last == "armEndpoint":
        return "must start with https://"
    return "does not have the form this key takes (see fleet.schema.json)"


def _bound_message(kind: str, bound: Any, value: Any) -> str:
    return {
        "minimum": f"must be at least {bound}, not {_shown(value)}",
        "maximum": f"must be at most {bound}, not {_shown(value)}",
        "minItems": f"needs at least {bound} entr{'y' if bound == 1 else 'ies'}",
        "minLength": "must not be empty",
        "minProperties": "must name at least one",
        "uniqueItems": "lists one value twice",
    }[kind]


def _a(kind: Any) -> str:
    names = {
        "string": "a string",
        "integer": "a whole number",
        "boolean": "true or false",
        "object": "a mapping",
        "array": "a list",
    }
    return names.get(str(kind), str(kind))


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


# -- rules across fields ------------------------------------------------------------------------


def cross_field_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    customers = data["customers"]
    credentials = data.get("credentials") or {}
    defaults = data["defaults"]

    first_with_key: dict[str, int] = {}
    for index, entry in enumerate(customers):
        key = entry["key"]
        if key in first_with_key:
            problems.append(
                (
                    f"customers[{index}].key",
                    f"'{key}' is also the key of customers[{first_with_key[key]}]; keys name "
                    "stacks: make it unique",
                )
            )
        else:
            first_with_key[key] = index

    numbers = sorted({e["ring"] for e in customers if e["ring"] != CANARY})
    for expected, number in enumerate(numbers, start=1):
        if number != expected:
            first = next(i for i, e in enumerate(customers) if e["ring"] == number)
            problems.append(
                (
                    f"customers[{first}].ring",
                    f"ring {number} but no customer is in ring {expected}: rings run canary, "
                    "1, 2, ... in order, none missing",
                )
            )
            break

    for name, entry in credentials.items():
        problems += _credential_key_problems(f"credentials.{name}", entry)

    default_credential = defaults.get("credential")
    if default_credential is not None and default_credential not in credentials:
        problems.append(_unknown_credential("defaults.credential", default_credential, credentials))
    for index, entry in enumerate(customers):
        name = entry.get("credential", default_credential)
        where = f"customers[{index}]"
        if name is None:
            problems.append(
                (
                    f"{where}.credential",
                    "missing: name one of credentials (or set defaults.credential)",
                )
            )
            continue
        if name not in credentials:
            if "credential" in entry:
                problems.append(_unknown_credential(f"{where}.credential", name, credentials))
            continue
        source = {**defaults.get("source", {}), **entry.get("source", {})}
        problems += _reach_problems(where, entry, name, credentials[name], source)
    return problems


def _unknown_credential(where: str, name: str, credentials: Mapping[str, Any]) -> tuple[str, str]:
    close = difflib.get_close_matches(name, list(credentials), n=1)
    advice = f"did you mean {close[0]}? " if close else ""
    named = ", ".join(credentials) or "none"
    return (where, f"'{name}' is not one of credentials ({named}); {advice}".rstrip("; "))


_USES: Final = {
    "clientId": {"default", "client-secret", "workload-identity", "managed-identity"},
    "tenantId": {"cli", "client-secret", "workload-identity"},
    "clientSecretEnv": {"client-secret"},
    "tokensEnv": {"static"},
}


def _credential_key_problems(where: str, entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind = entry["kind"]
    problems = [
        (f"{where}.{key}", f"kind {kind} does not use it: remove it, or pick a kind that does")
        for key, kinds in _USES.items()
        if key in entry and kind not in kinds
    ]
    if kind == "static" and entry.get("shareTokens") is False:
        problems.append(
            (
                f"{where}.shareTokens",
                "static tokens are the same string for every stack: sharing them is all a "
                "static credential can do; remove shareTokens",
            )
        )
    return problems


def _reach_problems(
    where: str,
    entry: Mapping[str, Any],
    name: str,
    credential: Mapping[str, Any],
    source: Mapping[str, Any],
) -> list[tuple[str, str]]:
    problems = []
    tenant = entry["tenantId"].lower()
    source_tenant = str(source.get("tenantId", "")).lower()
    listed = [t.lower() for t in credential.get("tenants", [])]
    what = f"credential '{name}'"
    if credential["kind"] == "managed-identity" and source_tenant and source_tenant != tenant:
        problems.append(
            (
                f"{where}.credential",
                f"{what} is a managed identity, which lives in one tenant, but this customer's "
                f"tenant {tenant} is not the source's {source_tenant}: use a multi-tenant app "
                "(workload-identity with a federated credential that trusts the managed "
                "identity)",
            )
        )
    if listed:
        for role, wanted in (("customer's tenant", tenant), ("source's tenant", source_tenant)):
            if wanted and wanted not in listed:
                problems.append(
                    (
                        f"{where}.tenantId" if role == "customer's tenant" else f"{where}.source",
                        f"{what} cannot sign in to the {role} {wanted}: its tenants are "
                        f"{', '.join(listed)}; add the tenant there or name another credential",
                    )
                )
    return problems
