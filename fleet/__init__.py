"""``aoai-deploy fleet``: one fine-tuned model rolled into many customer tenants.

A fleet file (YAML, checked against ``fleet.schema.json``: spec.py) names the source account
and the deployments once, then one entry per customer: its key, tenant, subscription and
account, overrides, the credential to use and a ring. ``aoai-deploy fleet`` (cli.py) runs one
Pulumi stack per customer through the Automation API:

- ``program.py``: the program every customer's stack runs, inline in the runner's process
  (the wheel carries it; no checkout, no Python language host needed);
- ``stacks.py``: one customer's stack (its config, one operation, its outcome), in the
  backend the user chose, in the fleet's own project (never ``aoai-deploy``, which is the
  provider's config namespace);
- ``tokens.py``: credentials per tenant, one token per tenant per run shared by the stacks
  where the credential allows, and how it reaches them encrypted;
- ``runner.py``: rings in order, customers in parallel within a ring, the failure budget,
  Ctrl-C; ``progress.py`` the live lines and the final table;
- ``report.py``: the JSON report that ``--only-failed`` resumes from; ``markdown.py`` the
  summary for pull requests (and the fence rule scripts/preview_comment.py uses);
- ``github.py``: the matrix and ring gates of .github/workflows/fleet.yml;
- ``emulator_seed.py``: a seed for the local emulator that serves the whole fleet.
"""

from __future__ import annotations

from aoai_deploy.fleet.spec import Credential, Customer, Fleet, FleetFileError, load_fleet

__all__ = ["Credential", "Customer", "Fleet", "FleetFileError", "load_fleet"]
