"""``FineTunedModelDeployment``: a model rolled into one destination account, with what it needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import pulumi

from aoai_deploy.components.args import (
    DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS,
    DestinationAccountArgs,
    FineTunedModelDeploymentArgs,
)
from aoai_deploy.components.deployment_args import deployment_args
from aoai_deploy.components.errors import ComponentArgsError
from aoai_deploy.components.extra import require_azure_native
from aoai_deploy.components.grants import RoleGrants, grants_needed, program_role_grants
from aoai_deploy.components.validation import find_problems
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs

if TYPE_CHECKING:
    # Imported where used: pulumi_azure_native is slow to import, and the aoai-deploy
    # package's plugin builds this component, which needs it only for an account or a grant.
    from pulumi_azure_native import authorization, cognitiveservices

__all__ = ["FineTunedModelDeployment"]

COMPONENT_TYPE: Final = "aoai:index:FineTunedModelDeployment"

#: Stands for a created account's id before Azure made it: not a string, so no grant on it is
#: shared.
_NOT_KNOWN_YET: Final[Any] = object()


class FineTunedModelDeployment(pulumi.ComponentResource):
    """One or more deployments of a model (above all a fine-tuned model copied from an account
    in another Entra tenant) into one destination account, with that account and the role
    assignments the copy needs when asked for.

    Children, parented to the component and named from its name ``<name>``:

    - ``<name>-account``: the destination account (``azure-native:cognitiveservices:Account``),
      only with ``create_account``;
    - ``<name>-<deployment name>``: one ``CrossTenantDeployment`` per deployment.

    With ``role_assignments``, Cognitive Services OpenAI Contributor for the deploying principal
    on the source account (through ``role_assignments.source_provider``; only with a
    ``source_account_id``) and on the destination account, each unless managed elsewhere.
    Azure holds one assignment per (principal, role, scope), so a grant that other components
    of the program may need too (scope and principal given as strings) belongs to the program:
    ``openai-contributor-<GUID>`` under the stack, made once by the first component that needs
    it and depended on by all (see ``grants.py``). The grant on a created account, or for a
    principal given as an Output, is the component's child ``<name>-destination-role`` (or
    ``<name>-source-role``).

    Azure runs one write at a time per account and answers a second with 409
    ``RequestConflict``, so each deployment depends on the one before it: they are made in the
    order given, while other components' deployments into other accounts go on in parallel.
    Two components that deploy into the same account must not run at the same time: pass one
    to the other's ``depends_on``; the component's ``depends_on`` applies to every resource it
    creates. Deployments also depend on the role assignments the component makes or shares,
    and then retry 403s for ``role_propagation_timeout_seconds`` while new grants propagate.

    The destination account's ``azure-native`` resources use the provider the component
    inherits (``opts.providers={"azure-native": ...}`` to pick one for the destination tenant).

    Outputs: ``account_id``, ``endpoint``, ``deployment_ids`` and ``deployment_names`` (both
    keyed by deployment name). Invalid arguments raise
    :class:`~aoai_deploy.components.ComponentArgsError` before anything is registered.
    """

    account_id: pulumi.Output[str]
    """ARM id of the destination account."""
    endpoint: pulumi.Output[str | None]
    """The destination account's endpoint. For a created account, its ``properties.endpoint`` as
    Azure reports it (``https://<subdomain>.openai.azure.com/`` for kind OpenAI,
    ``https://<subdomain>.cognitiveservices.azure.com/`` for AIServices). For an existing account,
    ``https://<existing_account_subdomain>.<openai_domain>/`` when the subdomain is given and
    None otherwise: the component makes no call to look the account up, and an account name
    says nothing sure about its subdomain."""
    deployment_ids: pulumi.Output[dict[str, str]]
    """ARM id of each deployment, keyed by deployment name."""
    deployment_names: pulumi.Output[dict[str, str]]
    """Each deployment's name as its resource reports it, keyed by deployment name."""

    def __init__(
        self,
        name: str,
        args: FineTunedModelDeploymentArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        grants = self._role_grants()
        problems = find_problems(args)
        # A created account's id is not known yet, so no grant on it can be shared, nor clash
        # with a shared one: the stand-in says just that.
        stand_in = args.account_id if args.account_id is not None else _NOT_KNOWN_YET
        needed = grants_needed(args, stand_in)
        problems += grants.problems(name, needed)
        if problems:
            raise ComponentArgsError("FineTunedModelDeployment", name, problems)
        # Checked once the arguments are valid: the line names what asked for azure-native.
        if args.create_account is not None:
            require_azure_native(f"FineTunedModelDeployment {name!r}: create_account")
        if needed:
            require_azure_native(f"FineTunedModelDeployment {name!r}: role_assignments")
        super().__init__(self._type_token, name, None, opts)
        # Children do not inherit depends_on from their parent; it is passed on explicitly so
        # that a component ordered after another really waits for it.
        depends_on = opts.depends_on if opts is not None else None

        def child_opts(
            after: Sequence[pulumi.Resource] = (),
            provider: pulumi.ProviderResource | None = None,
        ) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions.merge(
                pulumi.ResourceOptions(depends_on=depends_on),
                pulumi.ResourceOptions(parent=self, depends_on=list(after), provider=provider),
            )

        self.account: cognitiveservices.Account | None = None
        account_id: pulumi.Input[str]
        if args.create_account is not None:
            self.account = _account(f"{name}-account", args.create_account, child_opts())
            account_id = self.account.id
            endpoint: pulumi.Output[str | None] = self.account.properties.apply(
                lambda properties: properties.endpoint if properties is not None else None
            )
        elif args.account_id is not None:
            account_id = args.account_id
            endpoint = _existing_endpoint(args.existing_account_subdomain, args.openai_domain)
        else:  # find_problems() has ruled this out
            raise AssertionError("no destination account")

        # Shared grants are the program's, found or made here; see grants.py.
        self.role_assignments: list[authorization.RoleAssignment] = []
        for grant in grants_needed(args, account_id):
            assignment = grants.grant(
                self, name, grant, depends_on=depends_on, protect=opts.protect if opts else None
            )
            if all(assignment is not other for other in self.role_assignments):
                self.role_assignments.append(assignment)

        propagation = args.role_propagation_timeout_seconds
        if propagation is None:
            propagation = DEFAULT_ROLE_PROPAGATION_TIMEOUT_SECONDS if self.role_assignments else 0

        self.deployments: dict[str, CrossTenantDeployment] = {}
        previous: list[pulumi.Resource] = []
        for deployment in args.deployments:
            created = self._deployment(
                f"{name}-{deployment.deployment_name}",
                deployment_args(args, deployment, account_id, propagation),
                child_opts(after=[*self.role_assignments, *previous]),
            )
            self.deployments[deployment.deployment_name] = created
            previous = [created]

        self.account_id = pulumi.Output.from_input(account_id)
        self.endpoint = endpoint
        self.deployment_ids = _keyed({k: d.id for k, d in self.deployments.items()})
        self.deployment_names = _keyed({k: d.deployment_name for k, d in self.deployments.items()})
        self.register_outputs(
            {
                "account_id": self.account_id,
                "endpoint": self.endpoint,
                "deployment_ids": self.deployment_ids,
                "deployment_names": self.deployment_names,
            }
        )

    # -- what the aoai-deploy package's variant (aoai_deploy.plugin) makes its own --------

    #: The type token.
    _type_token: ClassVar[str] = COMPONENT_TYPE

    def _deployment(
        self, name: str, args: CrossTenantDeploymentArgs, opts: pulumi.ResourceOptions
    ) -> CrossTenantDeployment:
        """One deployment: the package's variant makes the package's resource instead."""
        return CrossTenantDeployment(name, args, opts)

    def _role_grants(self) -> RoleGrants:
        """The grants this component shares with the others of its program (grants.py)."""
        return program_role_grants()


def _account(
    resource_name: str, account: DestinationAccountArgs, opts: pulumi.ResourceOptions
) -> cognitiveservices.Account:
    from pulumi_azure_native import cognitiveservices  # slow: see TYPE_CHECKING above

    subdomain = account.custom_subdomain_name
    return cognitiveservices.Account(
        resource_name,
        account_name=account.name,
        resource_group_name=account.resource_group_name,
        location=account.location,
        kind=account.kind,
        sku=cognitiveservices.SkuArgs(name="S0"),
        properties=cognitiveservices.AccountPropertiesArgs(
            custom_sub_domain_name=subdomain if subdomain is not None else account.name,
            public_network_access=account.public_network_access,
            disable_local_auth=account.disable_local_auth,
            # Only when asked: an input the account never had would show as a change.
            restore=account.restore,
        ),
        tags=account.tags,
        opts=opts,
    )


def _existing_endpoint(
    subdomain: pulumi.Input[str] | None, domain: str
) -> pulumi.Output[str | None]:
    if subdomain is None:
        return pulumi.Output.from_input(None)
    return pulumi.Output.from_input(subdomain).apply(lambda sub: f"https://{sub}.{domain}/")


def _keyed(values: dict[str, pulumi.Output[Any]]) -> pulumi.Output[dict[str, str]]:
    return pulumi.Output.all(**values).apply(dict)
