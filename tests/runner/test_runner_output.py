"""scripts/pulumi-inline's output handling: each problem once, as the project words it.

The lines are the CLI's, as the Automation API hands them over (non-interactive, one line at
a time, trailing space stripped): tests/e2e/test_errors_once.py runs the real CLI.
"""

from __future__ import annotations

import importlib.util
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def _runner() -> ModuleType:
    loader = SourceFileLoader("pulumi_inline", str(REPO / "scripts" / "pulumi-inline"))
    spec = importlib.util.spec_from_loader("pulumi_inline", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


RUNNER = _runner()
DEPLOYMENT = "pulumi-python:dynamic/aoai:CrossTenantDeployment"


def shown(text: str) -> str:
    said: list[str] = []
    problems = RUNNER.Problems(said.append)
    for line in text.splitlines():
        problems.line(line)
    problems.close()
    return "\n".join(said)


def traceback_of(exception_line: str, indent: str = "    ") -> list[str]:
    return [
        f"{indent}error: Traceback (most recent call last):",
        '      File "/venv/site-packages/pulumi/dynamic/__main__.py", line 84, in wrapper',
        "        return fn(self, request, context)",
        "               ^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '      File "/repo/providers/provider.py", line 53, in wrapper',
        "        raise exc.with_traceback(None) from None",
        f"{indent}{exception_line}",
    ]


ARM_FAILURE = "\n".join(
    [
        "Updating (e2e):",
        "",
        " +  pulumi:pulumi:Stack example-e2e creating (0s)",
        f" +  {DEPLOYMENT} ft-a creating (0s) error: Traceback (most recent call last):",
        f" +  {DEPLOYMENT} ft-a **creating failed** error: Traceback (most recent call last):",
        " +  pulumi:pulumi:Stack example-e2e creating (1s) error: update failed",
        " +  pulumi:pulumi:Stack example-e2e creating (1s) error: Resource monitor has "
        "terminated, shutting down",
        "    pulumi:pulumi:Stack example-e2e running aoai-deploy: INFO: waited; error: none",
        " +  pulumi:pulumi:Stack example-e2e **creating failed** 2 errors",
        "Diagnostics:",
        "  pulumi:pulumi:Stack (example-e2e):",
        "    error: update failed",
        "    error: Resource monitor has terminated, shutting down",
        "",
        f"  {DEPLOYMENT} (ft-a):",
        *traceback_of(
            "aoai_deploy.providers.errors.ArmError: creating /x/deployments/ft-a: "
            "InsufficientQuota: no quota"
        ),
        "    The subscription has too little quota: lower sku_capacity.",
        "",
        "Resources:",
        "    + 2 created",
        "    2 errored",
    ]
)


def test_an_error_of_ours_is_shown_once_as_its_message_and_its_hint() -> None:
    out = shown(ARM_FAILURE)

    assert out.count("creating /x/deployments/ft-a: InsufficientQuota: no quota") == 1
    assert "    error: creating /x/deployments/ft-a: InsufficientQuota: no quota\n" in out
    assert "    The subscription has too little quota: lower sku_capacity." in out
    for noise in ("Traceback", 'File "', "^^^", "update failed", "Resource monitor"):
        assert noise not in out
    # The rows keep their status; the stack, with nothing left to say, leaves the section.
    assert f" +  {DEPLOYMENT} ft-a **creating failed**" in out.splitlines()
    assert "  pulumi:pulumi:Stack (example-e2e):" not in out
    assert out.endswith("Resources:\n    + 2 created\n    2 errored")


def test_an_information_row_that_mentions_an_error_is_left_as_it_is() -> None:
    row = "    pulumi:pulumi:Stack example-e2e running aoai-deploy: INFO: waited; error: none"
    assert row in shown(ARM_FAILURE).splitlines()


def test_the_traceback_of_an_error_that_is_not_ours_is_shown_whole() -> None:
    bug = traceback_of("KeyError: 'sku'")
    text = "\n".join(["Diagnostics:", f"  {DEPLOYMENT} (ft-a):", *bug, "", "Resources:"])

    assert shown(text).splitlines() == [
        "Diagnostics:",
        f"  {DEPLOYMENT} (ft-a):",
        *bug,
        "",
        "Resources:",
    ]


def test_update_failed_alone_is_kept_since_nothing_else_says_what_failed() -> None:
    text = "\n".join(
        ["Diagnostics:", "  pulumi:pulumi:Stack (e2e):", "    error: update failed", "", "Outputs:"]
    )

    assert "    error: update failed" in shown(text).splitlines()


def test_warnings_and_the_rest_of_the_output_pass_unchanged() -> None:
    text = "\n".join(
        [
            "Previewing update (e2e):",
            " +  pulumi:pulumi:Stack e2e create warning: something to know",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (e2e):",
            "    warning: something to know",
            "",
            "Resources:",
            "    + 4 to create",
        ]
    )

    assert shown(text) == text


def test_a_section_at_the_very_end_is_printed_when_the_output_ends() -> None:
    text = "\n".join(["Diagnostics:", "  x:y:Z (n):", "    error: the problem"])

    assert shown(text) == text + "\n"
