"""`make up`: the example stack against the local ARM emulator, with the real Pulumi CLI.

Gets a CLI (scripts/pulumi-cli: the one on PATH, a cached build, or a pinned build from the Go
module proxy), starts the emulator, points a `local` stack (Pulumi.local.yaml, file backend
under .pulumi/, fixed passphrase) at it, then runs the whole lifecycle: `pulumi up`, the stack
outputs, a capacity change shown by `pulumi preview --diff` and applied by `pulumi up`, and
`pulumi destroy`. After each step it reads the emulator the way `az` would, and the last line
says what was proven. The emulator stops and Pulumi.local.yaml is restored afterwards.

`pulumi preview` and `pulumi up` go through scripts/pulumi-inline, which runs __main__.py as
an Automation API inline program when the CLI has no Python language host (a build from the
Go module proxy has none); every other command is the CLI's own.

Exit status: 0 done, 1 a step failed, 2 no CLI could be had, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
STACK = "local"
STACK_FILE = REPO / f"Pulumi.{STACK}.yaml"
WORK_DIR = REPO / ".pulumi"
STATE_DIR = WORK_DIR / "state"
#: Only protects the throw-away local state of the try-out stack.
PASSPHRASE = "aoai-deploy-local-tryout"  # noqa: S105
TENANTS = ("contoso", "fabrikam")
# What Pulumi.local.yaml deploys into, read back from the emulator after each step.
ACCOUNT = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference/"
    "providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
DEPLOYMENT = "ft-gpt-4o-mini"
CAPACITY_PATH = "aoai-deploy-example:deployments[0].skuCapacity"


class TryoutError(Exception):
    """Stops the try-out with one line for the user."""


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def find_cli() -> Path | None:
    """The `pulumi` scripts/pulumi-cli gives (building it the first time); None if none."""
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "pulumi-cli")],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    path = done.stdout.strip()
    return Path(path) if done.returncode == 0 and path else None


@contextmanager
def emulator() -> Iterator[dict[str, Any]]:
    """Run the emulator for the duration of the block; yields its JSON start-up line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aoai_deploy.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise TryoutError("the emulator did not start: run `make emulator` to see why")
        yield json.loads(line)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def mint_token(tenant: str) -> str:
    """A token the emulator accepts for the seed's deployer in ``tenant`` (alias or id)."""
    done = subprocess.run(
        [sys.executable, "-m", "aoai_deploy.emulator", "token", "--tenant", tenant],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


class Emulator:
    """Reads the try-out deployment from the running emulator, as `az` would."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.base_url = str(info["base_url"])
        self.ca_path = str(info["ca_path"])
        self.tenants: dict[str, str] = dict(info["tenants"])

    def capacity(self) -> int | None:
        """The deployment's SKU capacity; None when there is no such deployment."""
        reply = requests.get(
            f"{self.base_url}{ACCOUNT}/deployments/{DEPLOYMENT}",
            params={"api-version": "2024-10-01"},
            headers={"Authorization": "Bearer " + mint_token("fabrikam")},
            verify=self.ca_path,
            timeout=30,
        )
        if reply.status_code == 404:
            return None
        reply.raise_for_status()
        return int(reply.json()["sku"]["capacity"])


class Pulumi:
    """Runs the CLI (through scripts/pulumi-inline) in the repository, offline and quiet."""

    def __init__(self, cli: Path) -> None:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": STATE_DIR.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            # Plugins and CLI settings of the try-out stay under .pulumi/, not ~/.pulumi.
            "PULUMI_HOME": str(WORK_DIR / "home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # The program imports pulumi-azure-native; the local stack makes no azure-native
            # resource, so its plugin is never needed and must not be downloaded.
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
        }

    def __call__(
        self, *args: str, stdin: str | None = None, quiet: bool = False, show: bool = True
    ) -> str:
        """Run ``pulumi <args>``; its output is shown as it comes unless ``quiet``."""
        if show:
            print(f"$ pulumi {' '.join(args)}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "pulumi-inline"), "--cwd", str(REPO), *args],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        assert process.stdout is not None
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        lines = []
        for line in process.stdout:
            lines.append(line)
            if not quiet:
                print(line, end="", flush=True)
        if process.wait() != 0:
            if quiet:
                print("".join(lines), end="", flush=True)
            raise TryoutError(f"`pulumi {' '.join(args)}` failed (exit {process.returncode})")
        return "".join(lines)


def tryout(cli: Path) -> str:
    """The whole try-out; returns what it proved."""
    pulumi = Pulumi(cli)
    with emulator() as info:
        emu = Emulator(info)
        say(f"emulator at {emu.base_url}; stack '{STACK}' with its state in {STATE_DIR}")
        # Each run starts from a fresh emulator, so an old stack's state means nothing.
        # --preserve-config: without it `stack rm` deletes Pulumi.local.yaml itself.
        with contextlib.suppress(TryoutError):  # no such stack yet
            pulumi("stack", "rm", "--yes", "--force", "--preserve-config", STACK, quiet=True)
        pulumi("stack", "init", STACK)
        pulumi("config", "set", "aoai-deploy:armEndpoint", emu.base_url)
        pulumi("config", "set", "aoai-deploy:caBundle", emu.ca_path)
        # On stdin, not the command line, where other users could read it.
        tokens = {emu.tenants[alias]: mint_token(alias) for alias in TENANTS}
        pulumi("config", "set", "--secret", "aoai-deploy:staticTokens", stdin=json.dumps(tokens))

        say("pulumi up: copy contoso's fine-tuned model into fabrikam's account")
        pulumi("up", "--yes")
        created = emu.capacity()
        if created is None:
            raise TryoutError(f"`pulumi up` succeeded but the emulator has no {DEPLOYMENT}")
        print(f"emulator: {DEPLOYMENT} exists with capacity {created}")

        say("the stack's outputs (what a StackReference reads)")
        outputs = json.loads(pulumi("stack", "output", "--json"))
        if DEPLOYMENT not in outputs.get("deploymentIds", {}):
            raise TryoutError(f"the stack's deploymentIds output does not name {DEPLOYMENT}")

        wanted = created + 1
        say(f"capacity {created} -> {wanted}: what `pulumi preview --diff` shows on a pull request")
        pulumi("config", "set", "--path", CAPACITY_PATH, str(wanted))
        preview = pulumi("preview", "--diff")
        if "sku_capacity" not in preview or f"{created} => {wanted}" not in preview:
            raise TryoutError(
                f"`pulumi preview --diff` did not show sku_capacity {created} => {wanted}"
            )
        if "1 to update" not in preview:
            raise TryoutError("`pulumi preview --diff` did not plan one update")
        say("pulumi up: apply it in place")
        pulumi("up", "--yes")
        applied = emu.capacity()
        if applied != wanted:
            raise TryoutError(
                f"after `pulumi up` the emulator has capacity {applied}, not {wanted}"
            )
        print(f"emulator: {DEPLOYMENT} has capacity {applied}")

        say("pulumi destroy")
        pulumi("destroy", "--yes")
        if emu.capacity() is not None:
            raise TryoutError(f"`pulumi destroy` succeeded but {DEPLOYMENT} is still there")
        print(f"emulator: {DEPLOYMENT} is gone")
        pulumi("stack", "rm", "--yes", "--preserve-config", STACK)
    return (
        f"up created {DEPLOYMENT} (capacity {created}), preview --diff showed sku_capacity "
        f"{created} => {wanted} as an update, up applied it in place, destroy removed it"
    )


def main(argv: Sequence[str] = ()) -> int:
    started = time.monotonic()
    say("the Pulumi CLI (scripts/pulumi-cli: on PATH, cached, or built once from the Go proxy)")
    cli = find_cli()
    if cli is None:
        print(
            "make up: no Pulumi CLI could be had (scripts/pulumi-cli said why above)",
            file=sys.stderr,
        )
        return 2
    version = subprocess.run([str(cli), "version"], capture_output=True, text=True, check=False)
    print(f"{cli} {version.stdout.strip()}")
    saved = STACK_FILE.read_bytes()
    try:
        proven = tryout(cli)
    except TryoutError as exc:
        print(f"make up: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make up: interrupted; the emulator is stopped", file=sys.stderr)
        return 130
    finally:
        # `pulumi config set` and the stack's encryption salt went into the stack file.
        STACK_FILE.write_bytes(saved)
    seconds = time.monotonic() - started
    print(
        f"\nmake up: done in {seconds:.0f}s with pulumi {version.stdout.strip()}: {proven}; "
        "the emulator is stopped and Pulumi.local.yaml is as it was.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
