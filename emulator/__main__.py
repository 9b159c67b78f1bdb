"""Command line: serve the emulator, or mint a token for it.

Serve (the default command)::

    python -m aoai_deploy.emulator [serve] [--host 127.0.0.1] [--port 0] [--seed FILE]
        [--provisioning-seconds S] [--deprovisioning-seconds S]
        [--async-style azure-async-operation|operation-statuses|location|none]
        [--update-header azure-async-operation|location] [--etag-key etag|eTag|none]
        [--running-status Creating] [--retry-after N|none] [--page-size N]

prints one JSON line on stdout, then a readable summary on stderr, and serves until SIGINT or
SIGTERM::

    {"base_url": "https://127.0.0.1:PORT", "ca_path": "/tmp/aoai-emulator-.../ca.pem",
     "pid": 1234, "tenants": {"contoso": "1111...", "fabrikam": "2222..."}}

Mint a token (unsigned; any emulator with the same seed accepts it)::

    python -m aoai_deploy.emulator token --tenant fabrikam [--principal deployer]
        [--expires-in 3600] [--audience URL] [--seed FILE]

prints the token alone on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from aoai_deploy.emulator.emulator import Emulator
from aoai_deploy.emulator.seed import SeedError, load_seed
from aoai_deploy.emulator.settings import ASYNC_STYLES, UPDATE_HEADERS
from aoai_deploy.emulator.tokens import mint


def _retry_after(text: str) -> int | None:
    if text.lower() == "none":
        return None
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0 or 'none'")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aoai_deploy.emulator",
        description="A local Azure Resource Manager for Azure OpenAI deployments.",
    )
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve over HTTPS (the default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--seed", help="seed JSON file (default: the packaged seed)")
    serve.add_argument("--provisioning-seconds", type=float, default=2.0)
    serve.add_argument("--deprovisioning-seconds", type=float, default=1.0)
    serve.add_argument("--async-style", choices=ASYNC_STYLES, default="azure-async-operation")
    serve.add_argument("--etag-key", choices=("etag", "eTag", "none"), default="etag")
    serve.add_argument("--update-header", choices=UPDATE_HEADERS, default="azure-async-operation")
    serve.add_argument("--running-status", default="Creating")
    serve.add_argument("--retry-after", type=_retry_after, default=1, help="seconds, or 'none'")
    serve.add_argument("--page-size", type=int, default=10)
    token = commands.add_parser("token", help="print an unsigned token for a seed principal")
    token.add_argument("--tenant", required=True, help="tenant alias or id")
    token.add_argument("--principal", default="deployer")
    token.add_argument("--expires-in", type=float, default=3600)
    token.add_argument("--audience", default="https://management.azure.com/")
    token.add_argument("--seed", help="seed JSON file (default: the packaged seed)")
    return parser


def _token(args: argparse.Namespace) -> int:
    seed = load_seed(args.seed)
    tid = seed.tenant_id(args.tenant)
    principal = seed.principal(args.principal)
    oid = principal.object_ids.get(tid)
    if oid is None:
        print(
            f"principal {args.principal!r} has no object id in tenant {args.tenant!r}",
            file=sys.stderr,
        )
        return 2
    now = int(time.time())
    claims = {
        "aud": args.audience,
        "iss": f"https://sts.windows.net/{tid}/",
        "iat": now,
        "nbf": now,
        "exp": int(now + args.expires_in),
        "appid": principal.app_id,
        "idtyp": "app",
        "oid": oid,
        "sub": oid,
        "tid": tid,
        "ver": "1.0",
    }
    print(mint(claims))
    return 0


def _serve(args: argparse.Namespace) -> int:
    emulator = Emulator(seed=args.seed, host=args.host, port=args.port)
    settings = emulator.settings
    settings.provisioning_seconds = args.provisioning_seconds
    settings.deprovisioning_seconds = args.deprovisioning_seconds
    settings.async_style = args.async_style
    settings.etag_key = None if args.etag_key == "none" else args.etag_key
    settings.running_status = args.running_status
    settings.update_header = args.update_header
    settings.retry_after = args.retry_after
    settings.page_size = args.page_size
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    emulator.start()
    try:
        tenants = {t.alias: t.id for t in emulator.seed.tenants}
        line = {
            "base_url": emulator.base_url,
            "ca_path": emulator.ca_path,
            "pid": os.getpid(),
            "tenants": tenants,
        }
        print(json.dumps(line), flush=True)
        print(
            f"aoai-deploy emulator serving {emulator.base_url}\n"
            f"  CA certificate: {emulator.ca_path}\n"
            "  token: python -m aoai_deploy.emulator token --tenant fabrikam\n"
            "  stop: Ctrl-C",
            file=sys.stderr,
            flush=True,
        )
        while not done.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in ("serve", "token", "-h", "--help"):
        arguments.insert(0, "serve")
    args = _parser().parse_args(arguments)
    try:
        return _token(args) if args.command == "token" else _serve(args)
    except (SeedError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
