"""A stand-in for the Azure CLI's ``az account get-access-token``, for the token benchmark.

azure-identity's ``AzureCliCredential`` runs ``az account get-access-token --output json
--resource <arm> [--tenant <id>]`` once per token it is asked for. This script answers that
one command with an emulator token from the JSON file named by ``BENCH_AZ_TOKENS`` and appends
the tenant to ``BENCH_AZ_CALLS``, so the bench counts what the real credential really asked
for, from outside the plugin process. Standard library only: it starts once per token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="az")
    parser.add_argument("group")
    parser.add_argument("command")
    parser.add_argument("--output", default="json")
    parser.add_argument("--resource")
    parser.add_argument("--scope")
    parser.add_argument("--tenant")
    args = parser.parse_args(argv)
    if (args.group, args.command) != ("account", "get-access-token"):
        print(f"ERROR: the bench's fake az answers get-access-token only: {argv}", file=sys.stderr)
        return 2
    with open(os.environ["BENCH_AZ_TOKENS"], encoding="utf-8") as f:
        tokens: dict[str, dict[str, object]] = json.load(f)
    tenant = (args.tenant or "").lower()
    with open(os.environ["BENCH_AZ_CALLS"], "a", encoding="utf-8") as f:
        f.write((tenant or "(home)") + "\n")
    if tenant not in tokens:
        print(f"ERROR: no token for tenant {tenant or '(home)'}", file=sys.stderr)
        return 1
    entry = tokens[tenant]
    expires_on = int(str(entry["expires_on"]))
    print(
        json.dumps(
            {
                "accessToken": entry["token"],
                "expiresOn": datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
                "expires_on": expires_on,
                "tenant": tenant,
                "tokenType": "Bearer",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
