"""Scrubbing of bearer tokens from text that may reach a log, an exception or a PR comment.

The provider never logs headers or raw responses in the first place; this is the second
line of defence for text it does not control (ARM error messages, library log records).
"""

from __future__ import annotations

import logging
import re

__all__ = ["LOGGER_NAME", "RedactingFilter", "logger", "redact"]

LOGGER_NAME = "aoai_deploy"

# "Bearer <anything up to a separator>" and bare JWTs (three base64url parts, the first of
# which decodes to a JSON object: it starts with "eyJ").
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s,;\"']+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_SENSITIVE_HEADER = re.compile(
    r"(?i)\b(authorization|x-ms-authorization-auxiliary)(['\"]?\s*[:=]\s*)([^\r\n]+)"
)


def redact(text: str) -> str:
    """Return ``text`` with bearer tokens, JWTs and sensitive header values replaced."""
    text = _SENSITIVE_HEADER.sub(r"\1\2<redacted>", text)
    text = _BEARER.sub("Bearer <redacted>", text)
    return _JWT.sub("<redacted-jwt>", text)


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
