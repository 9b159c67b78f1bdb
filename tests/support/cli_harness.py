"""The real `pulumi` CLI against an emulator: what tests/e2e (and `make up`'s test) drive.

* :func:`find_cli` asks scripts/pulumi-cli for a CLI (building it from the Go module proxy the
  first time) and says why none could be had.
* :class:`PulumiCli` runs commands in one project directory with its own file backend,
  passphrase and PULUMI_HOME, offline (no update check, no plugin downloads), and keeps
  everything the CLI printed so that a test can scan it for secrets. Python programs go
  through scripts/pulumi-inline (the CLI built here has no Python language host); other
  commands, and programs in other languages, are the CLI's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PULUMI_CLI_SCRIPT = REPO / "scripts" / "pulumi-cli"
PULUMI_INLINE = REPO / "scripts" / "pulumi-inline"
#: Set by .ci/run: a CLI that cannot be had fails the layer instead of skipping it.
REQUIRE_ENV = "AOAI_DEPLOY_REQUIRE_E2E"
#: Protects only the throw-away state of a test.
PASSPHRASE = "aoai-deploy-e2e"

__all__ = ["PASSPHRASE", "REQUIRE_ENV", "CliResult", "PulumiCli", "find_cli"]


def find_cli() -> tuple[Path | None, str]:
    """The `pulumi` to use and ``""``, or ``None`` and why there is none (one line)."""
    done = subprocess.run(
        ["bash", str(PULUMI_CLI_SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    path = done.stdout.strip()
    if done.returncode == 0 and path:
        return Path(path), ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return None, lines[-1] if lines else f"scripts/pulumi-cli exited {done.returncode}"


@dataclass(frozen=True)
class CliResult:
    """One finished command."""

    args: tuple[str, ...]
    code: int
    output: str
    """stdout and stderr, interleaved as printed."""

    def json(self) -> Any:
        return json.loads(self.output)


@dataclass
class PulumiCli:
    """Runs `pulumi` in ``project`` with a backend of its own under ``home``."""

    cli: Path
    project: Path
    home: Path
    stack: str = "e2e"
    env_extra: Mapping[str, str] = field(default_factory=dict)
    python: Path = field(default_factory=lambda: Path(sys.executable))
    """The interpreter that runs Python programs (scripts/pulumi-inline) and their dynamic
    providers: this test run's, unless a test installed aoai-deploy elsewhere."""
    outputs: list[str] = field(default_factory=list)
    """Everything every command printed, in order (for secret scans)."""

    @property
    def env(self) -> dict[str, str]:
        state = self.home / "state"
        state.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "PATH": f"{self.cli.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(self.home / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": str(self.python),
            # Plain output: no colours, no progress animation to parse around.
            "NO_COLOR": "1",
            "PULUMI_NON_INTERACTIVE": "true",
            **self.env_extra,
        }

    def command(self, args: Sequence[str]) -> list[str]:
        """The command line for ``pulumi <args>`` in this project."""
        if (self.project / "__main__.py").is_file():
            return [str(self.python), str(PULUMI_INLINE), "--cwd", str(self.project), *args]
        return [str(self.cli), *args, "--cwd", str(self.project)]

    def __call__(
        self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 240
    ) -> CliResult:
        """Run ``pulumi <args>``; ``check``: fail the test on a non-zero exit."""
        done = subprocess.run(
            self.command(args),
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            timeout=timeout,
            check=False,
        )
        result = CliResult(tuple(args), done.returncode, done.stdout)
        self.outputs.append(f"$ pulumi {' '.join(args)}\n{done.stdout}")
        if check and done.returncode != 0:
            raise AssertionError(
                f"`pulumi {' '.join(args)}` exited {done.returncode}:\n{done.stdout[-4000:]}"
            )
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start ``pulumi <args>`` without waiting (for interrupting it)."""
        return subprocess.Popen(
            self.command(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            start_new_session=True,
        )

    def config(self, values: Mapping[str, Any], *, secret: Sequence[str] = ()) -> None:
        """``pulumi config set`` each value (objects and lists as JSON with --path-less set);
        secret values go on stdin, never on the command line."""
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            if key in secret:
                self("config", "set", "--secret", key, stdin=text)
            elif isinstance(value, list | dict):
                self("config", "set", "--json", key, text)
            else:
                self("config", "set", key, text)

    def export(self) -> str:
        """``pulumi stack export --show-secrets=false``: the state as stored."""
        return self("stack", "export").output


@dataclass(frozen=True)
class _Process:
    pid: int
    ppid: int
    session: int
    name: str


def _processes() -> list[_Process]:
    """Every process on the machine, from Linux's /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found.append(_Process(int(entry.name), int(fields[1]), int(fields[3]), name))
    return found


def children_named(parent: int, name: str) -> list[int]:
    """Pids of the descendants of ``parent`` whose command name is ``name``."""
    processes = _processes()
    tree: dict[int, list[_Process]] = {}
    for process in processes:
        tree.setdefault(process.ppid, []).append(process)
    found, todo = [], [parent]
    while todo:
        for child in tree.get(todo.pop(), []):
            todo.append(child.pid)
            if child.name == name:
                found.append(child.pid)
    return found


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    """Poll ``predicate`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def kill_session(process: subprocess.Popen[str]) -> None:
    """SIGKILL every process left in the session ``process`` leads (``start`` makes one): a
    CLI killed with SIGKILL leaves its plugins running, reparented to init, each in a process
    group of its own but still in that session."""
    for member in _processes():
        if member.session == process.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member.pid, signal.SIGKILL)


def interrupt(process: subprocess.Popen[str], cli_pid: int) -> str:
    """SIGINT the CLI, then SIGKILL it (a user's Ctrl-C, then a killed job); returns what the
    command printed."""
    os.kill(cli_pid, signal.SIGINT)
    time.sleep(1.0)
    with contextlib.suppress(ProcessLookupError):  # it may have stopped on the SIGINT
        os.kill(cli_pid, signal.SIGKILL)
    out, _ = process.communicate(timeout=120)
    return out
