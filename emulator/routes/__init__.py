"""ARM's answers per resource, one module each; ``app.py`` matches the route, applies the checks
every route shares, and calls the handler here.

``subscriptions``     ``GET /subscriptions/{s}``: the subscription, and the tenant challenge
``accounts``          the Cognitive Services account
``deployments``       the deployment lifecycle: get, list, PUT, PATCH, DELETE
``deployment_body``   what a deployment's PUT or PATCH body may say, and the model change rules
``operations``        the status and result URLs of long-running writes
``common``            :class:`~.common.Arm`: the state the handlers share and ARM's common checks
"""

from __future__ import annotations

__all__: list[str] = []
