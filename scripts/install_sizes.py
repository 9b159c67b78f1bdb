#!/usr/bin/env python3
"""The release's sizes on disk: the files in dist/ and a fresh environment that installs the
wheel, without and with the azure-native extra (docs/performance.md, "Install size").

    python scripts/install_sizes.py [--dist dist]     (after `make dist`)

Each environment is made as a user's would be (tests/support/packaging_env.py's locked_venv):
``python -m venv``, the hash-locked requirements from the package index, then the wheel.
Without the extra: requirements/base.txt. With it: requirements/runtime.txt, which is that
plus pulumi-azure-native and its dependencies (and setuptools, which ``python -m venv`` on 3.11
installs anyway). Sizes are ``du`` of the environment's folder; network: the package index.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from packaging_env import fresh_venv, locked_venv, size_on_disk  # noqa: E402

MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(prog="install_sizes.py")
    parser.add_argument("--dist", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    (wheel,) = args.dist.glob("aoai_deploy-*-py3-none-any.whl")
    for path in sorted(args.dist.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory(prefix="aoai-deploy-sizes-") as work:
        root = Path(work)
        empty = fresh_venv(root / "empty", see_outer_site_packages=False)
        print(f"an empty venv (pip, setuptools): {size_on_disk(empty.root) / MIB:.0f} MiB")
        for name, lock in (("default", "base.txt"), ("[azure-native]", "runtime.txt")):
            venv = locked_venv(root / name.strip("[]"), wheel, REPO / "requirements" / lock)
            print(
                f"aoai-deploy {name} (requirements/{lock}): {size_on_disk(venv.root) / MIB:.0f} MiB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
