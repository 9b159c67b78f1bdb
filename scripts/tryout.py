"""`make up`: the example stack against the local ARM emulator, from start to finish.

Starts the emulator, points a `local` stack (Pulumi.local.yaml, file backend under .pulumi/,
fixed passphrase) at it, then shows the whole lifecycle with the real Pulumi CLI:
`pulumi up`, the stack outputs, a capacity change as `pulumi preview --diff`, and
`pulumi destroy`. The emulator stops and Pulumi.local.yaml is restored afterwards.

Needs the Pulumi CLI. Without one on PATH (or in .pulumi-cli/ of the repository) it tries to
install it there with Pulumi's installer, and when that cannot work (no network) it says so
in one line and exits with status 2. Set AOAI_DEPLOY_NO_CLI_INSTALL=1 to skip the attempt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STACK = "local"
STACK_FILE = REPO / f"Pulumi.{STACK}.yaml"
STATE_DIR = REPO / ".pulumi" / "state"
CLI_ROOT = REPO / ".pulumi-cli"
#: Only protects the throw-away local state of the try-out stack.
PASSPHRASE = "aoai-deploy-local-tryout"  # noqa: S105
TENANTS = ("contoso", "fabrikam")
INSTALL_HINT = (
    "install it (https://www.pulumi.com/docs/iac/download-install/, or "
    "`curl -fsSL https://get.pulumi.com | sh`) and run `make up` again; "
    "`make test` exercises the same program and provider without it"
)


class TryoutError(Exception):
    """Stops the try-out with one line for the user."""


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def find_cli() -> str | None:
    """The pulumi CLI: $PULUMI, then .pulumi-cli/bin/pulumi, then PATH."""
    candidates = [os.environ.get("PULUMI", ""), str(CLI_ROOT / "bin" / "pulumi")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("pulumi")


def install_cli() -> str | None:
    """Install the CLI into .pulumi-cli/ with Pulumi's installer; None when that fails."""
    if os.environ.get("AOAI_DEPLOY_NO_CLI_INSTALL") or not shutil.which("curl"):
        return None
    print("pulumi CLI not found: trying to install it into .pulumi-cli/ ...", flush=True)
    script = (
        "curl -fsSL --max-time 60 https://get.pulumi.com | "
        f'sh -s -- --install-root "{CLI_ROOT}" --no-edit-path'
    )
    try:
        done = subprocess.run(  # noqa: S602 - a fixed pipeline, no user input
            script, shell=True, capture_output=True, timeout=300, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return find_cli() if done.returncode == 0 else None


def python() -> str:
    """The interpreter of the project's virtual environment (the one running this)."""
    return sys.executable


@contextmanager
def emulator() -> Iterator[dict[str, str]]:
    """Run the emulator for the duration of the block; yields its JSON start-up line."""
    process = subprocess.Popen(
        [python(), "-m", "aoai_deploy.emulator", "--port", "0"],
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


def mint_tokens(tenants: dict[str, str]) -> str:
    """{tenant id: token} for the seed's deployer in both tenants, as JSON."""
    tokens = {}
    for alias in TENANTS:
        done = subprocess.run(
            [python(), "-m", "aoai_deploy.emulator", "token", "--tenant", alias],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        tokens[tenants[alias]] = done.stdout.strip()
    return json.dumps(tokens)


class Pulumi:
    """Runs the CLI in the repository with the try-out stack's backend and passphrase."""

    def __init__(self, cli: str) -> None:
        self.cli = cli
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PULUMI_BACKEND_URL": STATE_DIR.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }

    def __call__(self, *args: str, stdin: str | None = None, check: bool = True) -> None:
        done = subprocess.run(
            [self.cli, *args, "--cwd", str(REPO)],
            input=stdin,
            text=True,
            env=self.env,
            check=False,
            capture_output=not check,
        )
        if check and done.returncode != 0:
            raise TryoutError(f"`pulumi {' '.join(args)}` failed (exit {done.returncode})")


def tryout(cli: str) -> None:
    pulumi = Pulumi(cli)
    with emulator() as emu:
        say(f"emulator at {emu['base_url']}; stack '{STACK}' in {STATE_DIR}")
        # Each run starts from a fresh emulator, so an old stack's state means nothing.
        # --preserve-config: without it `stack rm` deletes Pulumi.local.yaml itself.
        pulumi("stack", "rm", "--yes", "--force", "--preserve-config", STACK, check=False)
        pulumi("stack", "init", STACK)
        pulumi("config", "set", "aoai-deploy:armEndpoint", emu["base_url"])
        pulumi("config", "set", "aoai-deploy:caBundle", emu["ca_path"])
        # On stdin, not the command line, where other users could read it.
        tokens = mint_tokens(emu["tenants"])
        pulumi("config", "set", "--secret", "aoai-deploy:staticTokens", stdin=tokens)
        say("pulumi up: copy contoso's fine-tuned model into fabrikam's account")
        pulumi("up", "--yes", "--skip-preview")
        say("the stack's outputs (what a StackReference reads)")
        pulumi("stack", "output", "--json")
        say("capacity 1 -> 2: what `pulumi preview --diff` shows on a pull request")
        pulumi("config", "set", "--path", "aoai-deploy:deployments[0].skuCapacity", "2")
        pulumi("preview", "--diff")
        say("pulumi destroy")
        pulumi("destroy", "--yes", "--skip-preview")
        pulumi("stack", "rm", "--yes", "--preserve-config", STACK)


def main(argv: Sequence[str] = ()) -> int:
    cli = find_cli() or install_cli()
    if cli is None:
        print(f"make up: the Pulumi CLI is not installed: {INSTALL_HINT}", file=sys.stderr)
        return 2
    saved = STACK_FILE.read_bytes()
    try:
        tryout(cli)
    except TryoutError as exc:
        print(f"make up: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make up: interrupted; the emulator is stopped", file=sys.stderr)
        return 130
    finally:
        # `pulumi config set` and the stack's encryption salt went into the stack file.
        STACK_FILE.write_bytes(saved)
    say("done: the emulator is stopped and Pulumi.local.yaml is as it was")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
