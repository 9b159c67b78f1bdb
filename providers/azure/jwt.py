"""Reading a JWT without verifying it: its claims, and whether it is signed at all.

The provider never trusts a claim for authorization (ARM does that); it reads ``tid`` and
``exp`` to catch a token put under the wrong tenant or about to expire, and the header to tell
the local emulator's unsigned tokens from real ones.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Final

__all__ = ["decode_payload", "is_unsigned"]

_B64URL_SEGMENT: Final = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def decode_payload(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWS (``header.payload.signature``), unverified; ``None`` when
    ``token`` is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_B64URL_SEGMENT.fullmatch(p) for p in parts[:2]):
        return None
    if parts[2] and not _B64URL_SEGMENT.fullmatch(parts[2]):
        return None
    return _decode_segment(parts[1])


def is_unsigned(token: str) -> bool:
    """Whether ``token`` is an unsigned JWT as the local emulator mints it: header
    ``alg: none`` (exactly, RFC 7518), no key id, and an empty signature. Such a token proves
    nothing anywhere; a signed one (Entra's are RS256 with a ``kid``) is a real credential."""
    head, _, rest = token.partition(".")
    signature = rest.rpartition(".")[2]
    header = _decode_segment(head)
    return (
        signature == ""
        and header is not None
        and header.get("alg") == "none"
        and not {"kid", "x5t", "jku", "x5u"} & set(header)
    )


def _decode_segment(segment: str) -> dict[str, Any] | None:
    """One base64url JSON-object segment of a JWT, or ``None``."""
    if not _B64URL_SEGMENT.fullmatch(segment):
        return None
    bare = segment.rstrip("=")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4)))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None
