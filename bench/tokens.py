"""Token acquisitions per tenant: 20 creates across the seed's two tenants, 4 workers.

Static tokens are never acquired, so this section configures the plugin with
``aoai-deploy:credential cli``: inside the plugin, azure-identity's real ``AzureCliCredential``
runs ``az`` for each token it is asked for, and ``az`` on the plugin's PATH is the bench's
``fake_az.py``, which hands out emulator tokens and logs each call. The count is taken from
that log, outside the plugin: it equals ``TokenProvider.acquisitions``, which counts
``get_token`` calls.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import tempfile
from collections import Counter
from pathlib import Path

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers.azure.tokens import token_claims
from bench.report import SectionResult
from bench.rig import (
    ENGINE_WORKERS,
    checked,
    configured_plugin,
    create_all,
    deployment_inputs,
    running_emulator,
)
from seed_ids import DEST_ACCOUNT, DEST_TENANT, OTHER_DEST_ACCOUNTS, SOURCE_ACCOUNT, SOURCE_TENANT

CREATES = 20
TIMEOUT = 120.0
_TENANT_NAMES = {SOURCE_TENANT: "contoso", DEST_TENANT: "fabrikam"}
_FAKE_AZ = Path(__file__).resolve().parent / "fake_az.py"


def run() -> SectionResult:
    result = SectionResult("tokens")
    result.settings.append(
        f"tokens: {CREATES} creates from {ENGINE_WORKERS} threads, half cross-tenant "
        "(contoso -> the four fabrikam accounts), half within contoso (contoso-ft-src); "
        "credential 'cli' with a fake `az` on the plugin's PATH (see bench/fake_az.py)"
    )
    with (
        tempfile.TemporaryDirectory(prefix="aoai-bench-az-") as scratch,
        running_emulator(provisioning_seconds=0.05, retry_after=0) as emu,
    ):
        env = _fake_az_env(Path(scratch), emu)
        config = {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "cli",
        }
        with configured_plugin(config, env) as plugin:
            items = []
            fabrikam = [DEST_ACCOUNT, *OTHER_DEST_ACCOUNTS]
            for index in range(CREATES):
                name = f"tk-{index:02d}"
                if index % 2 == 0:
                    inputs = deployment_inputs(name, fabrikam[(index // 2) % len(fabrikam)])
                else:
                    inputs = deployment_inputs(name, SOURCE_ACCOUNT, cross_tenant=False)
                items.append((name, checked(plugin, name, inputs)))
            outcomes = create_all(plugin, items, timeout=TIMEOUT)
            log = emu.request_log
        calls = Counter(Path(env["BENCH_AZ_CALLS"]).read_text().split())

    for outcome in outcomes:
        if outcome.error is not None:
            result.fail(outcome.summary)
    for tenant, alias in sorted(_TENANT_NAMES.items(), key=lambda item: item[1]):
        count = calls.pop(tenant, 0)
        result.add(f"token acquisitions, {alias}", str(count), "1", count == 1)
    for other, count in calls.items():
        result.add(f"token acquisitions, {other}", str(count), "0", False)
    bearer = Counter(_TENANT_NAMES.get(e.tenant or "", "?") for e in log)
    shown = " + ".join(f"{n} {alias}" for alias, n in sorted(bearer.items()))
    aux = sum(1 for e in log if e.aux)
    result.add("requests those tokens served", f"{len(log)} ({shown}; {aux} with aux)")
    result.notes.append(
        "tokens: counted from the fake `az` calls that azure-identity's AzureCliCredential made "
        "inside the plugin (one per get_token, which is what TokenProvider.acquisitions counts)"
    )
    return result


def _fake_az_env(scratch: Path, emu: Emulator) -> dict[str, str]:
    """Environment for the plugin: ``az`` first on PATH, and the files it reads and writes."""
    tokens = {}
    for tenant in _TENANT_NAMES:
        token = emu.token(tenant)
        tokens[tenant] = {"token": token, "expires_on": token_claims(token)["exp"]}
    tokens_file = scratch / "tokens.json"
    tokens_file.write_text(json.dumps(tokens))
    calls_file = scratch / "calls.log"
    calls_file.touch()
    az = scratch / "bin" / "az"
    az.parent.mkdir()
    az.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(_FAKE_AZ))} "$@"\n'
    )
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    return {
        "PATH": f"{az.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "BENCH_AZ_TOKENS": str(tokens_file),
        "BENCH_AZ_CALLS": str(calls_file),
    }
