"""Unsigned JWTs (``alg: none``) the emulator mints and reads.

A token is ``base64url(header).base64url(payload).`` with an empty signature. The emulator
never verifies signatures (there are none); it reads the claims ARM cares about: ``tid``,
``oid``, ``appid`` (``azp`` in v2 tokens), ``aud`` and ``exp``. Times are epoch seconds.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ARM_AUDIENCES", "TokenClaims", "TokenError", "mint", "parse"]

#: The audiences ARM accepts in the public cloud (with and without the trailing slash).
ARM_AUDIENCES: tuple[str, ...] = (
    "https://management.azure.com/",
    "https://management.azure.com",
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
)


class TokenError(ValueError):
    """The text is not a JWT the emulator can read."""


@dataclass(frozen=True)
class TokenClaims:
    """The claims of one token that ARM checks."""

    tenant_id: str
    """``tid``: the tenant that issued the token."""
    object_id: str | None
    """``oid``: the principal's object id in that tenant."""
    app_id: str | None
    """``appid`` (v1) or ``azp`` (v2): the client application."""
    audience: str | None
    """``aud``."""
    expires: float
    """``exp`` in epoch seconds."""
    identity_type: str = "app"
    """``idtyp``: ``app`` for service principals, ``user`` for people."""
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """Every claim, for the rare check that needs more."""

    @property
    def client(self) -> str:
        """How ARM names the caller in messages: the app id, else the object id."""
        return self.app_id or self.object_id or "unknown"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def mint(claims: Mapping[str, Any]) -> str:
    """Encode ``claims`` as an unsigned JWT."""
    header = {"alg": "none", "typ": "JWT"}
    parts = [
        _b64url(json.dumps(header, separators=(",", ":")).encode()),
        _b64url(json.dumps(dict(claims), separators=(",", ":")).encode()),
    ]
    return ".".join(parts) + "."


def parse(token: str) -> TokenClaims:
    """Read a JWT's payload without verifying it; :class:`TokenError` if it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise TokenError("not a JWT (expected three dot-separated parts)")
    try:
        header = json.loads(_unb64url(parts[0]))
        payload = json.loads(_unb64url(parts[1]))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise TokenError("not a JWT (a part is not base64url-encoded JSON)") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenError("not a JWT (header or payload is not a JSON object)")
    tid = payload.get("tid")
    exp = payload.get("exp")
    if not isinstance(tid, str) or not tid:
        raise TokenError("the token has no 'tid' claim")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise TokenError("the token has no numeric 'exp' claim")
    app_id = payload.get("appid") or payload.get("azp")
    oid = payload.get("oid")
    aud = payload.get("aud")
    idtyp = payload.get("idtyp", "app")
    return TokenClaims(
        tenant_id=tid,
        object_id=oid if isinstance(oid, str) else None,
        app_id=app_id if isinstance(app_id, str) else None,
        audience=aud if isinstance(aud, str) else None,
        expires=float(exp),
        identity_type=idtyp if isinstance(idtyp, str) else "app",
        claims=payload,
    )
