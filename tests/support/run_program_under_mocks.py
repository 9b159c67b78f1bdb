"""Run a Pulumi Python program under the SDK's mocks and write down what it registered.

Usage: ``python -I run_program_under_mocks.py REQUEST.json RESULT.json``, with the interpreter
of the environment the program is to run in. It imports nothing from the repository: the
packaging tests run it in a fresh virtual environment, where only what was installed there
must be found.

REQUEST: ``program`` (the project folder), ``project``, ``stack``, ``config`` (stack config,
each value a string as the CLI hands it over) and ``stack_outputs`` (for each stack a
``StackReference`` may name, its outputs). The program runs as the language host runs it:
from its folder, with that folder first on ``sys.path``.

RESULT: ``registrations`` (type, name, parent URN, URN, id, custom, inputs), ``outputs`` (the
stack's exports, resolved), ``modules`` (the file each named module was imported from) and
``provider_pickles`` (for each dynamic resource, the modules its pickled provider refers to).
"""

from __future__ import annotations

import base64
import json
import os
import pickletools
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.sync_await import _sync_await

STACK_REFERENCE = "pulumi:pulumi:StackReference"
DYNAMIC_PREFIX = "pulumi-python:dynamic"
#: The stack's key for the owner tags (providers/owner_key.py): one per stack.
OWNER_KEY_TYPE = f"{DYNAMIC_PREFIX}/aoai:OwnerKey"
PROVIDER_KEY = "__provider"
#: Modules whose origin the result reports.
WATCHED_MODULES = ("components", "aoai_deploy.components", "aoai_deploy.providers")


class ArmLikeMocks(mocks.Mocks):
    """Answers as ARM would: a dynamic deployment's id is its ARM id; outputs echo inputs."""

    def __init__(self, stack_outputs: dict[str, dict[str, Any]]) -> None:
        self.stack_outputs = stack_outputs

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == STACK_REFERENCE:
            name = args.resource_id or args.name
            return name, {"name": name, "outputs": self.stack_outputs[name]}
        if args.typ == OWNER_KEY_TYPE:
            return "0123456789abcdef", {"key": "0123456789abcdef"}
        if args.typ.startswith(DYNAMIC_PREFIX):
            return f"{inputs['account_id']}/deployments/{inputs['deployment_name']}", inputs
        return f"{args.name}-id", inputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, also keeping every registration and read."""

    def __init__(self, mocks_: mocks.Mocks) -> None:
        super().__init__(mocks_)
        self.registrations: list[dict[str, Any]] = []

    def _record(self, request: Any, urn: str, id_: str, custom: bool, inputs: Any) -> None:
        self.registrations.append(
            {
                "type": request.type,
                "name": request.name,
                "urn": urn,
                "parent": request.parent,
                "id": id_,
                "custom": custom,
                "inputs": rpc.deserialize_properties(inputs),
            }
        )

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self._record(request, response.urn, response.id, request.custom, request.object)
        return response

    def ReadResource(self, request: Any) -> Any:  # noqa: N802
        response = super().ReadResource(request)
        self._record(request, response.urn, request.id, True, request.properties)
        return response


def pickled_modules(blob: str) -> list[str]:
    """The module names a base64 pickle refers to (the strings that precede a global)."""
    names = set()
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(base64.b64decode(blob)):
        if isinstance(arg, str):
            strings.append(arg)
        if opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.add(strings[-2])
        elif opcode.name == "GLOBAL" and isinstance(arg, str):
            names.add(arg.split(" ")[0])
    return sorted(names)


def main(request_path: str, result_path: str) -> None:
    request = json.loads(Path(request_path).read_text())
    program = Path(request["program"])

    settings.ROOT.set(None)
    set_all_config(dict(request["config"]), [])
    monitor = RecordingMonitor(ArmLikeMocks(request["stack_outputs"]))
    mocks.set_mocks(
        monitor.mocks,
        project=request["project"],
        stack=request["stack"],
        preview=False,
        monitor=monitor,
    )

    @pulumi.runtime.test
    def run() -> None:
        # As the language host runs a program: from its folder, that folder first on sys.path.
        os.chdir(program)
        runpy.run_path(str(program), run_name="__main__")

    run()

    root = settings.get_root_resource()
    exported = getattr(root, "outputs", {}) if root is not None else {}
    outputs = {
        key: _sync_await(pulumi.Output.from_input(value).future())
        for key, value in exported.items()
    }
    result = {
        "registrations": [
            {**r, "inputs": {k: v for k, v in r["inputs"].items() if k != PROVIDER_KEY}}
            for r in monitor.registrations
        ],
        "outputs": outputs,
        "modules": {
            name: getattr(sys.modules.get(name), "__file__", None) for name in WATCHED_MODULES
        },
        "provider_pickles": {
            r["name"]: pickled_modules(r["inputs"][PROVIDER_KEY])
            for r in monitor.registrations
            if PROVIDER_KEY in r["inputs"]
        },
        "prefix": sys.prefix,
    }
    Path(result_path).write_text(json.dumps(result, indent=2, default=repr))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
