"""The README's provider configuration table says what the package's schema says: both come
from ``providers/core/schema.py``'s configuration table."""

from __future__ import annotations

from pathlib import Path

from aoai_deploy.plugin.package_schema import package_schema
from aoai_deploy.providers.core.schema import CONFIG_FIELDS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _config_table() -> dict[str, str]:
    section = README.split("### Provider configuration", 1)[1].split("\n### ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("| `aoai-deploy:"):
            key, meaning = (cell.strip() for cell in line.strip().strip("|").split("|"))
            rows[key.strip("`")] = meaning
    return rows


def test_readme_describes_each_config_key_as_the_schema_does() -> None:
    variables = package_schema()["config"]["variables"]
    table = _config_table()
    assert list(table) == [f"aoai-deploy:{f.name}" for f in CONFIG_FIELDS]
    for field in CONFIG_FIELDS:
        assert (
            table[f"aoai-deploy:{field.name}"]
            == field.description
            == (variables[field.name]["description"])
        )


def test_readme_names_the_package_and_its_import() -> None:
    section = README.split("## Use it from another language", 1)[1].split("\n## ", 1)[0]
    assert "pulumi import aoai-deploy:index:CrossTenantDeployment <name> <deployment ARM id>" in (
        " ".join(section.split())
    )
    assert "examples/yaml/" in section
