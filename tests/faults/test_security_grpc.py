"""No token leaves through the plugin: not in a gRPC reply, an error, stderr or the pickle.

The real plugin (``python -m pulumi.dynamic``, logging at DEBUG) runs a create, a read and
an update (a capacity change: a PATCH) under each fault kind the emulator injects, plus a
409 from another client's write, and a second plugin process (a `pulumi destroy`) the
delete, with the fault on each of the three writes in turn. Every reply and every
error detail is kept, and at the end they, the plugin's stderr and the pickled provider are
searched for each token and for its payload segment.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import dill
import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from aoai_deploy.emulator import Emulator, Fault
from engine_harness import PluginProcess, secret
from fault_lab import Lab, foreign_write
from provider_kit import cross_tenant_inputs
from secret_scan import find_secrets, needles
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
_METHOD = {"create": "PUT", "update": "PATCH", "delete": "DELETE"}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0  # poll at the client's floor: real time passes here
        yield emulator


@pytest.fixture(scope="module")
def tokens(emu: Emulator) -> dict[str, str]:
    return {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}


def _configured_plugin(emu: Emulator, tokens: dict[str, str]) -> Iterator[PluginProcess]:
    with PluginProcess(env={"AOAI_DEPLOY_LOG_LEVEL": "DEBUG"}) as process:
        process.configure(
            {
                "aoai-deploy:armEndpoint": emu.base_url,
                "aoai-deploy:caBundle": emu.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
            }
        )
        yield process


@pytest.fixture(scope="module")
def plugin(emu: Emulator, tokens: dict[str, str]) -> Iterator[PluginProcess]:
    """The plugin process of the `pulumi up`s."""
    yield from _configured_plugin(emu, tokens)


@pytest.fixture(scope="module")
def destroyer(emu: Emulator, tokens: dict[str, str]) -> Iterator[PluginProcess]:
    """The plugin process of a `pulumi destroy`: the engine never deletes a resource in the
    update that created it (and the provider leaves an id its own create wrote alone)."""
    yield from _configured_plugin(emu, tokens)


def _front_door(kind: str, **extra: Any) -> Callable[[Emulator, str], None]:
    def arrange(emu: Emulator, verb: str) -> None:
        emu.inject(Fault(kind=kind, route="deployment", method=_METHOD[verb], **extra))

    return arrange


def _failed_provisioning(emu: Emulator, verb: str) -> None:
    emu.inject(Fault(kind="failed-provisioning", method=_METHOD[verb]))


def _quota(emu: Emulator, verb: str) -> None:
    if verb != "delete":
        emu.inject(Fault(kind="insufficient-quota", method=_METHOD[verb]))


def _role_window(emu: Emulator, _verb: str) -> None:
    for tenant, scope in (
        (SOURCE_TENANT, SOURCE_ACCOUNT),
        (DEST_TENANT, DEST_ACCOUNT.split("/providers/")[0]),
    ):
        oid = emu.object_id("deployer", tenant)
        emu.remove_role_assignment(oid, CONTRIBUTOR, scope)
        emu.add_role_assignment(oid, CONTRIBUTOR, scope)
    emu.inject(Fault(kind="role-propagation", seconds=3600))


def _foreign_write(emu: Emulator, _verb: str) -> None:
    assert foreign_write(emu, 0.3) in (200, 201)  # real seconds: ours get 409 till it ends


#: fault kind -> (arrange before a verb, whether that verb then fails)
SCENARIOS: dict[str, tuple[Callable[[Emulator, str], None], bool]] = {
    "throttle": (_front_door("throttle", retry_after=0), False),
    "error": (_front_door("error", status=503, retry_after=0), False),
    "drop": (_front_door("drop"), False),
    "slow": (_front_door("slow", delay=0.2), False),
    "failed-provisioning": (_failed_provisioning, True),
    "insufficient-quota": (_quota, True),
    "role-propagation": (_role_window, True),
    "conflict": (_foreign_write, False),
}


class Transcript:
    """Everything the plugin sent back."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.errors: list[str] = []

    def call(self, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """``(True, reply)``, or ``(False, None)`` when the plugin answered with an error."""
        try:
            reply = fn(*args)
        except grpc.RpcError as error:
            details = error.details() or ""
            self.errors.append(details + "\n" + repr(error.trailing_metadata()))
            return False, None
        self.replies.append(json.dumps(reply, default=str))
        return True, reply


def _lifecycle(
    plugin: PluginProcess,
    destroyer: PluginProcess,
    emu: Emulator,
    kind: str,
    transcript: Transcript,
) -> list[str]:
    """Create, read, update, delete one deployment with the fault before each write."""
    arrange, fails = SCENARIOS[kind]
    name = f"sec-{kind}"
    raw = cross_tenant_inputs(deployment_name=name, owner=f"aoai-deploy/local/{name}")
    failed: list[str] = []

    _, (checked, _) = transcript.call(plugin.check, name, raw)
    arrange(emu, "create")
    ok, created = transcript.call(plugin.create, name, checked)
    emu.clear_faults()
    if not ok:
        failed.append("create")
        ok, created = transcript.call(plugin.create, name, checked)
        assert ok, transcript.errors[-1]
    id_, outs = created
    transcript.call(plugin.read, name, id_, outs)

    _, (news, _) = transcript.call(plugin.check, name, {**raw, "sku_capacity": 2})
    arrange(emu, "update")
    ok, updated = transcript.call(plugin.update, name, id_, outs, news)
    emu.clear_faults()
    if ok:
        outs = updated
    else:
        failed.append("update")

    arrange(emu, "delete")
    ok, _ = transcript.call(destroyer.delete, name, id_, outs)
    emu.clear_faults()
    if not ok:
        failed.append("delete")
        ok, _ = transcript.call(destroyer.delete, name, id_, outs)
        assert ok, transcript.errors[-1]
    assert emu.deployment(DEST_ACCOUNT, name) is None
    assert fails == bool(failed), (kind, failed, transcript.errors[-3:])
    return failed


def test_no_token_in_replies_errors_stderr_or_pickle_across_the_fault_kinds(
    plugin: PluginProcess, destroyer: PluginProcess, emu: Emulator, tokens: dict[str, str]
) -> None:
    transcript = Transcript()

    failed = {kind: _lifecycle(plugin, destroyer, emu, kind, transcript) for kind in SCENARIOS}

    # The faults bit: the failing kinds failed on their writes, with their ARM codes.
    assert failed["failed-provisioning"] == ["create", "update", "delete"]
    assert failed["insufficient-quota"] == ["create", "update"]
    assert failed["role-propagation"] == ["create", "update", "delete"]
    errors = "\n".join(transcript.errors)
    for code in ("InternalServerError", "InsufficientQuota", "AuthorizationFailed"):
        assert code in errors
    stderr = plugin.stderr()
    assert "; retrying in " in stderr  # the retried kinds were retried, and logged
    assert " -> 200 " in stderr  # DEBUG lines of requests were written too

    provider = plugin.provider
    haystacks = {
        **{f"reply {n}": text for n, text in enumerate(transcript.replies, start=1)},
        **{f"error {n}": text for n, text in enumerate(transcript.errors, start=1)},
        "the plugin's stderr": stderr,
        "the destroying plugin's stderr": destroyer.stderr(),
        "the pickled provider": provider,
        "the unpickled bytes": base64.b64decode(provider).decode("latin-1"),
    }
    assert find_secrets(haystacks, needles(tokens.values())) == []


def test_a_configured_provider_that_has_used_its_tokens_pickles_without_them(lab: Lab) -> None:
    lab.engine.create("ft", cross_tenant_inputs(owner="aoai-deploy/pickle/ft"))
    provider = lab.provider

    pickled = serialize_provider(provider)  # what a program writes into the state
    raw = dill.dumps(provider, protocol=5, recurse=True)

    haystacks = {
        "the serialized provider": pickled,
        "its bytes": base64.b64decode(pickled).decode("latin-1"),
        "a plain dill pickle": raw.decode("latin-1"),
    }
    assert find_secrets(haystacks, needles(lab.tokens.values())) == []
    assert len(raw) < 4096  # by reference: module path and class name, no state
