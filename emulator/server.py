"""The HTTPS transport: a threaded HTTP/1.1 server on loopback that hands requests to ArmApp.

Standard library only (``http.server``). TLS is negotiated in the worker thread of each
connection, with a timeout, so a client that connects and says nothing cannot stall the
accept loop. Connections are kept alive (``requests.Session`` reuses them) until idle for
``IDLE_TIMEOUT`` seconds; ``close_connections`` ends them all at shutdown so that ``stop()``
never waits on an idle client. Nothing is ever logged to stderr about requests: headers carry
tokens.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from aoai_deploy.emulator.app import ArmApp
from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.auth import peek
from aoai_deploy.emulator.exchange import MAX_BODY_BYTES, Request, Response
from aoai_deploy.emulator.requestlog import RequestLogEntry

__all__ = ["EmulatorServer", "make_ssl_context"]

HANDSHAKE_TIMEOUT: Final = 5.0
IDLE_TIMEOUT: Final = 15.0


def make_ssl_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    """A server-side TLS context for the emulator's certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


class _BodyError(Exception):
    def __init__(self, error: ArmError) -> None:
        super().__init__(str(error))
        self.error = error


class EmulatorServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with per-connection TLS and a way to close every connection."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        app: ArmApp,
        ssl_context: ssl.SSLContext,
        stopping: threading.Event,
        record: Callable[[RequestLogEntry], None],
    ) -> None:
        self.app = app
        self.ssl_context = ssl_context
        self.stopping = stopping
        self.record = record
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.connections_accepted = 0
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(HANDSHAKE_TIMEOUT)
        # Headers and body go out as separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive request.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        with self._connections_lock:
            self._connections.add(tls)
            self.connections_accepted += 1
        try:
            if not self.stopping.is_set():
                _Handler(tls, client_address, self)
        finally:
            with self._connections_lock:
                self._connections.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def close_connections(self) -> None:
        """Shut every open connection so that its worker thread ends now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return  # a client went away; nothing to report
        # A bug in the transport: a traceback shows code, never header values.
        traceback.print_exc(limit=8, file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aoai-deploy-emulator/1"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the base class would write request lines (and more) to stderr."""

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    length = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    raise _BodyError(ArmError.invalid_content("Malformed chunked body.")) from None
                if length == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return b"".join(chunks)
                size += length
                if size > MAX_BODY_BYTES:
                    raise _BodyError(ArmError.body_too_large())
                chunks.append(self.rfile.read(length))
                self.rfile.readline(8)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _BodyError(ArmError.invalid_content("Invalid Content-Length.")) from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise _BodyError(ArmError.body_too_large())
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        started = time.monotonic()
        if self.server.stopping.is_set():
            self.close_connection = True
            return
        split = urllib.parse.urlsplit(self.path)
        query = {
            k: v[0] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()
        }
        headers = {name.lower(): value for name, value in self.headers.items()}
        primary, aux = peek(headers)
        route: str | None = None
        account: str | None = None
        fault: str | None = None
        try:
            body = self._read_body(headers)
        except _BodyError as exc:
            self.close_connection = True
            response = Response(exc.error.status, exc.error.body())
            error_code: str | None = exc.error.code
        else:
            request = Request(self.command, split.path, query, headers, body)
            response, ctx = self.server.app.handle(request)
            route, account, fault, error_code = ctx.route, ctx.account, ctx.fault, ctx.error_code
        # Record before answering: a client that reads the log right after its response must see it.
        self.server.record(
            RequestLogEntry(
                method=self.command,
                path=split.path,
                query=query,
                status=None if response.drop else response.status,
                route=route,
                tenant=primary[0],
                appid=primary[1],
                aux=tuple(aux),
                account=account,
                started=started,
                ended=time.monotonic(),
                fault=fault,
                error_code=error_code,
                headers_seen=tuple(sorted(headers)),
            )
        )
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            if payload:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and response.status != 204:
            self.wfile.write(payload)

    # http.server dispatches on these names.
    do_GET = _serve  # noqa: N815
    do_PUT = _serve  # noqa: N815
    do_PATCH = _serve  # noqa: N815
    do_DELETE = _serve  # noqa: N815
    do_POST = _serve  # noqa: N815
