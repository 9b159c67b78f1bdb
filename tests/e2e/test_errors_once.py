"""Each problem once, as the project words it, through the runner (`make up`, the tests).

Issue 15, item 5: through scripts/pulumi-inline every provider error came with the SDK's
Python traceback, its first line repeated in the progress rows, and the inline program's
"Resource monitor has terminated, shutting down" beside it. A bad configuration (the
provider's check reports it) and an ARM failure (the SDK's plugin sends it as a traceback,
which the runner cuts to the message) are each shown exactly once, with no traceback line.
"""

from __future__ import annotations

from aoai_deploy.emulator import Fault
from e2e_project import example_config
from seed_ids import DEST_ACCOUNT, FT_MODEL

TWO = [
    {"deploymentName": "ft-a", "modelName": FT_MODEL, "modelVersion": "1"},
    {"deploymentName": "ft-b", "modelName": FT_MODEL, "modelVersion": "1"},
]
NOISE = ("Traceback", 'File "', "Resource monitor has terminated", "update failed")


def assert_no_noise(output: str) -> None:
    for noise in NOISE:
        assert noise not in output, output


def test_a_bad_configuration_is_shown_once_per_problem_without_a_traceback(make_project):
    project = make_project()
    config = example_config(project.emu, deployments=TWO)
    config["aoai-deploy:armEndpont"] = "https://127.0.0.1:1"
    config["aoai-deploy:cloud"] = "Mars"
    project.init(config)
    project.emu.clear_log()

    for command in (("preview",), ("up", "--yes")):
        result = project.cli(*command, check=False)

        assert result.code != 0
        assert result.output.count("did you mean aoai-deploy:armEndpoint?") == 1, result.output
        assert result.output.count("aoai-deploy:cloud is 'Mars'") == 1, result.output
        assert_no_noise(result.output)
    assert project.emu.request_log == []
    assert project.deployments() == {}


def test_an_arm_failure_is_shown_once_with_its_code_and_hint_without_a_traceback(make_project):
    project = make_project()
    project.init(example_config(project.emu, deployments=TWO[:1]))
    project.emu.inject(Fault(kind="insufficient-quota", method="PUT"))

    result = project.cli("up", "--yes", check=False)

    assert result.code != 0
    first_line = f"creating {DEST_ACCOUNT}/deployments/ft-a: InsufficientQuota: "
    assert result.output.count(first_line) == 1, result.output
    said = result.output.split(first_line, 1)[1].splitlines()
    assert said[1].strip().startswith("The subscription has too little quota"), result.output
    assert result.output.count("too little quota") == 1, result.output
    assert_no_noise(result.output)
    # The row still says the resource failed; the Diagnostics section says why.
    assert "fine-tuned-ft-a **creating failed**" in result.output
