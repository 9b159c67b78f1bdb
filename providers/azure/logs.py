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

__all__ = ["LOGGER_NAME", "RedactingFilter", "install_stderr_handler", "logger", "redact"]

LOGGER_NAME = "aoai_deploy"

# "Bearer <credential>" (RFC 6750's b64token: letters, digits and -._~+/, then any "=") and
# bare JWTs (three base64url parts, the first of which decodes to a JSON object: it starts
# with "eyJ"). What follows "bearer" counts as a credential when it could not be a word of a
# sentence: 16 characters or more, or a digit or one of -_~+/= in it ("bearer tokens", "a
# Bearer token." stay as written).
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)")
_NOT_A_WORD = re.compile(r"[0-9\-_~+/=]")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_SENSITIVE_HEADER = re.compile(
    r"(?i)\b(authorization|x-ms-authorization-auxiliary)(['\"]?\s*[:=]\s*)([^\r\n]+)"
)


def redact(text: str) -> str:
    """Return ``text`` with bearer tokens, JWTs and sensitive header values replaced."""
    text = _SENSITIVE_HEADER.sub(r"\1\2<redacted>", text)
    text = _BEARER.sub(_bearer, text)
    return _JWT.sub("<redacted-jwt>", text)


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
