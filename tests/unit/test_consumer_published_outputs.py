"""examples/consumer reads the example stack's published outputs as data, and says exactly
what is wrong with a file that is not them (issue 15, item 7)."""

from __future__ import annotations

import json
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _published() -> ModuleType:
    # The consumer's own package is named `components`, as aoai-deploy's used to be: load the
    # one file under a name of its own rather than put that folder on sys.path.
    path = REPO / "examples" / "consumer" / "components" / "published.py"
    spec = spec_from_file_location("consumer_published", path)
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


published = _published()
ACCOUNT = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a"
OUTPUTS = {
    "accountId": ACCOUNT,
    "endpoint": "https://a.openai.azure.com/",
    "deploymentIds": {"ft-a": f"{ACCOUNT}/deployments/ft-a"},
    "deploymentNames": {"ft-a": "ft-a"},
}


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "example-azure-outputs.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_four_outputs_are_read_and_nothing_else_is_passed_on(tmp_path: Path) -> None:
    path = _write(tmp_path, {**OUTPUTS, "extra": "ignored"})
    assert published.read_published_outputs(path) == OUTPUTS


def test_a_missing_file_says_to_download_it_first(tmp_path: Path) -> None:
    with pytest.raises(published.PublishedOutputsError, match="download the example stack"):
        published.read_published_outputs(tmp_path / "nowhere.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a JSON file of stack outputs"),
        ([OUTPUTS], "holds a JSON list, not the object"),
        (
            {"accountId": 1, "endpoint": "e", "deploymentIds": {}},
            "accountId is not a JSON str; deploymentNames is missing",
        ),
    ],
)
def test_a_file_that_is_not_the_outputs_names_every_problem(
    tmp_path: Path, content: object, message: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(published.PublishedOutputsError, match=message) as error:
        published.read_published_outputs(path)
    assert str(error.value).startswith("aoai-consumer:exampleOutputs: ")
