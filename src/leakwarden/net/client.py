"""`Net`: send one request, politely and safely; the callers never see httpx."""

from __future__ import annotations

import email.utils
import os
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class NetError(Exception):
    """A request that got no usable answer; the message is safe to show (it holds no secret)."""


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    elapsed_s: float = 0.0
    attempts: int = 1

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class NetSettings:
    timeout_s: float = 10.0
    retries: int = 2  # after the first attempt
    backoff_s: float = 0.5  # doubled on each retry when the server names no Retry-After
    max_retry_after_s: float = 30.0  # a longer Retry-After is not waited for: the check says so
    per_host_per_s: float = 4.0  # requests per second to one host
    concurrency: int = 8
    user_agent: str = "leakwarden"
    max_body: int = 1 << 20  # a provider's answer larger than this is cut (we read status and JSON)
    extra_ca_file: str | None = None  # tests: a private CA beside the system store


def ssl_context(settings: NetSettings) -> ssl.SSLContext:
    """The system trust store (or `SSL_CERT_FILE` / `SSL_CERT_DIR` where set), verification on."""
    context = ssl.create_default_context(
        cafile=os.environ.get("SSL_CERT_FILE") or None, capath=os.environ.get("SSL_CERT_DIR") or None
    )
    if settings.extra_ca_file:
        context.load_verify_locations(cafile=settings.extra_ca_file)
    return context


_EPSILON_S = 1e-6  # clock arithmetic in floats: a deadline this close has passed


class _HostLimiter:
    """At most `rate` requests in any second to one host, across threads, as the host sees them.

    Requests are spaced 1/rate apart, and one starts only while fewer than `rate` are in flight
    or were answered within the last second. Spacing alone is kept at the sender: a slow first
    handshake can deliver five spaced requests inside one second at the server. An answer is the
    latest moment its request can have arrived, so counting answers closes that gap."""

    WINDOW_S = 1.0

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.limit = max(1, int(rate)) if rate > 0 else 0
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.next_at: dict[str, float] = {}
        self.in_flight: dict[str, int] = {}
        self.answered: dict[str, deque[float]] = {}

    def wait(self, host: str) -> None:
        if not self.limit:
            return
        while True:
            with self.lock:
                now = self.clock()
                recent = self.answered.setdefault(host, deque())
                while recent and recent[0] <= now - self.WINDOW_S + _EPSILON_S:
                    recent.popleft()
                busy = self.in_flight.get(host, 0) + len(recent)
                at = max(now, self.next_at.get(host, now))
                if busy < self.limit and at <= now + _EPSILON_S:
                    self.next_at[host] = now + self.interval
                    self.in_flight[host] = self.in_flight.get(host, 0) + 1
                    return
                if at > now + _EPSILON_S:
                    pause = at - now
                elif recent:
                    pause = recent[0] + self.WINDOW_S - now
                else:
                    pause = 0.01  # every slot is in flight: poll for the first answer
            self.sleep(max(pause, _EPSILON_S))

    def done(self, host: str) -> None:
        if not self.limit:
            return
        with self.lock:
            self.in_flight[host] = max(0, self.in_flight.get(host, 0) - 1)
            self.answered.setdefault(host, deque()).append(self.clock())


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class Net:
    settings: NetSettings = field(default_factory=NetSettings)
    transport: httpx.BaseTransport | None = None  # tests inject one
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sent: list[tuple[str, int]] = field(default_factory=list)  # (host, status or 0): for tests and --verbose

    def __post_init__(self) -> None:
        self._limiter = _HostLimiter(self.settings.per_host_per_s, self.clock, self.sleep)
        self._slots = threading.BoundedSemaphore(max(1, self.settings.concurrency))
        self._lock = threading.Lock()
        options: dict[str, Any] = {
            "timeout": self.settings.timeout_s,
            "follow_redirects": False,
            "headers": {"User-Agent": self.settings.user_agent},
        }
        if self.transport is not None:
            options["transport"] = self.transport
        else:
            options["verify"] = ssl_context(self.settings)
            options["trust_env"] = True  # HTTPS_PROXY, NO_PROXY
        self._client = httpx.Client(**options)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Net:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, request: Request) -> Response:
        """The provider's answer, after retries; NetError when there was none."""
        if urlsplit(request.url).scheme != "https":
            raise NetError("refused: only https URLs are sent credentials")
        attempt, started = 0, self.clock()
        while True:
            attempt += 1
            answered = self._attempt(request)
            if isinstance(answered, str):
                failure = answered
            else:
                answer, body = answered
                self._record(request.host, answer.status_code)
                headers = {k.lower(): v for k, v in answer.headers.items()}
                if answer.status_code not in RETRY_STATUSES or attempt > self.settings.retries:
                    return Response(answer.status_code, headers, body, self.clock() - started, attempt)
                wait = retry_after(headers.get("retry-after"), self.wall())
                if wait is not None and wait > self.settings.max_retry_after_s:
                    return Response(answer.status_code, headers, body, self.clock() - started, attempt)
                self.sleep(wait if wait is not None else self.settings.backoff_s * 2 ** (attempt - 1))
                continue
            self._record(request.host, 0)
            if attempt > self.settings.retries:
                raise NetError(failure)
            self.sleep(self.settings.backoff_s * 2 ** (attempt - 1))

    def _attempt(self, request: Request) -> tuple[httpx.Response, bytes] | str:
        """One exchange under the host's rate limit: the answer and its body, or why there was none."""
        self._limiter.wait(request.host)
        try:
            with self._slots:
                answer = self._client.request(
                    request.method, request.url, headers=list(request.headers), content=request.body or None
                )
                return answer, answer.read()[: self.settings.max_body]
        except httpx.TimeoutException:
            return f"no answer from {request.host} within {self.settings.timeout_s:g} s"
        except httpx.HTTPError as exc:
            return f"could not reach {request.host}: {type(exc).__name__}"
        finally:
            self._limiter.done(request.host)

    def _record(self, host: str, status: int) -> None:
        with self._lock:
            self.sent.append((host, status))
