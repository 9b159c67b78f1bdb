"""The provider's logger, and the scrubbing of tokens from anything it writes.

Every module logs to the ``aoai_deploy`` logger (or a child of it). In the plugin process,
:func:`install_stderr_handler` sends those lines (progress of long operations, retries,
adoptions) to stderr, which the Pulumi CLI shows as ``info`` messages of the update for
dynamic-provider plugins, without any flag. The provider never logs headers or raw responses
in the first place; :func:`redact` is the second line of defence for text it does not control
(ARM error messages, library log records).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

__all__ = [
    "LOGGER_NAME",
    "RedactingFilter",
    "install_stderr_handler",
    "logger",
    "redact",
    "redact_error",
]

LOGGER_NAME = "aoai_deploy"

# Token shapes are matched without word boundaries: a token glued to "_" or a digit (both
# word characters) is still a token, and so is one whose dots came percent-encoded, once or
# twice, as they do in URLs and in text quoted from them.
_DOT = r"(?:\.|%2[eE]|%252[eE])"
_B64URL = r"[A-Za-z0-9_-]"
# "Bearer <credential>" (RFC 6750's b64token: letters, digits and -._~+/, then any "="). What
# follows "bearer" counts as a credential when it could not be a word of a sentence: 16
# characters or more, or a digit or one of -_~+/= in it ("bearer tokens", "a Bearer token."
# stay as written).
_BEARER = re.compile(r"(?i)(bearer(?:\s+|%20))([A-Za-z0-9\-._~+/]+=*)")
_NOT_A_WORD = re.compile(r"[0-9\-_~+/=]")
# A JWT, or any segment of one: base64url of a JSON object starts "eyJ" ('{"'); the header and
# the payload are each at least this long, and a segment alone (the payload: the claims) leaks
# as much as the whole token. What follows it up to two more segments is the rest.
_JWT = re.compile(rf"eyJ{_B64URL}{{10,}}(?:{_DOT}{_B64URL}*){{0,2}}")
_SENSITIVE_HEADER = re.compile(
    r"(?i)\b(authorization|x-ms-authorization-auxiliary)(['\"]?\s*[:=]\s*)([^\r\n]+)"
)


def redact(text: str) -> str:
    """Return ``text`` with bearer tokens, JWTs (whole or in part, their dots plain or
    percent-encoded) and sensitive header values replaced."""
    text = _SENSITIVE_HEADER.sub(r"\1\2<redacted>", text)
    text = _BEARER.sub(_bearer, text)
    return _JWT.sub("<redacted-jwt>", text)


def redact_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an ARM error object with every string in it redacted, at any depth: ``code``,
    ``message``, ``target``, each of ``details`` (which nest) and ``additionalInfo``."""
    return {_redacted(key): _redacted(value) for key, value in error.items()}


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return redact_error(value)
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def _bearer(match: re.Match[str]) -> str:
    credential = match[2].rstrip(".")  # a sentence may end right after the word
    if len(credential) >= 16 or _NOT_A_WORD.search(credential):
        return "Bearer <redacted>" + match[2][len(credential) :]
    return match[0]


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


logger = logging.getLogger(LOGGER_NAME)
if not any(isinstance(f, RedactingFilter) for f in logger.filters):
    logger.addFilter(RedactingFilter())


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler :func:`install_stderr_handler` adds, so it is added once."""


def install_stderr_handler() -> None:
    """Write the provider's log lines to stderr, redacted: called in the plugin process.

    The level is INFO (progress and retries), or what ``AOAI_DEPLOY_LOG_LEVEL`` names.
    """
    if any(isinstance(h, _StderrHandler) for h in logger.handlers):
        return
    handler = _StderrHandler(sys.stderr)
    # On the handler, not only on the logger: records of child loggers skip the parent's
    # filters but do pass through its handlers.
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("aoai-deploy: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    level = os.environ.get("AOAI_DEPLOY_LOG_LEVEL", "INFO").upper()
    logger.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)
