"""A dynamic provider that does nothing: the floor of the dynamic-provider mechanism.

Used by the cli-preview bench (bench/cli_preview.py). It lives in a module, as a dynamic
provider must, so that it is pickled by reference and imported in the plugin process.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic


class NoopProvider(pulumi.dynamic.ResourceProvider):
    """Accepts any inputs, never plans a change, creates by echoing its inputs."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        return pulumi.dynamic.CheckResult(news, [])

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=False)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(str(props.get("deployment_name")), dict(props))


class NoopResource(pulumi.dynamic.Resource, module="bench", name="Noop"):
    """One resource of :class:`NoopProvider`."""

    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(NoopProvider(), name, props)
