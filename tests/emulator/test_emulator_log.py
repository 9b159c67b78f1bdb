"""The request log: identities as tid/appid only, never a token; nothing on stderr."""

from __future__ import annotations


def test_log_entry_records_the_request_and_its_identities(arm):
    aux = arm.emu.token("contoso")
    arm.put_copy("ft", aux=[aux])
    entry = arm.emu.request_log[-1]
    assert entry.method == "PUT"
    assert entry.path == arm.deployment_path("ft")
    assert entry.query == {"api-version": "2024-10-01"}
    assert entry.status == 201
    assert entry.route == "deployment"
    assert entry.tenant == "22222222-2222-4222-8222-222222222222"
    assert entry.appid == "33333333-3333-4333-8333-333333333333"
    assert entry.aux == (
        ("11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333"),
    )
    assert entry.account == arm.emu.account_id(arm.DEST)
    assert entry.started <= entry.ended


def test_operation_polls_are_logged_against_their_account(clocked_arm):
    operation = clocked_arm.put("d", clocked_arm.base_body()).headers["Azure-AsyncOperation"]
    clocked_arm.get(operation)
    entry = clocked_arm.emu.request_log[-1]
    assert (entry.route, entry.account) == (
        "location",  # .../operationResults/{id}, where the recorded Azure-AsyncOperation points
        clocked_arm.emu.account_id(clocked_arm.DEST),
    )


def test_log_holds_no_token_text(arm):
    bearer, aux = arm.emu.token("fabrikam"), arm.emu.token("contoso")
    arm.put_copy("ft", token=bearer, aux=[aux])
    arm.get(arm.emu.account_id(arm.DEST), token="garbled.token.text")
    text = repr(arm.emu.request_log)
    for secret in (bearer, aux, bearer.split(".")[1], aux.split(".")[1], "garbled.token.text"):
        assert secret not in text


def test_error_answers_are_logged_with_their_code(arm):
    arm.get(arm.emu.account_id(arm.DEST), auth=False)
    entry = arm.emu.request_log[-1]
    assert (entry.status, entry.error_code, entry.tenant, entry.appid) == (
        401,
        "AuthenticationFailed",
        None,
        None,
    )


def test_clear_log_empties_it(arm):
    arm.get(arm.emu.account_id(arm.DEST))
    arm.emu.clear_log()
    assert arm.emu.request_log == []


def test_server_writes_nothing_to_stderr(arm, capfd):
    arm.put_copy("ft")
    arm.get(arm.emu.account_id(arm.DEST), auth=False)
    arm.call("GET", "/nowhere")
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""
