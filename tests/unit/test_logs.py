"""Token scrubbing (``redact``) and the plugin's stderr handler (issue 10, items 14 and 15).

Secrets never reach a log line (STYLE.md 9): the provider never logs headers, and
``redact`` is the second line of defence for text it does not control (ARM messages,
library records). It must remove what looks like a credential, in every form the
provider's requests carry one, and leave prose alone: a message about "bearer tokens"
read "Bearer <redacted>" before.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator

import pytest

from aoai_deploy.providers.azure import logs
from aoai_deploy.providers.azure.logs import LOGGER_NAME, install_stderr_handler, redact


def _jwt(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


JWT = _jwt({"tid": "11111111-1111-4111-8111-111111111111", "oid": "x", "exp": 1})
OPAQUE = "0.AXEAq2s7Yd-opaque_token~value+with/all=="


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {JWT}",
        f"authorization={JWT}",
        f"'Authorization': 'Bearer {OPAQUE}'",
        f"x-ms-authorization-auxiliary: Bearer {JWT}, Bearer {OPAQUE}",
        f'"x-ms-authorization-auxiliary": "Bearer {OPAQUE}"',
        f"sent bearer {OPAQUE} to ARM",
        f"token {JWT} expired",
        f"BEARER {OPAQUE}",
        f"Authorization: {OPAQUE}",
        f"x-ms-authorization-auxiliary: {OPAQUE}",
    ],
    ids=[
        "header",
        "header-equals",
        "header-quoted",
        "auxiliary-header-two-tokens",
        "auxiliary-header-json",
        "bearer-in-text",
        "bare-jwt",
        "bearer-upper-case",
        "header-without-scheme",
        "auxiliary-header-without-scheme",
    ],
)
def test_redact_removes_every_form_of_credential(text: str) -> None:
    cleaned = redact(text)

    assert JWT not in cleaned
    assert JWT.split(".")[1] not in cleaned
    assert OPAQUE not in cleaned
    assert "redacted" in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "ARM accepts bearer tokens from the destination tenant.",
        "A bearer token. Then another bearer token, and a Bearer scheme; bearer credentials",
        "use a Bearer token from `az account get-access-token`",
    ],
)
def test_redact_leaves_prose_about_tokens_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_keeps_the_rest_of_the_line() -> None:
    cleaned = redact(f"creating /subscriptions/x: got Bearer {OPAQUE}, retrying in 2s")

    assert cleaned.startswith("creating /subscriptions/x: got Bearer <redacted>")
    assert cleaned.endswith(", retrying in 2s")


@pytest.fixture
def stderr_handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The plugin's stderr handler, installed as ``configure`` installs it, on a buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(logs.sys, "stderr", buffer)
    parent = logging.getLogger(LOGGER_NAME)
    before_handlers, before_level = list(parent.handlers), parent.level
    for handler in before_handlers:
        parent.removeHandler(handler)
    try:
        install_stderr_handler()
        yield buffer
    finally:
        for handler in list(parent.handlers):
            parent.removeHandler(handler)
        for handler in before_handlers:
            parent.addHandler(handler)
        parent.setLevel(before_level)


def test_a_token_logged_by_a_child_logger_reaches_stderr_redacted(
    stderr_handler: io.StringIO,
) -> None:
    # Records of child loggers skip the parent's filters and pass only its handlers': the
    # handler's own filter is what keeps them clean.
    child = logging.getLogger(f"{LOGGER_NAME}.somewhere.deep")

    child.warning("request failed; headers were Authorization: Bearer %s", JWT)
    child.info("aux %s", f"x-ms-authorization-auxiliary: Bearer {OPAQUE}")

    written = stderr_handler.getvalue()
    assert "aoai-deploy: WARNING: request failed" in written
    assert JWT not in written
    assert JWT.split(".")[1] not in written
    assert OPAQUE not in written
    assert written.count("<redacted>") == 2
