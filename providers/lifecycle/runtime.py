"""What the lifecycle needs at operation time: configuration, credentials, the ARM client,
and what this update has done so far. Built once per plugin process (one per update)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field

from aoai_deploy.providers.azure.arm import ArmClient
from aoai_deploy.providers.azure.calls import Clock, RetryPolicy, SystemClock
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.tokens import TokenProvider
from aoai_deploy.providers.lifecycle.preflight import Preflight

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """Everything the lifecycle needs at operation time; built in the plugin process only.

    The engine starts one plugin process per update (`pulumi up`, `destroy`, `refresh`), so
    what a Runtime remembers lasts one update.
    """

    config: ProviderConfig
    tokens: TokenProvider
    client: ArmClient
    owner_key: str | None = None
    """The stack's key for the owner tag when the provider holds it (the package's, from its
    ``CheckConfig``); the dynamic resource's comes with each resource's inputs."""
    created: set[str] = field(default_factory=set)
    """ARM ids (lower-cased) of the deployments a create of this process wrote."""
    created_lock: threading.Lock = field(default_factory=threading.Lock)
    today: InitVar[Callable[[], datetime.datetime] | None] = None
    """The date the preflight judges retirements by (default: now, UTC): tests inject one."""
    preflight: Preflight = field(init=False)
    """The preflight of this run, in the mode ``aoai-deploy:preflight`` says."""

    def __post_init__(self, today: Callable[[], datetime.datetime] | None) -> None:
        self.preflight = (
            Preflight(self.config.preflight, today) if today else Preflight(self.config.preflight)
        )

    def remember_create(self, resource_id: str) -> None:
        """Note that a create of this update wrote ``resource_id``."""
        with self.created_lock:
            self.created.add(resource_id.lower())

    def created_here(self, resource_id: str) -> bool:
        """Whether a create of this update wrote ``resource_id``.

        On `pulumi up --replace` (or ``replace_on_changes``) the engine replaces without
        asking ``diff`` whether to delete first, so it creates, then deletes the old
        resource. With an ARM id that stays the same, the create re-adopts the deployment
        (it carries this stack's owner tag), and the delete that follows would remove what
        the new state records. The engine never deletes, in the update that created it, a
        resource it created, so a delete of an id a create of this update wrote is always
        that of another (older) resource under the same id. An etag cannot tell them apart:
        Azure may send none, and an identical PUT need not change it.
        """
        with self.created_lock:
            return resource_id.lower() in self.created

    @classmethod
    def build(
        cls,
        config: ProviderConfig,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        tokens: TokenProvider | None = None,
        today: Callable[[], datetime.datetime] | None = None,
        owner_key: str | None = None,
    ) -> Runtime:
        """``today``: the date the preflight judges retirements by (default: now, UTC)."""
        tokens = tokens or TokenProvider(config)
        client = ArmClient(config, tokens, clock=clock or SystemClock(), policy=policy)
        return cls(config, tokens, client, owner_key=owner_key, today=today)
