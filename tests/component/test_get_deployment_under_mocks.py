"""``get_deployment`` in a program under Pulumi's mocks: a function like any other, answered by
the mocks' ``call`` for ``aoai-deploy:index:getDeployment`` with the package's names, and
never reading Azure there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks

from aoai_deploy.providers import GetDeploymentResult, get_deployment
from aoai_deploy.providers.core.lookup import GET_DEPLOYMENT
from seed_ids import DEST_ACCOUNT

DEPLOYMENT = f"{DEST_ACCOUNT}/deployments/chat"


class FunctionMocks(mocks.Mocks):
    """Records each call and answers getDeployment as the package's plugin would."""

    def __init__(self, inner: mocks.Mocks) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return self.inner.new_resource(args)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append((args.token, dict(args.args)))
        return {
            "id": DEPLOYMENT,
            "accountId": args.args["accountId"],
            "deploymentName": args.args["deploymentName"],
            "apiVersion": args.args.get("apiVersion", "2024-10-01"),
            "modelName": "gpt-4o",
            "modelVersion": "2024-08-06",
            "skuName": "GlobalStandard",
            "skuCapacity": 7.0,
            "dynamicThrottlingEnabled": True,
            "tags": {"team": "ml"},
        }, []


def test_get_deployment_is_answered_by_the_mocks_with_a_typed_result(
    pulumi_runtime: Callable[..., Any],
) -> None:
    recorded: list[FunctionMocks] = []

    def wrap(inner: mocks.Mocks) -> mocks.Mocks:
        recorded.append(FunctionMocks(inner))
        return recorded[0]

    runtime = pulumi_runtime(wrap_mocks=wrap)

    def program() -> pulumi.Output[GetDeploymentResult]:
        account = pulumi.Output.from_input(DEST_ACCOUNT)  # an Output, as another resource's id
        return get_deployment(account, "chat", api_version="2025-09-01")

    found = runtime.value(runtime.run(program))

    assert recorded[0].calls == [
        (
            GET_DEPLOYMENT,
            {"accountId": DEST_ACCOUNT, "deploymentName": "chat", "apiVersion": "2025-09-01"},
        )
    ]
    assert isinstance(found, GetDeploymentResult)
    assert found.id == DEPLOYMENT
    assert found.sku_capacity == 7
    assert found.dynamic_throttling_enabled is True
    assert found.model_version == "2024-08-06"
    assert found.rate_limits == []  # absent: empty
    assert found.spillover_deployment_name is None
