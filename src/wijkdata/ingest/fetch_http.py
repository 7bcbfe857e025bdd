"""The HTTP side of ``wijkdata fetch``: httpx for the requests, tenacity for the retries.

Rules a download must keep, whatever the server does:

* **one deadline per request** — headers and body together must arrive within ``timeout``
  seconds. httpx's own timeouts bound each socket read, so a server sending one byte every few
  seconds could hold a read loop for ever; the request therefore runs in a worker thread and the
  caller stops waiting at the deadline (the worker is told to stop and its partial file removed);
* **a size cap** — the body is streamed to a temporary file and the download stops as soon as it
  passes ``max_bytes`` (a ``Content-Length`` above the cap stops it before the first byte);
* **same origin only** — a redirect (or, in fetch.py, a ``nextLink``/``next`` link) to another
  scheme, host or port is refused, so an answer can never send the client somewhere else;
* **no credentials in messages** — user:password in a URL and secret-looking query parameters are
  masked in everything printed or recorded (:func:`redact`);
* **"offline" only when the network is unreachable** (no route, DNS temporarily failing);
  a refused connection or an unknown host is named as what it is.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import tenacity

from wijkdata.core.errors import DeliveryError

USER_AGENT = "wijkdata-fetch (+https://github.com/wijkdata)"
MAX_REDIRECTS = 5
SECRET_PARAMS = ("token", "key", "apikey", "api_key", "access_token", "password", "secret",
                 "sig", "signature", "auth")
MAX_RETRY_AFTER = 120.0  # never sleep longer than this on a server's Retry-After


def redact(url: str) -> str:
    """The URL without user:password and with secret-looking query values masked."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_PARAMS for k, _v in pairs):
            query = urllib.parse.urlencode(
                [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in pairs],
                safe="$,'() ")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, allowed: str) -> bool:
    return origin(url) == origin(allowed)


def origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"


class Unreachable(DeliveryError):
    """The network is unreachable (no route, DNS temporarily failing): probably offline."""


class Temporary(DeliveryError):
    """Worth another attempt: 5xx, 429, a reset, a cut body, a missed deadline."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Path | None  # temporary file with the body (None for 304); the caller removes it
    url: str

    def read(self) -> bytes:
        return self.body.read_bytes() if self.body else b""

    def discard(self) -> None:
        if self.body is not None:
            self.body.unlink(missing_ok=True)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(when - time.time(), 0.0), MAX_RETRY_AFTER)


def _network_error(exc: BaseException, url: str) -> DeliveryError:
    """Name a connection failure for what it is; only a real network outage is 'offline'."""
    host = urllib.parse.urlsplit(url).hostname or "?"
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror):
        if cause.errno == socket.EAI_AGAIN:
            return Unreachable(f"cannot look up {host}: name resolution is failing; "
                               "are you offline?")
        return DeliveryError(f"unknown host {host} (DNS has no such name)",
                             hint="check the publisher's base URL in the config or environment")
    if isinstance(cause, ConnectionRefusedError):
        return DeliveryError(f"{host} refused the connection (nothing listens on that port)",
                             hint="check the publisher's base URL in the config or environment")
    if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                      errno.ENETDOWN):
        return Unreachable(f"cannot reach {host}: the network is unreachable; are you offline?")
    return Temporary(f"connection to {host} failed ({type(exc).__name__})")


@dataclass
class Http:
    """GET with a whole-request deadline, a size cap, same-origin redirects and retries."""

    timeout: float = 30.0
    retries: int = 3
    max_bytes: int = 200 * 1024 * 1024
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _client: httpx.Client | None = field(default=None, repr=False)

    def client(self) -> httpx.Client:
        if self._client is None:
            # The deadline in _once decides; httpx's per-read timeout (longer, so it never races
            # the deadline) only ends an abandoned worker. Redirects are checked by hand.
            self._client = httpx.Client(timeout=httpx.Timeout(2 * self.timeout + 1),
                                        follow_redirects=False,
                                        headers={"User-Agent": USER_AGENT}, trust_env=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, headers: dict[str, str] | None = None, *,
            allowed_origin: str | None = None) -> Response:
        """GET ``url`` (retrying temporary trouble); 304 is returned, other errors raise."""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise DeliveryError(f"{redact(url)}: only http and https URLs are fetched")
        allowed = allowed_origin or url

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hint = getattr(exc, "retry_after", None)
            if hint is not None:
                return float(hint)  # the server said when to come back (Retry-After)
            return float(self.backoff * 2 ** (state.attempt_number - 1))

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            retry=tenacity.retry_if_exception_type(Temporary),
            wait=wait, sleep=self.sleep, reraise=True)
        try:
            return retrying(self._follow, url, headers or {}, allowed)
        except Temporary as exc:
            raise DeliveryError(f"{redact(url)}: {exc.message}, after {self.retries + 1} "
                                "attempts") from None

    def _follow(self, url: str, headers: dict[str, str], allowed: str) -> Response:
        for _hop in range(MAX_REDIRECTS + 1):
            if not same_origin(url, allowed):
                raise DeliveryError(
                    f"refused to follow a redirect to {redact(url)}: another scheme, host or "
                    f"port than {origin_text(allowed)}",
                    hint="set the publisher's base URL to the server that holds the data")
            resp = self._once(url, headers)
            if resp.status in (301, 302, 303, 307, 308):
                resp.discard()
                location = resp.headers.get("location")
                if not location:
                    raise DeliveryError(f"{redact(url)}: redirect without a Location")
                url = urllib.parse.urljoin(url, location)
                continue
            return resp
        raise DeliveryError(f"{redact(url)}: more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        """One request under one deadline, run in a worker so a trickle cannot stretch it."""
        self.requests += 1
        stop = threading.Event()
        box: dict[str, object] = {}
        worker = threading.Thread(target=self._download, args=(url, headers, stop, box),
                                  daemon=True, name="wijkdata-fetch")
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            stop.set()  # the worker drops its partial file when it next wakes
            raise Temporary(self._late())
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        resp = box["response"]
        assert isinstance(resp, Response)
        return resp

    def _download(self, url: str, headers: dict[str, str], stop: threading.Event,
                  box: dict[str, object]) -> None:
        fd, tmp_name = tempfile.mkstemp(prefix="wijkdata-fetch-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, \
                    self.client().stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                head = {k.lower(): v for k, v in resp.headers.items()}
                if status == 304 or status in (301, 302, 303, 307, 308):
                    box["response"] = Response(status, head, None, url)
                    return
                if status == 429 or status >= 500:
                    raise Temporary(f"HTTP {status} {resp.reason_phrase}",
                                    retry_after=_retry_after(head.get("retry-after")))
                if status >= 400:
                    raise DeliveryError(f"{redact(url)}: HTTP {status} {resp.reason_phrase}",
                                        hint="check the table id, collection and filters of "
                                        "the source")
                declared = head.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise DeliveryError(self._too_big(url, f"announces {int(declared)} bytes"))
                size = 0
                for chunk in resp.iter_bytes():
                    if stop.is_set():
                        return
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise DeliveryError(self._too_big(url, "kept on sending"))
                    out.write(chunk)
            box["response"] = Response(status, head, tmp, url)
        except DeliveryError as exc:
            box["error"] = exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            box["error"] = _network_error(exc, url)
        except httpx.TimeoutException:
            box["error"] = Temporary(self._late())
        except (httpx.TransportError, httpx.DecodingError) as exc:
            box["error"] = Temporary(f"incomplete response ({type(exc).__name__})")
        except OSError as exc:
            box["error"] = DeliveryError(f"cannot write the download to {tmp}: {exc.strerror}")
        finally:
            if "response" not in box or stop.is_set():
                tmp.unlink(missing_ok=True)

    def _late(self) -> str:
        return (f"no complete answer within {self.timeout:g} s (the deadline covers the whole "
                "response)")

    def _too_big(self, url: str, what: str) -> str:
        return (f"{redact(url)}: the answer {what}, more than the cap of "
                f"{self.max_bytes / 1e6:g} MB; stopped, nothing was replaced (raise the cap "
                "with --max-mb if the table is really this big)")
