"""A stack of a Python program in a temporary directory, against one emulator (tests/e2e)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from aoai_deploy.emulator import Emulator
from cli_harness import REPO, PulumiCli
from secret_scan import find_secrets, needles
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

__all__ = ["Project", "example_config", "tokens_for"]


def example_config(emu: Emulator, **overrides: Any) -> dict[str, Any]:
    """The example stack's config for ``emu``: Pulumi.local.yaml's, plus its endpoint and CA;
    ``overrides`` replace keys of the program (``deployments=[...]``; ``None`` removes one)."""
    local = yaml.safe_load((REPO / "Pulumi.local.yaml").read_text())["config"]
    config: dict[str, Any] = {
        **local,
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
    }
    config.update({f"aoai-deploy-example:{key}": value for key, value in overrides.items()})
    return {key: value for key, value in config.items() if value is not None}


def tokens_for(emu: Emulator) -> dict[str, str]:
    """Static tokens of the seed's deployer in both tenants (the stack's secret config)."""
    return {
        tenant: emu.token(tenant, principal="deployer", expires_in=4 * 3600)
        for tenant in (SOURCE_TENANT, DEST_TENANT)
    }


class Project:
    """One project directory, its CLI, and the emulator it deploys into."""

    def __init__(self, cli: PulumiCli, emu: Emulator, tokens: dict[str, str]) -> None:
        self.cli = cli
        self.emu = emu
        self.tokens = tokens
        self.dir = cli.project

    def init(self, config: dict[str, Any]) -> None:
        """`pulumi stack init` with ``config`` in the stack file and the tokens as a secret
        (on stdin, never on a command line)."""
        stack_file = self.dir / f"Pulumi.{self.cli.stack}.yaml"
        stack_file.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        self.cli("stack", "init", self.cli.stack)
        self.cli(
            "config", "set", "--secret", "aoai-deploy:staticTokens", stdin=json.dumps(self.tokens)
        )

    def deployments(self, account: str = DEST_ACCOUNT) -> dict[str, dict[str, Any]]:
        """The emulator's deployments in ``account``, by name."""
        return {d["name"]: d for d in self.emu.deployments(account)}

    def urn(self, name: str) -> str:
        """The URN of the resource named ``name`` in the stack's state."""
        state = json.loads(self.cli.export())
        urns = [r["urn"] for r in state["deployment"].get("resources", [])]
        found = [urn for urn in urns if urn.endswith(f"::{name}")]
        assert len(found) == 1, f"{name} in {urns}"
        return found[0]

    def secrets_found(self, *extra: str) -> list[str]:
        """Tokens found in anything the CLI printed, or in ``extra``."""
        haystacks = {f"output {n}": text for n, text in enumerate(self.cli.outputs, start=1)}
        haystacks.update({f"extra {n}": text for n, text in enumerate(extra, start=1)})
        return find_secrets(haystacks, needles(tokens=self.tokens.values()))
