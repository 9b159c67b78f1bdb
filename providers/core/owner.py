"""Who owns a deployment: the ``aoai-deploy-owner`` tag, and what ``create`` may do about it.

A create writes the tag ``<organization>/<project>/<stack>/<resource name>#<stack key>`` so
that a deployment left by a create of this stack that timed out (or whose ``pulumi up`` was
killed) is recognised on the next run and adopted, not refused or duplicated. The rules
(DESIGN.md, "Lifecycle rules"): a create never deletes a deployment it did not create in
this run; it adopts one by the tag only when the live deployment matches what it creates
(the same model: Azure cannot change a deployment's model), and otherwise refuses, naming
the owner.

Why a stack key. ``<organization>/<project>/<stack>/<name>`` alone is not unique: every
self-managed backend (file, S3, Azure Blob) calls its organization ``organization``, so two
teams that run a project and stack of the same names in two backends wrote the same tag and
adopted each other's deployments. Nothing in the name tells the backends apart, and the
provider never learns the backend's URL. So each stack gets a random key, and it has to be
one that exists before the deployment's create starts: a key made inside the create is lost
when that create times out, which is exactly when it is needed. The key is recorded in the
stack's state before any deployment is created, once, and reused by every later run:

* the dynamic resource (and so the component's deployments): one ``OwnerKey`` resource per
  stack (``providers/owner_key.py``), which the program registers with the first
  ``CrossTenantDeployment``; its create makes the key and the state keeps it. Every
  deployment's hidden ``owner_key`` input is its output, so the engine creates the key
  before the first deployment;
* the package's resource: its provider's ``CheckConfig`` adds the key to the provider's own
  inputs (``ownerKey``) and keeps the old one on every later run; the engine stores a
  provider's inputs in the state before any resource that uses it is created, and
  ``Configure`` hands the key to the provider (``Runtime.owner_key``). Nothing for the
  program to declare.

A user has nothing to set. Tags written by releases before the key
(``<organization>/<project>/<stack>/<name>``) are still this stack's, so a deployment an
older release created and timed out on is adopted when it matches; that old form cannot
tell two self-managed backends apart, which is why new deployments carry the key.
"""

from __future__ import annotations

import enum
import secrets
from typing import Final

__all__ = ["KEY_SUFFIX_LENGTH", "Claim", "claim_of", "describe_claim", "new_key", "tag_value"]

#: Hex digits in a stack key (64 random bits).
_KEY_HEX_DIGITS: Final = 16
#: What the key adds to the owner in the tag's value (``#`` and the key).
KEY_SUFFIX_LENGTH: Final = 1 + _KEY_HEX_DIGITS


def new_key() -> str:
    """A fresh stack key."""
    return secrets.token_hex(_KEY_HEX_DIGITS // 2)


def tag_value(owner: str | None, key: str | None) -> str | None:
    """The owner tag's value for ``owner`` (``<organization>/<project>/<stack>/<name>``) in
    the stack of ``key``; without a key, the old form."""
    if owner is None:
        return None
    return f"{owner}#{key}" if key else owner


class Claim(enum.Enum):
    """What a live deployment's owner tag says about the stack that is creating it."""

    NONE = "none"
    """No owner tag: made outside any stack (the portal, a script, another tool)."""
    THIS_STACK = "this stack"
    """This stack's tag: left by a create of this stack that did not complete."""
    THIS_STACK_BEFORE_KEYS = "this stack, written before stack keys"
    """This stack's tag in the form releases before the stack key wrote."""
    OTHER = "another stack"
    """Another stack's tag."""


def claim_of(live_tag: str | None, owner: str | None, key: str | None) -> Claim:
    """Whose ``live_tag`` is, for a stack whose deployment is ``owner`` with ``key``."""
    if not live_tag:
        return Claim.NONE
    if owner is not None and live_tag == tag_value(owner, key):
        return Claim.THIS_STACK
    if owner is not None and key and live_tag == owner:
        return Claim.THIS_STACK_BEFORE_KEYS
    return Claim.OTHER


def describe_claim(live_tag: str, owner: str | None) -> str:
    """Who another stack's ``live_tag`` names, for the refusal: the same name from another
    stack is worth saying so (a stack of the same name in another backend)."""
    named, _, key = live_tag.rpartition("#")
    if owner is not None and key and named == owner:
        return (
            f"another stack of the same organization, project, stack and resource name "
            f"(stack key {key}: a stack of that name in another backend, or one removed and "
            "created again)"
        )
    return f"another stack ({named or live_tag})"
