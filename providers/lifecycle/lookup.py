"""``getDeployment``: one GET of an existing deployment, for a stack that consumes it.

Both fronts call :func:`get_deployment`: the package's plugin for the Invoke of
``aoai-deploy:index:getDeployment`` (YAML's ``fn::invoke``, any language's generated
function), and Python's ``aoai_deploy.providers.get_deployment``. It reads with the same
``aoai-deploy:*`` configuration and credentials as the resource, writes nothing, and manages
nothing: no state, no owner tag, no lock.

Like Pulumi's own get functions, it runs whenever the program calls it, ``pulumi preview``
included: a function is read the moment its arguments are known, so that the program can use
the result. It is the one request a preview may send for it, a read-only GET the program asked
for; the resource itself still sends nothing in a preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from aoai_deploy.providers.azure.calls import Call
from aoai_deploy.providers.core.ids import AccountId
from aoai_deploy.providers.core.lookup import check_lookup, lookup_result
from aoai_deploy.providers.errors import ArmNotFoundError, InputError
from aoai_deploy.providers.lifecycle.runtime import Runtime

__all__ = ["READ_SECONDS", "get_deployment"]

#: The deadline of the read, retries included.
READ_SECONDS: Final = 300.0


def get_deployment(runtime: Runtime, args: Mapping[str, Any]) -> dict[str, Any]:
    """The deployment ``args`` name (:data:`~core.lookup.LOOKUP_ARGS`) as Azure reports it
    (:data:`~core.lookup.LOOKUP_RESULTS`). Raises :class:`InputError` for bad arguments and
    :class:`ArmNotFoundError` when there is no such deployment."""
    checked, failures = check_lookup(args)
    if failures:
        raise InputError(
            "getDeployment: invalid arguments: " + "; ".join(f.reason for f in failures)
        )
    deployment = AccountId.parse(checked["account_id"]).deployment(checked["deployment_name"])
    api_version = str(checked["api_version"])
    tenant = checked.get("tenant_id")
    path = str(deployment)
    call = Call("reading", path, tenant, runtime.client.clock.now() + READ_SECONDS)
    found = runtime.client.get(call, path, api_version)
    if found is None:
        raise ArmNotFoundError(
            "reading",
            path,
            404,
            "NotFound",
            "ARM answered 404: there is no deployment of that name in the account, or no "
            "such account",
            "Check account_id and deployment_name; a fine-tuned deployment idle for 15 days "
            "is deleted by Azure.",
        )
    return lookup_result(deployment, api_version, found.body or {})
