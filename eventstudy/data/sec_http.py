"""Polite HTTP access to the SEC's hosts: User-Agent, rate limit, retries.

The SEC asks every automated client for a User-Agent naming a contact (for
example ``"Jane Doe jane@uni.edu"``) and for at most 10 requests per second;
see its "Accessing EDGAR Data" page. :class:`SecClient` enforces both: it
refuses to start without a User-Agent (argument, else
``$EVENTSTUDY_SEC_USER_AGENT``) and spaces its requests at least
``1 / max_per_second`` seconds apart (across threads). Transient failures
(connection errors, HTTP 429 and 5xx) are retried with exponential backoff,
honouring ``Retry-After``.

The hosts are settings, so a mirror or a local test server can stand in:

``EVENTSTUDY_SEC_DATA_URL``
    the submissions host (default ``https://data.sec.gov``);
``EVENTSTUDY_SEC_WWW_URL``
    the tickers files (``/files/...``) and the archives
    (``/Archives/edgar/data/...``) (default ``https://www.sec.gov``).

``requests`` is imported lazily; it is a dependency of the package (already
required by yfinance), and a clear error says how to install it if missing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventstudy.exceptions import DataProviderError, RateLimitError

__all__ = [
    "DATA_URL_ENV",
    "USER_AGENT_ENV",
    "WWW_URL_ENV",
    "HttpNotFound",
    "SecClient",
    "data_url",
    "resolve_user_agent",
    "www_url",
]

#: Environment variable holding the User-Agent (a name and an e-mail address).
USER_AGENT_ENV = "EVENTSTUDY_SEC_USER_AGENT"
#: Environment variable holding the submissions host.
DATA_URL_ENV = "EVENTSTUDY_SEC_DATA_URL"
#: Environment variable holding the www host (tickers files and archives).
WWW_URL_ENV = "EVENTSTUDY_SEC_WWW_URL"
_DEFAULT_DATA_URL = "https://data.sec.gov"
_DEFAULT_WWW_URL = "https://www.sec.gov"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def data_url() -> str:
    """Return the submissions host, without a trailing slash.

    Returns
    -------
    str
        ``$EVENTSTUDY_SEC_DATA_URL`` or ``https://data.sec.gov``.
    """
    return (os.environ.get(DATA_URL_ENV) or _DEFAULT_DATA_URL).rstrip("/")


def www_url() -> str:
    """Return the www host (tickers files, archives), without a trailing slash.

    Returns
    -------
    str
        ``$EVENTSTUDY_SEC_WWW_URL`` or ``https://www.sec.gov``.
    """
    return (os.environ.get(WWW_URL_ENV) or _DEFAULT_WWW_URL).rstrip("/")


def resolve_user_agent(user_agent: str | None = None) -> str:
    """Return the User-Agent to send, or raise a clear error without one.

    Parameters
    ----------
    user_agent : str, optional
        Wins over ``$EVENTSTUDY_SEC_USER_AGENT``.

    Returns
    -------
    str
        The User-Agent.

    Raises
    ------
    DataProviderError
        If neither is set, or the value names no contact (no ``@``).
    """
    ua = (user_agent or os.environ.get(USER_AGENT_ENV) or "").strip()
    if not ua:
        raise DataProviderError(
            "the SEC requires a User-Agent naming you and a contact e-mail: pass "
            f'--user-agent "Your Name you@example.org" or set ${USER_AGENT_ENV} '
            "(or use --offline to read only what the local store holds)"
        )
    if "@" not in ua:
        raise DataProviderError(
            f"User-Agent {ua!r} names no contact: the SEC asks for an e-mail "
            'address, e.g. "Your Name you@example.org"'
        )
    return ua


class HttpNotFound(DataProviderError):
    """The server answered 404 (the document does not exist)."""


def _requests() -> Any:
    try:
        import requests
    except ImportError as exc:  # pragma: no cover - requests ships with yfinance
        raise DataProviderError(
            "reading SEC filings needs the 'requests' package: "
            "pip install 'eventstudy[edgar]' (or pip install requests)"
        ) from exc
    return requests


@dataclass
class SecClient:
    """A rate-limited, retrying HTTP client for the SEC's hosts.

    Parameters
    ----------
    user_agent : str, optional
        The User-Agent; default ``$EVENTSTUDY_SEC_USER_AGENT`` (required).
    max_per_second : float, default 10
        Upper bound on the request rate (the SEC's limit is 10/s).
    retries : int, default 4
        Attempts after the first for transient failures.
    backoff : float, default 1.0
        First wait in seconds, doubled at each retry (``Retry-After`` wins
        when the server sends it, capped at 60 s).
    timeout : float, default 30
        Seconds per request.

    Attributes
    ----------
    requests_made : int
        Number of HTTP requests sent (for reports and tests).
    """

    user_agent: str | None = None
    max_per_second: float = 10.0
    retries: int = 4
    backoff: float = 1.0
    timeout: float = 30.0
    requests_made: int = 0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _last: float = field(default=0.0, repr=False)
    _session: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.user_agent = resolve_user_agent(self.user_agent)
        if not self.max_per_second > 0 or self.max_per_second > 10:
            raise ValueError(
                f"max_per_second must be in (0, 10] (the SEC's limit), got "
                f"{self.max_per_second}"
            )

    def _wait_turn(self) -> None:
        with self._lock:
            gap = 1.0 / self.max_per_second
            now = time.monotonic()
            wait = self._last + gap - now
            if wait > 0:
                self.sleep(wait)
                now = time.monotonic()
            self._last = now
            self.requests_made += 1

    def _get_session(self) -> Any:
        if self._session is None:
            session = _requests().Session()
            session.headers.update(
                {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"}
            )
            self._session = session
        return self._session

    def get(self, url: str, *, head_until: bytes | None = None) -> bytes:
        """GET a URL and return its body.

        Parameters
        ----------
        url : str
            The full URL.
        head_until : bytes, optional
            Stop reading once this marker has arrived (used for the head of a
            full ``.txt`` submission, which can be hundreds of megabytes).

        Returns
        -------
        bytes
            The body (or its head up to and including ``head_until``).

        Raises
        ------
        HttpNotFound
            On HTTP 404.
        RateLimitError
            If the server still answers 429 after the retries.
        DataProviderError
            On any other HTTP error, or if the host stays unreachable.
        """
        requests = _requests()
        session = self._get_session()
        last = ""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                with session.get(
                    url, timeout=self.timeout, stream=head_until is not None
                ) as resp:
                    status = resp.status_code
                    if status == 200:
                        return self._body(resp, head_until)
                    retry_after = resp.headers.get("Retry-After")
            except requests.RequestException as exc:
                status, retry_after = None, None
                last = f"{type(exc).__name__}: {exc}"
            if status == 404:
                raise HttpNotFound(f"{url}: not found (HTTP 404)")
            if status == 403:
                raise DataProviderError(
                    f"{url}: refused (HTTP 403). The SEC refuses requests without a "
                    f"User-Agent naming a contact, or above 10 per second; check "
                    f"--user-agent / ${USER_AGENT_ENV}"
                )
            if status is not None and status not in _RETRY_STATUS:
                raise DataProviderError(f"{url}: HTTP {status}")
            if status is not None:
                last = f"HTTP {status}"
            if attempt < self.retries:
                self.sleep(_delay(retry_after, self.backoff * 2**attempt))
        if last == "HTTP 429":
            raise RateLimitError(
                f"{url}: the SEC kept refusing (HTTP 429, too many requests) after "
                f"{self.retries + 1} attempts; wait ten minutes and run again"
            )
        raise DataProviderError(
            f"{url}: unreachable after {self.retries + 1} attempts ({last})"
        )

    @staticmethod
    def _body(resp: Any, head_until: bytes | None) -> bytes:
        if head_until is None:
            return bytes(resp.content)
        buf = bytearray()
        for chunk in resp.iter_content(chunk_size=8192):
            buf.extend(chunk)
            if head_until in buf[-(len(chunk) + len(head_until)) :]:
                break
        return bytes(buf)


def _delay(retry_after: str | None, default: float) -> float:
    """Seconds to wait: the server's ``Retry-After`` (seconds form) or the backoff."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), 60.0)
        except ValueError:
            pass
    return default
