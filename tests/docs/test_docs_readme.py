"""The README tells the truth: its reference tables are compared with the code they describe."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from aoai_deploy.providers.azure.config import CONFIG_KEYS
from aoai_deploy.providers.core.diff import (
    DELETE_FIRST_FIELDS,
    IGNORED_FIELDS,
    IN_PLACE_ON_PROVISIONED,
    NEW_ID_FIELDS,
    UPDATE_FIELDS,
)
from aoai_deploy.providers.core.schema import DEFAULTS, INPUTS, OUTPUTS, PROVISIONED_SKUS

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
    for name, _type, default, _ in rows:
        if name in DEFAULTS:
            # As DESIGN.md writes them: Python literals, strings in quotes.
            assert default.strip('"') == str(DEFAULTS[name]), name
        else:
            assert default in {"required", "none", "credential's home tenant"} or (
                default.startswith("none: ")
            ), name


def test_inputs_table_says_what_a_change_means_as_the_diff_does() -> None:
    for name, _, _, change in table_under("### `CrossTenantDeployment` inputs"):
        if name in NEW_ID_FIELDS:
            assert change == "replace (new ARM id)", name
        elif name in DELETE_FIRST_FIELDS:
            assert change.startswith("replace, delete first"), name
            if name in IN_PLACE_ON_PROVISIONED:
                assert change.endswith("update in place on provisioned SKUs"), name
            if name == "source_tenant_id":
                assert "only when whether the copy is cross-tenant changes" in change
        elif name in UPDATE_FIELDS:
            assert change.startswith("update"), name
        else:
            assert name in IGNORED_FIELDS
            assert change == "none", name


def test_the_provisioned_skus_named_under_the_table_are_the_ones_the_diff_knows() -> None:
    section = README.split("### `CrossTenantDeployment` inputs", 1)[1]
    sentence = section.split("Provisioned SKUs (", 1)[1].split(")", 1)[0]
    assert re.findall(r"`(\w+)`", sentence) == list(PROVISIONED_SKUS)


def test_outputs_sentence_names_every_output() -> None:
    sentence = README.split("Outputs echo every input", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"`(\w+)`", sentence)) == set(OUTPUTS)


def test_example_stack_table_lists_every_key_pulumi_yaml_declares() -> None:
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    keys = [row[0] for row in table_under("### Example stack configuration")]
    assert keys == [f"aoai-deploy-example:{key}" for key in declared]


def test_every_linked_document_exists() -> None:
    for target in re.findall(r"\]\(([^)#]+\.md)\)", README):
        assert (REPO / target).is_file(), target
