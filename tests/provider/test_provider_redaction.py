"""A token in any field of ARM's error reaches no message (issue 15, item 11).

The emulator answers with ARM's error body whose ``code`` and ``message`` the fault names: on
the request itself (a 400, the ``arm`` path) and at the end of a long-running write (the
operation's ``error``, the ``waiting`` path). Each carries a token in one of the shapes that
slipped through: in the code, glued to an underscore or a digit, with ``%2E`` for its dots.
"""

from __future__ import annotations

import base64
import json

import pytest

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.providers import ArmError, OperationFailedError
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import checked, cross_tenant_inputs


def _segment(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


HEADER = _segment({"typ": "JWT", "alg": "RS256", "kid": "k1"})
PAYLOAD = _segment({"tid": "11111111-1111-4111-8111-111111111111", "exp": 1})
TOKEN = f"{HEADER}.{PAYLOAD}.c2lnbmF0dXJl"
CODE = f"InvalidAuthenticationToken_{TOKEN}"
MESSAGE = f"token 1{TOKEN} or, quoted from a URL, {HEADER}%2E{PAYLOAD}%2Ec2ln was refused"


def assert_clean(error: Exception) -> None:
    for text in (str(error), getattr(error, "code", ""), getattr(error, "message", "")):
        assert PAYLOAD not in text
        assert HEADER not in text
    assert "InvalidAuthenticationToken_" in str(error)  # the code's words stay
    assert "was refused" in str(error)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="insufficient-quota", method="PUT", code=CODE, message=MESSAGE),
        Fault(kind="failed-provisioning", method="PUT", code=CODE, message=MESSAGE),
    ],
    ids=["the request's error", "the operation's error"],
)
def test_a_token_in_the_code_or_the_message_of_an_arm_error_is_redacted(
    provider: CrossTenantDeploymentProvider, emu: Emulator, fault: Fault
) -> None:
    emu.inject(fault)

    with pytest.raises((ArmError, OperationFailedError)) as caught:
        provider.create(checked(provider, cross_tenant_inputs()))

    assert_clean(caught.value)
