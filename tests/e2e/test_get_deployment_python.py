"""``get_deployment`` in a Python program run by the real CLI (through the Automation API,
scripts/pulumi-inline): it reads the deployment in a preview (one GET, no write) with the
stack's ``aoai-deploy:*`` configuration, and its typed result feeds the program's exports."""

from __future__ import annotations

import json
from typing import Any

from aoai_deploy.emulator import Emulator
from seed_ids import DEST_ACCOUNT, DEST_TENANT

PROGRAM = """\
import pulumi
from aoai_deploy.providers import get_deployment

config = pulumi.Config()
found = get_deployment(
    config.require("accountId"),
    "made-elsewhere",
    api_version="2025-09-01",
    tenant_id=config.require("tenantId"),
)
pulumi.export("version", found.apply(lambda d: d.model_version))
pulumi.export("spillover", found.apply(lambda d: d.spillover_deployment_name))
pulumi.export("capacity", found.apply(lambda d: d.sku_capacity))
"""


def test_a_python_program_reads_a_deployment_in_preview_and_exports_it(
    make_project: Any, e2e_emulator: Emulator
) -> None:
    e2e_emulator.put_deployment_direct(
        DEST_ACCOUNT,
        "made-elsewhere",
        {
            "sku": {"name": "GlobalProvisionedManaged", "capacity": 15},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o-mini", "version": "2024-07-18"},
                "spilloverDeploymentName": "overflow",
            },
        },
    )
    project = make_project(PROGRAM, name="reader")
    project.init(
        {
            "aoai-deploy:armEndpoint": e2e_emulator.base_url,
            "aoai-deploy:caBundle": e2e_emulator.ca_path,
            "aoai-deploy:credential": "static",
            "reader:accountId": DEST_ACCOUNT,
            "reader:tenantId": DEST_TENANT,
        }
    )
    e2e_emulator.clear_log()

    preview = project.cli("preview").output

    reads = [(e.method, e.path.rsplit("/", 1)[-1]) for e in e2e_emulator.request_log]
    assert reads == [("GET", "made-elsewhere")], preview

    project.cli("up", "--yes")
    outputs = json.loads(project.cli("stack", "output", "--json").output)
    assert outputs == {"version": "2024-07-18", "spillover": "overflow", "capacity": 15}
    writes = [e.method for e in e2e_emulator.request_log if e.method != "GET"]
    assert writes == []
