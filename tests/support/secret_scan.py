"""Look for secrets where they must never be: responses, errors, logs, stderr, pickles.

A JWT leaks just as well without its header and signature, so a token counts as found when
either the whole token or its payload segment (the claims) appears.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["find_secrets", "needles"]


def needles(tokens: Iterable[str] = (), secrets: Iterable[str] = ()) -> dict[str, str]:
    """What to look for, by label: each token and its payload segment, and each secret."""
    found: dict[str, str] = {}
    for number, token in enumerate(tokens, start=1):
        found[f"token {number}"] = token
        parts = token.split(".")
        if len(parts) == 3 and parts[1]:
            found[f"payload of token {number}"] = parts[1]
    for number, secret in enumerate(secrets, start=1):
        found[f"secret {number}"] = secret
    return found


def find_secrets(haystacks: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """``"<secret label> in <haystack label>"`` for every secret found; empty when clean."""
    assert wanted, "nothing to look for: the scan would pass vacuously"
    return [
        f"{label} in {where}"
        for where, text in haystacks.items()
        for label, secret in wanted.items()
        if secret and secret in text
    ]
