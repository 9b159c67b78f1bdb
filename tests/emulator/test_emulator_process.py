"""Starting and stopping: the CLI as a process, and bounded shutdown in process."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from aoai_deploy.emulator import Emulator, Fault
from aoai_deploy.emulator.tokens import parse

ACCOUNT = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "aoai_deploy.emulator", *args]


def test_cli_serves_prints_one_json_line_and_stops_on_sigterm():
    token = subprocess.run(
        _cli("token", "--tenant", "fabrikam", "--principal", "deployer"),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    process = subprocess.Popen(
        _cli("--port", "0", "--provisioning-seconds", "0.1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = json.loads(process.stdout.readline())
        assert line["base_url"].startswith("https://127.0.0.1:")
        response = requests.get(
            line["base_url"] + ACCOUNT,
            params={"api-version": "2024-10-01"},
            headers={"Authorization": f"Bearer {token}"},
            verify=line["ca_path"],
            timeout=10,
        )
        assert response.status_code == 200
        assert response.json()["name"] == "fabrikam-aoai-eus"
        assert line["tenants"]["fabrikam"] == "22222222-2222-4222-8222-222222222222"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert token not in err


def test_cli_token_prints_a_token_for_the_seed_principal():
    out = subprocess.run(
        _cli("token", "--tenant", "contoso", "--principal", "outsider", "--expires-in", "60"),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    claims = parse(out.strip())
    assert claims.tenant_id == "11111111-1111-4111-8111-111111111111"
    assert claims.app_id == "66666666-6666-4666-8666-666666666666"
    assert claims.object_id == "77777777-7777-4777-8777-777777777777"
    assert 0 < claims.expires - time.time() <= 61


def test_cli_reports_an_unknown_tenant_without_a_traceback():
    result = subprocess.run(
        _cli("token", "--tenant", "nowhere"), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr


def test_stop_is_bounded_with_an_idle_keep_alive_connection_and_a_slow_request():
    emu = Emulator().start()
    session = requests.Session()
    url = emu.base_url + ACCOUNT
    headers = {"Authorization": f"Bearer {emu.token('fabrikam')}"}
    assert session.get(
        url, params={"api-version": "2024-10-01"}, headers=headers, verify=emu.ca_path, timeout=5
    ).ok
    emu.inject(Fault(kind="slow", delay=30))
    with contextlib.suppress(requests.exceptions.ReadTimeout):
        session.get(
            url,
            params={"api-version": "2024-10-01"},
            headers=headers,
            verify=emu.ca_path,
            timeout=0.2,
        )
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 2.5
    assert not emu.running


def test_certificate_is_made_at_start_and_removed_at_stop():
    emu = Emulator().start()
    ca_path = Path(emu.ca_path)
    assert ca_path.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" not in ca_path.read_text()
    emu.stop()
    assert not ca_path.parent.exists()


def test_start_stop_is_repeatable_and_stop_is_idempotent():
    emu = Emulator()
    with emu:
        first = emu.base_url
    emu.stop()
    with emu:
        assert emu.base_url.startswith("https://127.0.0.1:")
    assert first.startswith("https://127.0.0.1:")
