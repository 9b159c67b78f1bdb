#!/usr/bin/env python3
"""The release's bookkeeping: the version, its tag and its CHANGELOG section.

    python scripts/release.py version           print aoai_deploy.__version__
    python scripts/release.py check-tag vX.Y.Z  the tag names the version of this commit,
                                                whose CHANGELOG has a dated section for it
    python scripts/release.py notes X.Y.Z       print that section (the GitHub release's notes)
    python scripts/release.py cut X.Y.Z [--date YYYY-MM-DD]
                                                set the version, and turn CHANGELOG.md's
                                                [Unreleased] into `## [X.Y.Z] - <date>` under
                                                a new empty [Unreleased]

Reads the files as text (nothing is imported), so the release workflow runs it before any
install. docs/releasing.md has the whole procedure. Exit status 1 with one line on stderr when
something disagrees.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VERSION_FILE = REPO / "aoai_deploy" / "__init__.py"
CHANGELOG = REPO / "CHANGELOG.md"

#: ``__version__ = "X.Y.Z"`` as aoai_deploy/__init__.py writes it.
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
#: Semantic versioning's X.Y.Z with an optional pre-release (no build metadata: PyPI has none).
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?")
#: A section header: ``## [Unreleased]`` or ``## [X.Y.Z] - YYYY-MM-DD``.
_HEADER = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?[ \t]*$", re.MULTILINE)
UNRELEASED = "Unreleased"
#: The subsections a new [Unreleased] starts with (Keep a Changelog's kinds this project uses).
KINDS = ("Added", "Changed", "Fixed", "Security")
#: Every release says whether its state can be read by the release before it.
STATE_LINE = "**State:**"


class ReleaseError(Exception):
    """Something disagrees; the message says what."""


@dataclass(frozen=True)
class Section:
    """One ``## [...]`` section of the changelog."""

    name: str
    """``Unreleased`` or the version."""
    date: str | None
    start: int
    """Offset of its header line."""
    body_start: int
    end: int
    """Offset where the next section (or the file) starts."""


def read_version(text: str) -> str:
    """The version written in aoai_deploy/__init__.py's text."""
    found = _VERSION_LINE.findall(text)
    if len(found) != 1:
        raise ReleaseError(f"{VERSION_FILE.name}: expected one __version__ line, found {found}")
    return str(found[0])


def sections(changelog: str) -> list[Section]:
    """The changelog's sections, in file order."""
    headers = list(_HEADER.finditer(changelog))
    return [
        Section(
            name=match[1],
            date=match[2],
            start=match.start(),
            body_start=match.end() + 1,
            end=headers[n + 1].start() if n + 1 < len(headers) else len(changelog),
        )
        for n, match in enumerate(headers)
    ]


def section_of(changelog: str, name: str) -> Section:
    for section in sections(changelog):
        if section.name == name:
            return section
    raise ReleaseError(f"CHANGELOG.md has no section ## [{name}]")


def notes(changelog: str, version: str) -> str:
    """The body of ``version``'s section, without its empty subsections."""
    section = section_of(changelog, version)
    if section.date is None:
        raise ReleaseError(f"CHANGELOG.md: ## [{version}] has no date: cut it first")
    body = _drop_empty_kinds(changelog[section.body_start : section.end]).strip()
    if not body:
        raise ReleaseError(f"CHANGELOG.md: ## [{version}] is empty")
    return body + "\n"


def check_tag(tag: str, version: str, changelog: str) -> None:
    """Fail unless ``tag`` is ``v<version>`` and the changelog has that release's notes."""
    if tag != f"v{version}":
        raise ReleaseError(f"tag {tag!r} does not name this commit's version, v{version}")
    notes(changelog, version)


def cut(version: str, date: str, version_text: str, changelog: str) -> tuple[str, str]:
    """``(new version file, new changelog)``: the version set, [Unreleased] dated as it."""
    if not SEMVER.fullmatch(version):
        raise ReleaseError(f"{version!r} is not a semantic version X.Y.Z")
    if any(s.name == version for s in sections(changelog)):
        raise ReleaseError(f"CHANGELOG.md already has ## [{version}]")
    unreleased = section_of(changelog, UNRELEASED)
    body = _drop_empty_kinds(changelog[unreleased.body_start : unreleased.end]).strip()
    if STATE_LINE not in body:
        raise ReleaseError(
            f"CHANGELOG.md: [Unreleased] has no {STATE_LINE} line (can the previous release "
            "read this one's state?)"
        )
    fresh = "".join(f"### {kind}\n\n" for kind in KINDS)
    new_changelog = (
        changelog[: unreleased.start]
        + f"## [{UNRELEASED}]\n\n{fresh}"
        + f"## [{version}] - {date}\n\n{body}\n\n"
        + changelog[unreleased.end :]
    )
    new_version_text = _VERSION_LINE.sub(f'__version__ = "{version}"', version_text)
    read_version(new_version_text)
    return new_version_text, new_changelog


def _drop_empty_kinds(body: str) -> str:
    """``body`` without ``### Kind`` headings that have nothing under them."""
    return re.sub(r"^### [^\n]*\n\s*(?=^### |\Z)", "", body, flags=re.MULTILINE)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("version")
    commands.add_parser("check-tag").add_argument("tag")
    commands.add_parser("notes").add_argument("version")
    cut_parser = commands.add_parser("cut")
    cut_parser.add_argument("version")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    cut_parser.add_argument("--date", default=today)
    args = parser.parse_args(argv)
    try:
        version = read_version(VERSION_FILE.read_text())
        changelog = CHANGELOG.read_text()
        if args.command == "version":
            print(version)
        elif args.command == "check-tag":
            check_tag(args.tag, version, changelog)
            print(version)
        elif args.command == "notes":
            sys.stdout.write(notes(changelog, args.version))
        else:
            new_version, new_changelog = cut(
                args.version, args.date, VERSION_FILE.read_text(), changelog
            )
            VERSION_FILE.write_text(new_version)
            CHANGELOG.write_text(new_changelog)
            print(f"version {args.version}, CHANGELOG.md section dated {args.date}")
    except ReleaseError as error:
        print(f"release.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
