"""What the two plugins' entry points import, and what the SDK alone costs.

Part of the cold-start section (bench/cold_start.py). Three kinds of rows:

* wall time of a fresh interpreter that runs one import and exits, median of
  :data:`SAMPLES`, the commands taken in turn so that a busy moment hits them alike: the
  interpreter alone, ``grpc``, ``pulumi``, the SDK module each plugin is built on, each of our
  entry points, and the network libraries that a preview no longer imports;
* ``python -X importtime``: our own share over the SDK module each plugin loads first, and
  the top of each entry point's listing;
* how many network libraries each entry point loads (none: the first request imports them);
* what compiling our modules from source costs a start where no bytecode is cached.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import SectionResult, median, ms
from import_watch import NETWORK_PACKAGES

__all__ = ["DYNAMIC_MODULE", "PACKAGE_MODULE", "measure"]

SAMPLES = 5
TOP = 8
#: What the dynamic plugin imports when the first Check unpickles our provider.
DYNAMIC_MODULE = "aoai_deploy.providers.provider"
#: The package plugin's entry point (``python -m aoai_deploy.plugin``).
PACKAGE_MODULE = "aoai_deploy.plugin.__main__"
#: The SDK module each plugin is built on: ``python -m pulumi.dynamic`` serves the dynamic
#: provider; the package's plugin serves through the provider server.
SDK_DYNAMIC = "pulumi.dynamic"
SDK_PACKAGE = "pulumi.provider.experimental.server"
#: Each row: what it stands for, and the code the fresh interpreter runs.
WALL_ROWS = (
    ("python -c pass (the interpreter and site)", "pass"),
    ("import grpc", "import grpc"),
    ("import pulumi (the SDK's package: every plugin pays it)", "import pulumi"),
    (f"import {SDK_DYNAMIC} (the dynamic plugin's server)", f"import {SDK_DYNAMIC}"),
    (f"import {SDK_PACKAGE} (the package plugin's)", f"import {SDK_PACKAGE}"),
    (f"import {DYNAMIC_MODULE}", f"import {DYNAMIC_MODULE}"),
    (f"import {PACKAGE_MODULE}", f"import {PACKAGE_MODULE}"),
    ("import requests (now imported by the first request)", "import requests"),
    ("import azure.identity (now by the first token)", "import azure.identity"),
)
_TIMEOUT = 60.0


@dataclass(frozen=True)
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int


def measure(result: SectionResult) -> None:
    """Add the import rows to ``result``."""
    result.settings.append(
        f"imports: fresh `{sys.executable}` processes, each timed from spawn to exit "
        f"(median of {SAMPLES}, taken in turn), and `-X importtime` after one warm-up run"
    )
    walls = _walls()
    for (label, _), seconds in zip(WALL_ROWS, walls, strict=True):
        result.add(f"fresh interpreter: {label}", ms(seconds))

    # The SDK's provider server over `pulumi` itself: its package's __init__ brings the
    # component host and analyzer along, which importing the server cannot avoid.
    server = [
        line.cumulative_us
        for line in _importtime(f"import pulumi; import {SDK_PACKAGE}")
        if line.module.startswith("pulumi.provider")
    ]
    if server:
        result.add(
            f"import {SDK_PACKAGE} once pulumi is loaded (importtime)", ms(max(server) / 1e6)
        )

    for module, sdk in ((DYNAMIC_MODULE, SDK_DYNAMIC), (PACKAGE_MODULE, SDK_PACKAGE)):
        ours = [
            line.cumulative_us
            for line in _importtime(f"import {sdk}; import {module}")
            if line.module.startswith("aoai_deploy")
        ]
        if not ours:
            result.fail(f"python -X importtime printed nothing for {module}")
            continue
        result.add(f"import {module} once {sdk} is loaded (importtime)", ms(max(ours) / 1e6))

    for module in (DYNAMIC_MODULE, PACKAGE_MODULE):
        count, seconds = _compile_cost(module)
        result.add(f"compiling the {count} modules of ours that import {module} loads", ms(seconds))
    result.notes.append(
        "imports: compiling is paid at every start only where no bytecode is cached "
        "(PYTHONDONTWRITEBYTECODE=1 with a source checkout, or a read-only install that was "
        "never compiled); pip compiles a wheel at install, and the bench compiles first"
    )

    for module in (DYNAMIC_MODULE, PACKAGE_MODULE):
        loaded = _network_modules(module)
        result.add(
            f"network libraries loaded by import {module}",
            ", ".join(loaded) or "none",
            "none",
            not loaded,
        )

    for module in (DYNAMIC_MODULE, PACKAGE_MODULE):
        lines = _importtime(f"import {module}")
        # A dotted import is listed twice (the outer name, then the module itself): keep one.
        cumulative: dict[str, int] = {}
        for line in lines:
            cumulative[line.module] = max(line.cumulative_us, cumulative.get(line.module, 0))
        ranked = sorted(cumulative.items(), key=lambda item: -item[1])[:TOP]
        for rank, (name, micros) in enumerate(ranked, start=1):
            result.add(f"  importtime of {module} #{rank:<2} {name}", ms(micros / 1e6))


def _walls() -> list[float]:
    """Seconds from spawn to exit of ``python -c <code>`` for each row, median of SAMPLES."""
    samples: list[list[float]] = [[] for _ in WALL_ROWS]
    for _, code in WALL_ROWS:  # warm-up: bytecode compiled, files in the page cache
        subprocess.run([sys.executable, "-c", code], check=True, timeout=_TIMEOUT)
    for _ in range(SAMPLES):
        for index, (_, code) in enumerate(WALL_ROWS):
            samples[index].append(_wall([sys.executable, "-c", code]))
    return [median(row) for row in samples]


def _wall(command: list[str]) -> float:
    """Seconds from spawn to exit. A blocking wait: ``subprocess.run(timeout=...)`` polls
    with sleeps of up to 50 ms, which would round every figure up to that grid; a timer
    kills a process that outlives the bound instead."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    watchdog = threading.Timer(_TIMEOUT, process.kill)
    watchdog.start()
    try:
        code = process.wait()
    finally:
        watchdog.cancel()
    elapsed = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{command} exited {code}")
    return elapsed


def _compile_cost(module: str) -> tuple[int, float]:
    """How many of our modules ``import module`` loads, and the seconds compiling their
    sources takes (median of SAMPLES)."""
    code = (
        f"import sys, {module}\n"
        "for name, loaded in sorted(sys.modules.items()):\n"
        "    if name.startswith('aoai_deploy.') and getattr(loaded, '__file__', None):\n"
        "        print(loaded.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=_TIMEOUT
    )
    sources = [(path, Path(path).read_bytes()) for path in done.stdout.split()]
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        for path, source in sources:
            compile(source, path, "exec", dont_inherit=True)
        samples.append(time.perf_counter() - started)
    return len(sources), median(samples)


def _network_modules(module: str) -> list[str]:
    code = (
        f"import sys, {module}\n"
        f"watched = {NETWORK_PACKAGES!r}\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(watched))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=_TIMEOUT
    )
    return done.stdout.split()


def _importtime(code: str) -> list[ImportLine]:
    """The import lines of a fresh interpreter running ``code`` (after one warm-up run, so
    that bytecode is compiled and the files are in the page cache)."""
    command = [sys.executable, "-X", "importtime", "-c", code]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, check=True)
    lines: list[ImportLine] = []
    for raw in done.stderr.splitlines():
        if not raw.startswith("import time:") or "cumulative" in raw:
            continue
        self_us, cumulative_us, module = raw.removeprefix("import time:").split("|", 2)
        lines.append(ImportLine(module.strip(), int(self_us), int(cumulative_us)))
    return lines
