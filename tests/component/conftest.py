"""Pulumi mocks for the component and the example program.

``pulumi.runtime.set_mocks`` is process-global, so every test gets its own runtime from the
``pulumi_runtime`` fixture and leaves a clean one behind. The monitor records each resource
registration with what the engine would see of it: type, name, parent, dependencies,
provider reference and inputs; the mocks answer like Azure would (ARM ids as resource ids,
the account's endpoint), or, in a preview, with unknown ids and computed outputs.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.output import Unknown
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.sync_await import _sync_await

from seed_ids import (
    DEST_ACCOUNT,
    DEST_TENANT,
    FT_MODEL,
    OTHER_DEST_ACCOUNTS,
    SOURCE_ACCOUNT,
    SOURCE_TENANT,
)

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
#: The stack's key for the owner tags, one per stack (providers/owner_key.py), and its key.
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
MOCK_OWNER_KEY = "0123456789abcdef"
ACCOUNT_TYPE = "azure-native:cognitiveservices:Account"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"

#: The subscription the mocked azure-native provider creates accounts in.
MOCK_SUBSCRIPTION = "bbbbbbbb-0000-4000-8000-000000000002"

REPO = Path(__file__).resolve().parents[2]
PROJECT = "aoai-deploy-example"


@dataclass(frozen=True)
class Seed:
    """Identities of the emulator's default seed, as the component tests name them."""

    contoso: str = SOURCE_TENANT
    fabrikam: str = DEST_TENANT
    source_account: str = SOURCE_ACCOUNT
    destination_account: str = DEST_ACCOUNT
    other_destination_account: str = OTHER_DEST_ACCOUNTS[0]
    model: str = FT_MODEL
    deployer_in_contoso: str = "44444444-4444-4444-8444-444444444444"
    deployer_in_fabrikam: str = "55555555-5555-4555-8555-555555555555"
    outsider_in_fabrikam: str = "88888888-8888-4888-8888-888888888888"


@pytest.fixture
def seed() -> Seed:
    return Seed()


@pytest.fixture
def mock_subscription() -> str:
    """The subscription the mocked azure-native provider creates accounts in."""
    return MOCK_SUBSCRIPTION


@dataclass
class Registration:
    """One RegisterResource call as the mock monitor received it."""

    type: str
    name: str
    urn: str
    parent: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    custom: bool
    inputs: dict[str, Any]
    id: str = ""
    #: The earlier identities the resource answers to: each alias's URN, or its spec as
    #: ``{"name", "type", "parent"}`` ("" where unchanged; parent an URN, "" for none, None
    #: for unchanged). azure-native resources carry type aliases of their own.
    aliases: list[Any] = field(default_factory=list)
    protect: bool = False


class AzureError(Exception):
    """What ARM answers when it refuses a create, as ``<code>: <message>``."""


class AzureMocks(mocks.Mocks):
    """Answers registrations the way ARM and the engine would.

    Two of ARM's refusals are modelled, each from Azure's own error text:

    - a second role assignment of one role to one principal at one scope, whatever its name,
      is refused with 409 ``RoleAssignmentExists`` "The role assignment already exists." (as
      quoted in Azure/azure-cli#8568 and terraform-provider-azurerm's 409 reports; FACTS.md);
    - an account whose name a destroy soft-deleted (``soft_deleted``, ARM ids) is refused with
      409 ``FlagMustBeSetForRestore`` unless it is created with ``properties.restore: true``
      (the message as quoted in Azure/azure-cli#18146).
    """

    def __init__(self, preview: bool, soft_deleted: tuple[str, ...] = ()) -> None:
        self.preview = preview
        self.soft_deleted = {account.lower() for account in soft_deleted}
        self.role_assignments: dict[tuple[str, str, str], str] = {}

    def _refuse_a_second_assignment(self, name: str, inputs: dict[str, Any]) -> None:
        role = str(inputs["roleDefinitionId"]).rsplit("/", 1)[-1]
        key = (str(inputs["principalId"]).lower(), role.lower(), str(inputs["scope"]).lower())
        if key in self.role_assignments:
            raise AzureError(
                f"creating role assignment {name} (the same grant as "
                f"{self.role_assignments[key]}): RoleAssignmentExists: "
                "The role assignment already exists."
            )
        self.role_assignments[key] = name

    def _refuse_a_soft_deleted_account(self, account_id: str, inputs: dict[str, Any]) -> None:
        if account_id.lower() in self.soft_deleted and not inputs["properties"].get("restore"):
            raise AzureError(
                "FlagMustBeSetForRestore: An existing resource with ID "
                f"'{account_id}' has been soft-deleted. To restore the resource, you must "
                "specify 'restore' to be 'true' in the property. If you don't want to restore "
                "existing resource, please purge it first."
            )

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == ROLE_ASSIGNMENT_TYPE:
            self._refuse_a_second_assignment(args.name, inputs)
        if self.preview:
            # A resource to be created has no id yet, and its computed outputs are unknown.
            if args.typ == ACCOUNT_TYPE:
                inputs["properties"] = {**inputs.get("properties", {}), "endpoint": Unknown()}
            return "", inputs
        if args.typ == ACCOUNT_TYPE:
            account_id = (
                f"/subscriptions/{MOCK_SUBSCRIPTION}/resourceGroups/"
                f"{inputs['resourceGroupName']}/providers/Microsoft.CognitiveServices/"
                f"accounts/{inputs['accountName']}"
            )
            self._refuse_a_soft_deleted_account(account_id, inputs)
            subdomain = inputs["properties"]["customSubDomainName"]
            host = "openai" if inputs.get("kind") == "OpenAI" else "cognitiveservices"
            endpoint = f"https://{subdomain}.{host}.azure.com/"
            inputs["properties"] = {**inputs["properties"], "endpoint": endpoint}
            return account_id, inputs
        if args.typ == ROLE_ASSIGNMENT_TYPE:
            name = inputs["roleAssignmentName"]
            return (
                f"{inputs['scope']}/providers/Microsoft.Authorization/roleAssignments/{name}",
                inputs,
            )
        if args.typ == DEPLOYMENT_TYPE:
            return f"{inputs['account_id']}/deployments/{inputs['deployment_name']}", inputs
        if args.typ == OWNER_KEY_TYPE:
            return MOCK_OWNER_KEY, {"key": MOCK_OWNER_KEY}
        return f"{args.name}-id", inputs

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, also keeping what each registration asked of the engine."""

    def __init__(self, mocks_: mocks.Mocks) -> None:
        super().__init__(mocks_)
        self.registrations: list[Registration] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        response = super().RegisterResource(request)
        # The engine refuses a second resource with the same URN; so does this monitor.
        if any(r.urn == response.urn for r in self.registrations):
            raise ValueError(f"duplicate resource URN {response.urn}")
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    property_dependencies={
                        key: list(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                    provider=request.provider,
                    custom=request.custom,
                    inputs=rpc.deserialize_properties(request.object),
                    id=response.id,
                    aliases=[_alias(alias) for alias in request.aliases],
                    protect=request.protect,
                )
            )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        self.registered_outputs[request.urn] = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


def _alias(alias: Any) -> Any:
    if alias.WhichOneof("alias") == "urn":
        return alias.urn
    spec = alias.spec
    parent = {None: None, "noParent": "", "parentUrn": spec.parentUrn}[spec.WhichOneof("parent")]
    return {"name": spec.name, "type": spec.type, "parent": parent}


@dataclass
class Runtime:
    """A mocked Pulumi runtime: run code in it, then read what it registered."""

    monitor: RecordingMonitor
    preview: bool
    #: The subscription the mocked azure-native provider creates accounts in.
    subscription: str = MOCK_SUBSCRIPTION

    def run(self, program: Callable[[], Any]) -> Any:
        """Run ``program`` as a Pulumi program and wait for every registration it caused."""
        result: dict[str, Any] = {}

        @pulumi.runtime.test
        def run() -> Any:
            result["value"] = program()

        run()
        return result.get("value")

    def resolve(self, value: Any) -> tuple[Any, bool]:
        """The value of an Input once known, and whether it is known."""
        output = pulumi.Output.from_input(value)
        return _sync_await(output.future()), _sync_await(output.is_known())

    def value(self, value: Any) -> Any:
        """The value of an Input, which must be known."""
        resolved, known = self.resolve(value)
        assert known, "the value is unknown"
        return resolved

    def stack_outputs(self) -> dict[str, Any]:
        """What the program exported, resolved."""
        root = settings.get_root_resource()
        assert root is not None
        return {key: self.value(value) for key, value in getattr(root, "outputs", {}).items()}

    def stack_outputs_known(self) -> dict[str, bool]:
        """Whether each export is known (a preview leaves some unknown)."""
        root = settings.get_root_resource()
        assert root is not None
        return {key: self.resolve(value)[1] for key, value in getattr(root, "outputs", {}).items()}

    @property
    def registrations(self) -> list[Registration]:
        return self.monitor.registrations

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        (match,) = [r for r in self.registrations if r.name == name]
        return match

    def grant_on(self, scope: str) -> Registration:
        """The one role assignment registered on ``scope``."""
        (match,) = [
            r
            for r in self.of_type(ROLE_ASSIGNMENT_TYPE)
            if isinstance(r.inputs["scope"], str) and r.inputs["scope"] == scope
        ]
        return match

    def by_urn(self, urn: str) -> Registration:
        (match,) = [r for r in self.registrations if r.urn == urn]
        return match


@pytest.fixture(scope="session")
def event_loop_for_pulumi() -> Iterator[asyncio.AbstractEventLoop]:
    """One loop for the whole session: the SDK's mock monitor serves registrations from the
    loop's worker threads and gives each thread a loop of its own, so a loop per test would
    leave a trail of orphaned thread loops behind."""
    policy = asyncio.get_event_loop_policy()
    try:
        previous: asyncio.AbstractEventLoop | None = policy.get_event_loop()
    except RuntimeError:
        previous = None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(previous)
    loop.close()


@pytest.fixture
def pulumi_runtime(
    event_loop_for_pulumi: asyncio.AbstractEventLoop,
) -> Iterator[Callable[..., Runtime]]:
    """A factory of mocked runtimes: ``pulumi_runtime(preview=False, project=..., stack=...,
    config={...}, secret_keys=(), wrap_mocks=None, soft_deleted=())`` (``secret_keys``: the
    config keys the CLI says are secrets; ``wrap_mocks`` gets the AzureMocks and
    returns the mocks to use; ``soft_deleted`` are ARM ids of accounts a destroy left
    soft-deleted); the global runtime is reset when the test ends."""

    def start(
        *,
        preview: bool = False,
        project: str = "project",
        stack: str = "stack",
        config: dict[str, str] | None = None,
        secret_keys: tuple[str, ...] = (),
        wrap_mocks: Callable[[mocks.Mocks], mocks.Mocks] | None = None,
        soft_deleted: tuple[str, ...] = (),
    ) -> Runtime:
        settings.ROOT.set(None)
        set_all_config(dict(config or {}), list(secret_keys))
        azure: mocks.Mocks = AzureMocks(preview, soft_deleted)
        monitor = RecordingMonitor(wrap_mocks(azure) if wrap_mocks is not None else azure)
        mocks.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )
        return Runtime(monitor=monitor, preview=preview)

    # Other tests (asyncio.run, for one) may have unset the current loop since the last test.
    asyncio.set_event_loop(event_loop_for_pulumi)
    try:
        yield start
    finally:
        settings.ROOT.set(None)
        set_all_config({}, [])
        settings.reset_options()


@pytest.fixture
def repo_file() -> Callable[[str], str]:
    """``repo_file("Pulumi.yaml")``: the text of a file at the top of the repository."""
    return lambda name: (REPO / name).read_text()


@pytest.fixture(name="project_file")
def project_file_fixture() -> dict[str, Any]:
    """Pulumi.yaml, parsed."""
    return project_file()


@pytest.fixture(name="stack_config")
def stack_config_fixture() -> Callable[[str], dict[str, str]]:
    """``stack_config("Pulumi.local.yaml")``: the config the program sees for that stack."""
    return stack_config


@pytest.fixture(name="run_main")
def run_main_fixture() -> Callable[[Runtime], None]:
    """``run_main(runtime)``: run the example program in a mocked runtime."""
    return run_main


def project_file() -> dict[str, Any]:
    """Pulumi.yaml, parsed."""
    return yaml.safe_load((REPO / "Pulumi.yaml").read_text())


def stack_config(stack_file: str) -> dict[str, str]:
    """The config a program sees for a stack file, as the CLI hands it over: the project's
    declared defaults filled in, each value a string (objects as JSON)."""
    declared = project_file().get("config", {})
    values: dict[str, Any] = dict(yaml.safe_load((REPO / stack_file).read_text())["config"])
    missing = []
    for key, declaration in declared.items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if full in values:
            continue
        if isinstance(declaration, dict) and "default" in declaration:
            values[full] = declaration["default"]
        else:
            missing.append(full)
    assert not missing, f"{stack_file} lacks required config {missing} (the CLI would refuse it)"
    return {key: _config_text(value) for key, value in values.items()}


def _config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def run_main(runtime: Runtime) -> None:
    """Run the example program, __main__.py, in ``runtime``."""
    runtime.run(lambda: runpy.run_path(str(REPO / "__main__.py"), run_name="__main__"))
