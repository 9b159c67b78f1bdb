"""Token shapes that slipped past ``redact`` (issue 15, item 11), and every field of an error.

A token glued to what precedes it (``_`` or a digit: a word character, so no word boundary
before it), a token whose dots came percent-encoded (``%2E``, once or twice), a payload
segment on its own, in any field of an ARM error body (``code`` too): none may come out. Prose
about tokens stays as written.
"""

from __future__ import annotations

import base64
import json

import pytest

from aoai_deploy.providers.azure.logs import redact, redact_error


def _segment(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


HEADER = _segment({"typ": "JWT", "alg": "RS256", "kid": "k1"})
PAYLOAD = _segment({"tid": "11111111-1111-4111-8111-111111111111", "oid": "o", "exp": 1})
SIGNATURE = "c2lnbmF0dXJlLWJ5dGVzLW9mLXJzYQ"
TOKEN = f"{HEADER}.{PAYLOAD}.{SIGNATURE}"

#: Each shape as it may appear in text ARM or a library hands over.
SHAPES = {
    "plain": TOKEN,
    "after an underscore": f"InvalidAuthenticationToken_{TOKEN}",
    "after a digit": f"token1{TOKEN}",
    "after letters": f"tok{TOKEN}",
    "dots as %2E": f"{HEADER}%2E{PAYLOAD}%2E{SIGNATURE}",
    "dots as %2e": f"{HEADER}%2e{PAYLOAD}%2e{SIGNATURE}",
    "dots as %252E": f"{HEADER}%252E{PAYLOAD}%252E{SIGNATURE}",
    "in a query": f"https://x.example/cb?access_token={HEADER}%2E{PAYLOAD}%2E{SIGNATURE}&a=1",
    "unsigned": f"{HEADER}.{PAYLOAD}.",
    "payload alone": f"claims:{PAYLOAD}",
    "payload after an underscore": f"x_{PAYLOAD}_y",
    "bearer after an underscore": "auth_Bearer 0.AXEAq2s7Yd-opaque_token~value",
    "bearer with %20": "Bearer%200.AXEAq2s7Yd-opaque_token~value",
}


def leaked(text: str) -> list[str]:
    return [
        part
        for part in (HEADER + "." + PAYLOAD, PAYLOAD, "0.AXEAq2s7Yd-opaque_token~value")
        if part in text
    ]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_redact_removes_the_token_whatever_precedes_or_encodes_it(shape: str) -> None:
    cleaned = redact(f"ARM said: {SHAPES[shape]} (see above)")

    assert leaked(cleaned) == []
    assert "redacted" in cleaned
    assert cleaned.startswith("ARM said: ")
    assert cleaned.endswith(" (see above)")


@pytest.mark.parametrize(
    "prose",
    [
        "a Bearer token.",
        "Use a Bearer token. The bearer scheme; bearer tokens expire.",
        "LinkedAuthorizationFailed: The client has no authorization to perform action",
        "The model gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef is unknown",
        "eyJ is how a JSON object starts in base64",
        "Request id 4f6e1c2a-0b1d-4000-8000-000000000001 at 2024-10-01T00:00:00Z",
    ],
)
def test_redact_leaves_prose_as_written(prose: str) -> None:
    assert redact(prose) == prose


FIELDS = ["code", "message", "target"]


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("field", FIELDS)
def test_every_field_of_an_error_body_is_redacted(field: str, shape: str) -> None:
    error = {"code": "BadRequest", "message": "m", "target": "t", field: SHAPES[shape]}

    assert leaked(json.dumps(redact_error(error))) == []


@pytest.mark.parametrize("shape", list(SHAPES))
def test_details_and_additional_info_are_redacted_all_the_way_down(shape: str) -> None:
    token = SHAPES[shape]
    error = {
        "code": "DeploymentFailed",
        "message": "At least one operation failed.",
        "details": [
            {
                "code": token,
                "message": f"inner {token}",
                "details": [{"code": "Deeper", "message": token, "target": token}],
                "additionalInfo": [{"type": "PolicyViolation", "info": {"token": token}}],
            }
        ],
        "additionalInfo": [{"type": token, "info": [token, {"nested": [token]}]}],
    }

    cleaned = redact_error(error)

    assert leaked(json.dumps(cleaned)) == []
    assert cleaned["code"] == "DeploymentFailed"
    assert cleaned["details"][0]["details"][0]["code"] == "Deeper"
    assert cleaned["details"][0]["additionalInfo"][0]["type"] == "PolicyViolation"


def test_redact_error_keeps_what_is_no_text() -> None:
    error = {"code": "X", "message": "m", "details": [], "count": 3, "flag": True, "none": None}

    assert redact_error(error) == error
