"""The example stack's outputs, as its deploy job publishes them.

The example stack's `up` job writes `pulumi stack output --json` (secrets shown as
``[secret]``) to a blob that only its deploying identity can write; this stack's identity
holds Storage Blob Data Reader on that blob's container and nothing on the example stack's
state. The pipeline downloads the blob before `pulumi up` (README, "Read the example
stack's outputs"), and this reads it as data: JSON, never code, never the other stack's state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: What the example stack exports, and the JSON type of each.
OUTPUTS: dict[str, type] = {
    "accountId": str,
    "endpoint": str,
    "deploymentIds": dict,
    "deploymentNames": dict,
}


class PublishedOutputsError(ValueError):
    """The published outputs file is missing or not what the example stack publishes."""


def read_published_outputs(path: Path) -> dict[str, Any]:
    """The example stack's outputs from ``path``; every problem named in one error."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise PublishedOutputsError(
            f"aoai-consumer:exampleOutputs: {path} does not exist: download the example "
            "stack's published outputs there first (examples/consumer/README.md)"
        ) from None
    except (OSError, ValueError) as error:
        raise PublishedOutputsError(
            f"aoai-consumer:exampleOutputs: {path} is not a JSON file of stack outputs: {error}"
        ) from None
    if not isinstance(data, dict):
        raise PublishedOutputsError(
            f"aoai-consumer:exampleOutputs: {path} holds a JSON {type(data).__name__}, "
            "not the object `pulumi stack output --json` writes"
        )
    problems = [
        f"{key} is missing" if key not in data else f"{key} is not a JSON {kind.__name__}"
        for key, kind in OUTPUTS.items()
        if not isinstance(data.get(key), kind)
    ]
    if problems:
        raise PublishedOutputsError(
            f"aoai-consumer:exampleOutputs: {path} is not the example stack's outputs: "
            + "; ".join(problems)
        )
    return {key: data[key] for key in OUTPUTS}
