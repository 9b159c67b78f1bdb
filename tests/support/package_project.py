"""A project that uses the ``aoai-deploy`` package from YAML, run by the real CLI (tests/e2e).

:meth:`PackageProject.from_example` copies an example project into a temporary directory and
points its plugin path at this checkout's ``plugin/`` folder; commands run through
``cli_harness.PulumiCli`` (its own file backend, passphrase and ``PULUMI_HOME``, offline),
which keeps everything they print for the secret scans.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from aoai_deploy.emulator import Emulator
from cli_harness import REPO, PulumiCli
from secret_scan import find_secrets, needles
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

__all__ = ["EXAMPLE_CONFIG", "PLUGIN", "PackageProject"]

PLUGIN = REPO / "plugin"
#: examples/yaml's program settings for the emulator's seed: the fine-tuned model copied from
#: contoso's source account into fabrikam's, and a base model in the source account.
EXAMPLE_CONFIG = {
    "fineTunedModel": FT_MODEL,
    "sourceAccountId": SOURCE_ACCOUNT,
    "sourceTenantId": SOURCE_TENANT,
    "destinationAccountId": DEST_ACCOUNT,
    "destinationTenantId": DEST_TENANT,
    "baseModelAccountId": SOURCE_ACCOUNT,
    "baseModelTenantId": SOURCE_TENANT,
}


class PackageProject:
    """One YAML project directory with its stack, against one emulator."""

    def __init__(self, cli: PulumiCli, emulator: Emulator) -> None:
        self.cli = cli
        self.directory = cli.project
        self.tokens = {
            emulator.tenant_id(alias): emulator.token(alias, expires_in=4 * 3600)
            for alias in ("contoso", "fabrikam")
        }

    @classmethod
    def from_example(
        cls, example: Path, tmp_path: Path, pulumi: Path, emulator: Emulator
    ) -> PackageProject:
        """A copy of ``example`` with a stack configured for ``emulator`` (static tokens)."""
        directory = tmp_path / "project"
        directory.mkdir()
        project = yaml.safe_load((example / "Pulumi.yaml").read_text())
        for provider in project.get("plugins", {}).get("providers", []):
            if provider.get("name") == "aoai-deploy":
                provider["path"] = str(PLUGIN)
        (directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        # The plugin folder's launcher runs this interpreter, which has aoai-deploy installed.
        env = {"PULUMI_AOAI_DEPLOY_PYTHON": sys.executable}
        made = cls(PulumiCli(pulumi, directory, tmp_path / "home", env_extra=env), emulator)
        made.cli("stack", "init", made.cli.stack)
        made.cli.config(
            {
                "aoai-deploy:armEndpoint": emulator.base_url,
                "aoai-deploy:caBundle": emulator.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": json.dumps(made.tokens),
            },
            secret=["aoai-deploy:staticTokens"],
        )
        return made

    @classmethod
    def from_example_on_path(
        cls, example: Path, directory: Path, pulumi: Path, emulator: Emulator, bin_dir: Path
    ) -> PackageProject:
        """A copy of ``example`` without its ``plugins`` section, so that the CLI runs the
        ``pulumi-resource-aoai-deploy`` command it finds on PATH, in ``bin_dir`` (a virtual
        environment's, where pip put it), as after ``pip install aoai-deploy``; configured
        for ``emulator`` with the example's settings (:data:`EXAMPLE_CONFIG`)."""
        directory.mkdir()
        project = yaml.safe_load((example / "Pulumi.yaml").read_text())
        project.pop("plugins", None)
        (directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        made = cls(
            PulumiCli(pulumi, directory, directory.parent / f"{directory.name}-home"), emulator
        )
        made.use_bin(bin_dir)
        made.cli("stack", "init", made.cli.stack)
        made.cli.config(
            {
                "aoai-deploy:armEndpoint": emulator.base_url,
                "aoai-deploy:caBundle": emulator.ca_path,
                "aoai-deploy:credential": "static",
                "aoai-deploy:staticTokens": json.dumps(made.tokens),
                **EXAMPLE_CONFIG,
            },
            secret=["aoai-deploy:staticTokens"],
        )
        return made

    def use_bin(self, bin_dir: Path) -> None:
        """Run the plugin command in ``bin_dir`` from now on (nothing else of PATH but the
        CLI's own directory and the system's)."""
        self.cli.env_extra = {"PATH": f"{self.cli.cli.parent}:{bin_dir}:/usr/bin:/bin"}

    def output(self, *args: str) -> str:
        """What ``pulumi <args>`` printed (it must succeed)."""
        return self.cli(*args).output

    def export(self) -> dict[str, Any]:
        """The stack's state as stored."""
        exported: dict[str, Any] = json.loads(self.cli.export())
        return exported

    def add_resources(self, program: str) -> None:
        """Add the resources of a YAML program (``pulumi import --out``) to the project's."""
        project = yaml.safe_load((self.directory / "Pulumi.yaml").read_text())
        project.setdefault("resources", {}).update(yaml.safe_load(program)["resources"])
        (self.directory / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))

    def secrets_found(self) -> list[str]:
        """Tokens found in anything the CLI printed or in the stack's state."""
        haystacks = {f"output {n}": text for n, text in enumerate(self.cli.outputs, start=1)}
        haystacks["stack export"] = self.cli.export()
        return find_secrets(haystacks, needles(tokens=self.tokens.values()))
