"""Which network libraries a process imports, and when.

A preview (Configure, Check, Diff) sends nothing to Azure, so it must not pay for importing
what only a request needs: ``requests``, azure-identity, azure-core, msal, cryptography and
what they bring. :func:`watched_command` runs a module (a plugin's entry point) in a fresh
interpreter with an import hook that writes one line to stderr, ``network import: <name>``,
the first time any of :data:`NETWORK_PACKAGES` is imported, followed by the stack that
imported it; :func:`network_imports` reads those names back from the stderr. The hook only
reports: the import goes ahead, so a process that needs the package still works.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

__all__ = ["MARKER", "NETWORK_PACKAGES", "network_imports", "watched_command"]

#: Top-level packages that only a request to Azure needs (requests and its dependencies,
#: azure-identity and its own: azure-core, msal, cryptography, PyJWT).
NETWORK_PACKAGES = (
    "requests",
    "urllib3",
    "certifi",
    "charset_normalizer",
    "idna",
    "azure",
    "msal",
    "msal_extensions",
    "jwt",
    "cryptography",
    "cffi",
)

MARKER = "network import: "

# Runs before the module: reports what was loaded already (nothing, unless site-packages
# preloads it), then every first import of a watched package, with who imported it.
_LAUNCHER = """\
import runpy, sys, traceback
WATCHED = set(sys.argv[1].split(","))
for name in sorted(WATCHED & {m.split(".")[0] for m in sys.modules}):
    sys.stderr.write(f"{MARKER}{name} (before start)\\n")

class _Watch:
    def find_spec(self, name, path=None, target=None):
        if "." not in name and name in WATCHED:
            frames = [f for f in traceback.extract_stack()[:-1] if "<frozen" not in f.filename]
            stack = "".join(traceback.format_list(frames[-6:]))
            sys.stderr.write(f"{MARKER}{name}\\n{stack}")
            sys.stderr.flush()
        return None

sys.meta_path.insert(0, _Watch())
target = sys.argv[2]
sys.argv = [target, *sys.argv[3:]]
if target.endswith(".py"):
    sys.path.insert(0, target.rpartition("/")[0])  # as `python <script>` would
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
""".replace("{MARKER}", MARKER)


def watched_command(target: str, *args: str) -> tuple[str, ...]:
    """The command that runs ``python -u -m <target> <args>`` (or ``python -u <target>
    <args>`` for a ``.py`` file) under the import watch."""
    return (sys.executable, "-u", "-c", _LAUNCHER, ",".join(NETWORK_PACKAGES), target, *args)


def network_imports(stderr: str | Iterable[str]) -> list[str]:
    """The watched packages a watched process imported, in order, from its stderr."""
    lines = stderr.splitlines() if isinstance(stderr, str) else stderr
    return [line.removeprefix(MARKER) for line in lines if line.startswith(MARKER)]
