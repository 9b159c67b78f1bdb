"""The one HTTP path to Azure Resource Manager.

Every verb goes through :meth:`ArmClient.request`, which

* pins the destination: https only, and tokens go to the configured ARM host and nowhere
  else (a status URL or ``nextLink`` on another host is refused, not followed);
* adds ``api-version``, the bearer token for the destination tenant and, for a cross-tenant
  deployment, ``x-ms-authorization-auxiliary`` (on its status polls too);
* puts a connect and read timeout on each request and checks an overall deadline;
* retries 429, 5xx and dropped connections on idempotent methods with capped, jittered
  backoff that honours ``Retry-After``; retries 409 ``RequestConflict`` for a bounded time;
  optionally retries 403s while a new role assignment propagates;
* turns ARM error bodies into :class:`~aoai_deploy.providers.errors.ArmError` subclasses.

Long-running writes (PUT, PATCH, DELETE) go through :meth:`ArmClient.write`, which holds a
per-account lock in the process (Azure serializes writes under one account and answers 409
otherwise) for the whole operation, and waits for it to end with :mod:`.waiting` (polling
``Azure-AsyncOperation``, ``Location`` or the resource's ``provisioningState``). What a request
carries and gets back (:class:`~.calls.Call`, :class:`~.calls.ArmResponse`) and the retry
bounds (:class:`~.calls.RetryPolicy`) are in :mod:`.calls`.

:meth:`ArmClient.subscription_tenant` is the one request sent without a token: ARM's
challenge to it names the tenant a subscription belongs to.

Written by hand over ``requests`` rather than on azure-core's pipeline and
azure-mgmt-core's ARM poller because those follow any polling URL with the token attached,
know nothing of a per-account write lock or a RequestConflict retry budget, and sleep on
the wall clock where tests need an injected one.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from requests.structures import CaseInsensitiveDict

from aoai_deploy import __version__
from aoai_deploy.providers.azure.calls import (
    MAX_MESSAGE,
    ArmResponse,
    Call,
    Clock,
    RetryPolicy,
    SystemClock,
    TokenSource,
)
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.logs import logger, redact_error
from aoai_deploy.providers.azure.tokens import auxiliary_header
from aoai_deploy.providers.azure.waiting import wait_for_operation
from aoai_deploy.providers.core.hints import hint_for
from aoai_deploy.providers.core.ids import is_guid
from aoai_deploy.providers.errors import (
    AoaiDeployError,
    ArmAuthorizationError,
    ArmConflictError,
    ArmError,
    ArmNotFoundError,
    OperationTimeoutError,
    TransportError,
    about,
)

__all__ = ["ArmClient"]

USER_AGENT = f"aoai-deploy/{__version__}"
# PATCH too: the provider only ever PATCHes absolute values ({sku, tags}), so sending it
# again after a lost answer changes nothing more.
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE", "HEAD"})
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_ROLE_PROPAGATION_CODES = frozenset({"AuthorizationFailed", "LinkedAuthorizationFailed"})
#: The api-version of ``GET /subscriptions/{id}`` (Microsoft.Resources).
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
_AUTHORIZATION_URI = re.compile(r'authorization_uri\s*=\s*"([^"]+)"', re.IGNORECASE)


class ArmClient:
    """Sends requests to one ARM endpoint; safe to share between threads."""

    def __init__(
        self,
        config: ProviderConfig,
        tokens: TokenSource,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self._config = config
        self._endpoint = config.arm_endpoint
        self._tokens = tokens
        self._clock = clock or SystemClock()
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._rng_lock = threading.Lock()
        #: Where progress lines go (the log by default); :mod:`.waiting` reports there too.
        self.progress: Callable[[str], None] = progress or (lambda line: logger.info("%s", line))
        self._local = threading.local()

    # -- public verbs -------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    def url(self, path: str, api_version: str) -> str:
        """The absolute URL of an ARM path with its api-version."""
        return f"{self._endpoint}{path}?{urlencode({'api-version': api_version})}"

    def get(self, call: Call, path: str, api_version: str) -> ArmResponse | None:
        """GET a resource; ``None`` when ARM says 404."""
        response = self.request(call, "GET", self.url(path, api_version), allow=(404,))
        return None if response.status == 404 else response

    def write(
        self,
        call: Call,
        method: str,
        path: str,
        api_version: str,
        body: Mapping[str, Any] | None = None,
        *,
        account_key: str,
    ) -> ArmResponse | None:
        """PUT, PATCH or DELETE and wait for the operation to end.

        Holds the account's write lock for the whole operation. Returns the resource as a
        GET shows it afterwards for PUT and PATCH, ``None`` for DELETE.
        """
        lock = _account_lock(account_key)
        if not lock.acquire(timeout=max(0.0, call.deadline - self._clock.now())):
            raise OperationTimeoutError(
                f"{call.operation} {call.resource_id}: timed out waiting for another write "
                f"to the same account to finish in this process"
            )
        try:
            url = self.url(path, api_version)
            allow = (404,) if method == "DELETE" else ()
            started = self._clock.now()
            first = self.request(call, method, url, body=body, allow=allow)
            return wait_for_operation(self, call, method, first, url, started)
        finally:
            lock.release()

    def subscription_tenant(self, call: Call, subscription_id: str) -> str | None:
        """The tenant a subscription belongs to, or ``None`` when ARM does not say.

        ARM answers an unauthenticated ``GET /subscriptions/{id}`` with 401 and a
        ``WWW-Authenticate`` challenge whose ``authorization_uri`` ends in the
        subscription's tenant: the way to learn it without any access to that tenant. No
        token is sent on this request, and it is not retried: it only improves a message.
        """
        url = self.url(f"/subscriptions/{subscription_id}", SUBSCRIPTIONS_API_VERSION)
        self.check_target(call, url)
        remaining = max(0.1, call.deadline - self._clock.now())
        try:
            raw = self._session().request(
                "GET",
                url,
                headers={"Accept": "application/json"},
                # An auth that adds nothing: without one, requests would fill in credentials
                # from ~/.netrc for the ARM host.
                auth=_no_auth,
                timeout=(
                    min(self._policy.connect_timeout, remaining),
                    min(self._policy.read_timeout, remaining),
                ),
                verify=self._config.verify,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            logger.debug("looking up the tenant of %s: %s", subscription_id, type(exc).__name__)
            return None
        if raw.status_code != 401:
            return None
        match = _AUTHORIZATION_URI.search(raw.headers.get("WWW-Authenticate", ""))
        if match is None:
            return None
        tenant = urlsplit(match[1]).path.strip("/").split("/")[0]
        return tenant.lower() if is_guid(tenant) else None

    def list_pages(self, call: Call, path: str, api_version: str) -> Iterator[dict[str, Any]]:
        """Yield the items of a paged ARM list, following ``nextLink`` on the same host."""
        url: str | None = self.url(path, api_version)
        while url:
            page = self.request(call, "GET", url)
            body = page.body or {}
            yield from body.get("value", [])
            url = body.get("nextLink")

    # -- the one request path -----------------------------------------------------------

    def request(
        self,
        call: Call,
        method: str,
        url: str,
        *,
        body: Mapping[str, Any] | None = None,
        allow: Sequence[int] = (),
    ) -> ArmResponse:
        """Send one request with retries; raise on any non-2xx status not in ``allow``.

        A retry that could not happen before the operation's deadline is not attempted: the
        error that called for it is raised instead, so the user sees ARM's code, not only
        "timed out".
        """
        self.check_target(call, url)
        policy = self._policy
        attempt = 0
        conflict_started: float | None = None
        conflict_attempt = 0
        while True:
            self.check_deadline(call)
            try:
                response = self._send(call, method, url, body)
            except TransportError as exc:
                if method not in _IDEMPOTENT or attempt >= policy.max_retries:
                    raise
                attempt += 1
                delay = self._backoff(attempt, policy.backoff_max)
                reason = exc.__cause__.__class__.__name__ if exc.__cause__ else "no answer"
                self._retry_or_raise(call, delay, exc, f"{method} {_path_of(url)}: {reason}")
                continue
            status = response.status
            if 200 <= status < 300 or status in allow:
                return response
            code, message = _error_of(response)
            error = self._error(call, status, code, message)
            retry_after = self.retry_after(response)
            if status in _RETRYABLE_STATUS and method in _IDEMPOTENT:
                if attempt < policy.max_retries:
                    attempt += 1
                    delay = _first(retry_after, self._backoff(attempt, policy.backoff_max))
                    self._retry_or_raise(
                        call, delay, error, f"{method} {_path_of(url)}: {status} {code}"
                    )
                    continue
            elif status == 409 and code == "RequestConflict":
                now = self._clock.now()
                conflict_started = now if conflict_started is None else conflict_started
                if now - conflict_started < policy.conflict_budget:
                    conflict_attempt += 1
                    # Never sooner than the backoff, whatever Retry-After says: a write that
                    # keeps meeting another one must not turn into a tight loop.
                    delay = max(
                        retry_after or 0.0,
                        self._backoff(conflict_attempt, policy.conflict_backoff_max),
                    )
                    self._retry_or_raise(
                        call,
                        delay,
                        error,
                        f"{method} {_path_of(url)}: another write to the account is running",
                    )
                    continue
            elif (
                status == 403
                and code in _ROLE_PROPAGATION_CODES
                and call.role_wait_until is not None
                and self._clock.now() < call.role_wait_until
            ):
                delay = min(10.0, max(1.0, call.role_wait_until - self._clock.now()))
                self.progress(
                    f"{call.operation} {call.resource_id}: {code}, waiting {delay:.0f}s "
                    "for role assignments to propagate"
                )
                self._retry_or_raise(call, delay, error, "")
                continue
            raise error

    def _retry_or_raise(
        self, call: Call, delay: float, error: AoaiDeployError, reason: str
    ) -> None:
        """Sleep ``delay`` before a retry, or raise ``error`` when that would pass the deadline."""
        if self._clock.now() + delay >= call.deadline:
            raise error
        if reason:
            logger.warning("%s; retrying in %.1fs", reason, delay)
        self._clock.sleep(delay)

    # -- plumbing -----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        # One session per thread: requests.Session is not documented as thread-safe.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            self._local.session = session
        return session

    def _send(
        self, call: Call, method: str, url: str, body: Mapping[str, Any] | None
    ) -> ArmResponse:
        with about(call.operation, call.resource_id):
            headers = {
                "Authorization": "Bearer " + self._tokens.token(call.tenant_id),
                "x-ms-client-request-id": str(uuid.uuid4()),
                "Accept": "application/json",
            }
            if call.aux_tenants:
                headers["x-ms-authorization-auxiliary"] = auxiliary_header(
                    [self._tokens.token(tenant) for tenant in call.aux_tenants]
                )
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        remaining = max(0.1, call.deadline - self._clock.now())
        timeout = (
            min(self._policy.connect_timeout, remaining),
            min(self._policy.read_timeout, remaining),
        )
        begun = self._clock.now()
        try:
            raw = self._session().request(
                method,
                url,
                headers=headers,
                data=data,
                timeout=timeout,
                verify=self._config.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                f"{call.operation} {call.resource_id}: TLS verification of {self._config.host} "
                "failed; for a private endpoint or emulator set aoai-deploy:caBundle "
                "to its CA certificate"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(
                f"{call.operation} {call.resource_id}: {method} {_path_of(url)} got no "
                f"answer from {self._config.host} ({exc.__class__.__name__})"
            ) from exc
        payload: dict[str, Any] | None = None
        if raw.content:
            try:
                parsed = raw.json()
            except ValueError:
                parsed = None
            payload = parsed if isinstance(parsed, dict) else None
        logger.debug(
            "%s %s -> %d in %.2fs",
            method,
            _path_of(url),
            raw.status_code,
            self._clock.now() - begun,
        )
        return ArmResponse(raw.status_code, CaseInsensitiveDict(raw.headers), payload)

    def check_target(self, call: Call, url: str) -> None:
        if not self._config.is_arm_url(url):
            parts = urlsplit(url)
            shown = urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))
            raise TransportError(
                f"{call.operation} {call.resource_id}: refusing to send a token to {shown}: "
                f"only {self._endpoint} (the configured ARM endpoint) is trusted"
            )

    def check_deadline(self, call: Call) -> None:
        if self._clock.now() >= call.deadline:
            raise OperationTimeoutError(
                f"{call.operation} {call.resource_id}: did not finish within "
                "operation_timeout_seconds; the operation may still be running in Azure. "
                "Run `pulumi refresh`, or raise operation_timeout_seconds, then run again "
                "(a deployment this stack created is adopted again on the next run)"
            )

    def _backoff(self, attempt: int, cap: float) -> float:
        # The exponent stops growing long before the cap stops mattering (and 2.0 ** 1024
        # would overflow).
        ceiling = min(cap, self._policy.backoff_base * 2.0 ** min(attempt - 1, 30))
        with self._rng_lock:
            return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def retry_after(self, response: ArmResponse) -> float | None:
        value = response.header("Retry-After")
        if not value:
            return None
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - time.time()
        return min(self._policy.retry_after_cap, max(0.0, seconds))

    def _error(self, call: Call, status: int, code: str, message: str) -> ArmError:
        hint = hint_for(code, call.context)
        args = (call.operation, call.resource_id, status, code, message, hint)
        if status in (401, 403):
            return ArmAuthorizationError(*args)
        if status == 409:
            return ArmConflictError(*args)
        if status == 404:
            return ArmNotFoundError(*args)
        return ArmError(*args)


def _error_of(response: ArmResponse) -> tuple[str, str]:
    body = response.body or {}
    error = body.get("error")
    if not isinstance(error, dict):
        error = body if "code" in body else {}
    error = redact_error(error)  # every field: a code can carry a token as well as a message
    code = str(error.get("code") or f"HTTP{response.status}")
    message = str(error.get("message") or "")
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "..."
    return code, message


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _first(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def _path_of(url: str) -> str:
    return urlsplit(url).path


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _account_lock(account_key: str) -> threading.Lock:
    """The process-wide write lock of one account (keys compared case-insensitively)."""
    key = account_key.lower()
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = threading.Lock()
        return lock
