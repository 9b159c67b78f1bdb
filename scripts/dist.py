#!/usr/bin/env python3
"""Build the release's files into ``dist/``, reproducibly, and check them (``make dist``).

    python scripts/dist.py [--outdir dist] [--check-reproducible]

1. The source is the commit's files (``git archive HEAD``: nothing uncommitted, nothing
   ignored, no stale ``build/``), built with the standard front end, ``python -m build``,
   without build isolation (the hash-locked environment brings the backend) and with
   ``SOURCE_DATE_EPOCH`` set to the commit's time.
2. The sdist is written again with fixed metadata: setuptools stamps the files it generates
   (``PKG-INFO``, ``*.egg-info``, the folders) with the time of the build and gzip stamps the
   archive likewise; every time in it becomes the commit's. The wheel is reproducible as
   setuptools writes it.
3. Both are checked as ``twine check`` would check them, with what twine itself uses for it
   (``packaging.metadata`` with validation): the core metadata parses and validates, names the
   version of ``aoai_deploy/__init__.py``, carries the README as its Markdown description, and
   agrees between the wheel and the sdist; the wheel's RECORD matches its files.
4. ``aoai-deploy-<version>.schema.json``: the package schema, read from the built wheel's own
   code, and ``SHA256SUMS`` of the three files.

``--check-reproducible`` builds a second time into a temporary folder and fails unless every
file is byte-identical. Prints one line per file (name, size, sha256).
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from packaging.metadata import Metadata

REPO = Path(__file__).resolve().parents[1]
NAME = "aoai-deploy"
SUMS = "SHA256SUMS"


class DistError(Exception):
    """A built file is not what a release may publish; the message says why."""


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def source_date_epoch() -> int:
    """The commit's time: what every time in the built files becomes."""
    return int(_git("log", "-1", "--format=%ct"))


def build(outdir: Path, epoch: int) -> None:
    """sdist and wheel of HEAD's files into ``outdir``."""
    with tempfile.TemporaryDirectory(prefix="aoai-deploy-dist-") as work:
        source = Path(work) / "source"
        source.mkdir()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"], cwd=REPO, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
        env.pop("PYTHONPATH", None)
        built = subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), "."],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode != 0:
            raise DistError(
                f"python -m build failed:\n{built.stdout[-3000:]}{built.stderr[-3000:]}"
            )


def normalize_sdist(path: Path, epoch: int) -> None:
    """Rewrite the sdist with the commit's time everywhere, members in name order, no owner."""
    with tarfile.open(path) as tar:
        members = [(m, _read(tar, m)) for m in tar]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as out:
        for member, data in sorted(members, key=lambda pair: pair[0].name):
            member.mtime = epoch
            member.pax_headers = {}
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=9) as gz,
    ):
        gz.write(buffer.getvalue())


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes | None:
    file = tar.extractfile(member) if member.isfile() else None
    return file.read() if file is not None else None


def _metadata(text: bytes, where: str) -> Metadata:
    try:
        return Metadata.from_email(text, validate=True)
    except Exception as error:  # an ExceptionGroup of InvalidMetadata, one per field
        details = getattr(error, "exceptions", [error])
        raise DistError(f"{where}: invalid metadata: {'; '.join(map(str, details))}") from None


def check(wheel: Path, sdist: Path, version: str) -> None:
    """The checks of ``twine check`` and what this project asks besides (module docstring)."""
    readme = (REPO / "README.md").read_text()
    with zipfile.ZipFile(wheel) as archive:
        dist_info = f"aoai_deploy-{version}.dist-info"
        wheel_meta = _metadata(archive.read(f"{dist_info}/METADATA"), wheel.name)
        record = archive.read(f"{dist_info}/RECORD").decode()
        for name, digest, _ in csv.reader(io.StringIO(record)):
            if name.endswith("RECORD"):
                continue
            algorithm, _, expected = digest.partition("=")
            actual = base64.urlsafe_b64encode(hashlib.new(algorithm, archive.read(name)).digest())
            if actual.rstrip(b"=").decode() != expected:
                raise DistError(f"{wheel.name}: RECORD does not match {name}")
    with tarfile.open(sdist) as tar:
        pkg_info = tar.extractfile(f"aoai_deploy-{version}/PKG-INFO")
        assert pkg_info is not None
        sdist_meta = _metadata(pkg_info.read(), sdist.name)
    for meta, where in ((wheel_meta, wheel.name), (sdist_meta, sdist.name)):
        if meta.name != NAME or str(meta.version) != version:
            raise DistError(f"{where}: is {meta.name} {meta.version}, not {NAME} {version}")
        described = (meta.description or "").rstrip("\n") == readme.rstrip("\n")
        if meta.description_content_type != "text/markdown" or not described:
            raise DistError(f"{where}: the description is not README.md as Markdown")
        if not meta.summary or not meta.license_expression or not meta.requires_python:
            raise DistError(f"{where}: Summary, License-Expression or Requires-Python missing")
    fields = ("requires_dist", "provides_extra", "requires_python", "license_expression")
    for field in fields:
        if getattr(wheel_meta, field) != getattr(sdist_meta, field):
            raise DistError(f"the wheel and the sdist disagree on {field}")


def write_schema(wheel: Path, path: Path) -> None:
    """The package schema, as the wheel's code generates it (the wheel is importable as it is:
    pure Python in a zip)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from aoai_deploy.plugin.package_schema import package_schema_json; "
        "sys.stdout.write(package_schema_json())"
    )
    printed = subprocess.run(
        [sys.executable, "-I", "-c", code, str(wheel)], capture_output=True, text=True, check=True
    ).stdout
    json.loads(printed)
    path.write_text(printed + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(outdir: Path, version: str, epoch: int) -> list[Path]:
    """Build, normalize, check; the files made, the sums file last."""
    if outdir.exists():
        shutil.rmtree(outdir)
    build(outdir, epoch)
    wheel = outdir / f"aoai_deploy-{version}-py3-none-any.whl"
    sdist = outdir / f"aoai_deploy-{version}.tar.gz"
    if sorted(outdir.iterdir()) != sorted([wheel, sdist]):
        raise DistError(f"the build made {sorted(p.name for p in outdir.iterdir())}")
    normalize_sdist(sdist, epoch)
    check(wheel, sdist, version)
    schema = outdir / f"{NAME}-{version}.schema.json"
    write_schema(wheel, schema)
    files = [wheel, sdist, schema]
    sums = outdir / SUMS
    sums.write_text("".join(f"{sha256(f)}  {f.name}\n" for f in files))
    return [*files, sums]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="dist.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, default=REPO / "dist")
    parser.add_argument("--check-reproducible", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "scripts"))
    from release import VERSION_FILE, read_version

    version = read_version(VERSION_FILE.read_text())
    epoch = source_date_epoch()
    if _git("status", "--porcelain", "--untracked-files=no"):
        print("dist.py: uncommitted changes are not in the build (it is of HEAD)", file=sys.stderr)
    try:
        files = make(args.outdir.resolve(), version, epoch)
        for path in files:
            print(f"{path.name}  {path.stat().st_size} bytes  sha256 {sha256(path)}")
        if args.check_reproducible:
            with tempfile.TemporaryDirectory(prefix="aoai-deploy-dist-again-") as again:
                second = make(Path(again) / "dist", version, epoch)
                differ = [
                    a.name for a, b in zip(files, second, strict=True) if sha256(a) != sha256(b)
                ]
                if differ:
                    raise DistError(f"a second build of the same commit differs: {differ}")
            print(f"a second build of {_git('rev-parse', '--short', 'HEAD')} is byte-identical")
    except DistError as error:
        print(f"dist.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
