"""The README tells the truth: its reference tables are compared with the code they describe."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from aoai_deploy.providers.config import CONFIG_KEYS
from aoai_deploy.providers.diff import (
    DELETE_FIRST_FIELDS,
    IGNORED_FIELDS,
    NEW_ID_FIELDS,
    UPDATE_FIELDS,
)
from aoai_deploy.providers.schema import DEFAULTS, INPUTS, OUTPUTS

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def table_under(heading: str) -> list[list[str]]:
    """The rows (cells stripped of backticks) of the first table after ``heading``."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header


def test_first_screen_holds_the_two_commands_and_they_exist() -> None:
    first_screen = "\n".join(README.splitlines()[:15])
    assert "make up" in first_screen
    assert "make test" in first_screen
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^up: ", makefile, re.M)
    assert re.search(r"^test: ", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_provider_config_table_lists_every_key_the_provider_reads() -> None:
    keys = [row[0] for row in table_under("### Provider configuration")]
    assert keys == list(CONFIG_KEYS)


def test_inputs_table_lists_every_input_with_its_default() -> None:
    rows = table_under("### `CrossTenantDeployment` inputs")
    assert [row[0] for row in rows] == list(INPUTS)
    for name, default, _ in rows:
        if name in DEFAULTS:
            expected = DEFAULTS[name]
            shown = {"false": False, "true": True}.get(default, default)
            assert str(shown) == str(expected), name
        else:
            assert default in {"required", "none", "the credential's home tenant"}, name


def test_inputs_table_says_what_a_change_means_as_the_diff_does() -> None:
    for name, _, change in table_under("### `CrossTenantDeployment` inputs"):
        if name in NEW_ID_FIELDS:
            assert change == "replace (a new ARM id)", name
        elif name in DELETE_FIRST_FIELDS:
            assert change.startswith("replace, deleting first"), name
        elif name in UPDATE_FIELDS:
            assert change.startswith("update"), name
        else:
            assert name in IGNORED_FIELDS
            assert change == "nothing", name


def test_outputs_sentence_names_every_output() -> None:
    sentence = README.split("Outputs echo every input", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"`(\w+)`", sentence)) == set(OUTPUTS)


def test_example_stack_table_lists_every_key_pulumi_yaml_declares() -> None:
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    keys = [row[0] for row in table_under("### Example stack configuration")]
    assert keys == [f"aoai-deploy:{key}" for key in declared]


def test_every_linked_document_exists() -> None:
    for target in re.findall(r"\]\(([^)#]+\.md)\)", README):
        assert (REPO / target).is_file(), target
