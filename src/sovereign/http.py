"""One HTTP policy for every adapter: timeouts, safe retries, URL rules.

* every call has a (connect, read) timeout;
* idempotent methods retry on 429/5xx and connection errors, with capped
  exponential backoff that honours ``Retry-After`` (seconds or HTTP date, capped);
* POST and PATCH retry only on 429 and on errors before the request was sent:
  a blind retry after a 5xx or a read timeout is how duplicate messages happen;
  when such a write's answer is lost after it went out (a read timeout, a dropped
  connection, a 5xx), the error is an :class:`AnswerLost`: it may have taken effect;
* URLs must be https (http only for loopback hosts), carry no credentials, and
  a redirect to another origin never takes the Authorization header along.
"""

from __future__ import annotations

import ipaddress
import re
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.util.retry import Retry

from sovereign import __version__
from sovereign.errors import SovereignError

TIMEOUT = (10.0, 30.0)  # (connect, read) seconds
RETRIES = 3
BACKOFF = 0.5  # 0.5 s, 1 s, 2 s … capped at BACKOFF_MAX
BACKOFF_MAX = 8.0
RETRY_AFTER_MAX = 30  # a release never waits longer than this per retry
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = f"sovereign/{__version__} python-requests/{requests.__version__}"


_DECIMAL_SECONDS = re.compile(r"\s*[0-9]+\.[0-9]+\s*")


class RetryPolicy(Retry):
    """urllib3's Retry with two changes.

    A 429 is retried for every method: it means the request was not processed,
    so even a POST is safe to send again; everything else follows
    ``allowed_methods`` (idempotent ones only). And ``Retry-After: 1.5`` (Discord
    sends decimals) is a capped wait, not an ``InvalidHeader`` that aborts the call.
    """

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def parse_retry_after(self, retry_after: str) -> float:
        if _DECIMAL_SECONDS.fullmatch(retry_after):
            return min(float(retry_after), float(self.retry_after_max))
        return float(super().parse_retry_after(retry_after))


def retry_policy(retry_posts: bool = False) -> RetryPolicy:
    methods = IDEMPOTENT | {"POST"} if retry_posts else IDEMPOTENT
    return RetryPolicy(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        status=RETRIES,
        other=0,
        redirect=False,  # requests follows redirects itself, through send()
        allowed_methods=methods,
        status_forcelist=(429, 500, 502, 503, 504),
        backoff_factor=BACKOFF,
        backoff_max=BACKOFF_MAX,
        retry_after_max=RETRY_AFTER_MAX,
        raise_on_status=False,  # hand back the last response: callers explain it
        respect_retry_after_header=True,
    )


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str) -> str:
    """Return ``url`` if the policy allows it, else raise naming ``what``.

    The message never repeats the URL: webhook URLs are secrets.
    """
    if any(ch.isspace() or not ch.isprintable() for ch in url.strip()):
        # A line break in a URL is a header injection waiting for a lenient client.
        raise SovereignError(f"{what} contains whitespace or control characters", "give the URL on one line, as is")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise SovereignError(f"{what} is not a valid URL", "give a full https:// URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise SovereignError(f"{what} is not an http(s) URL", "give a full https:// URL")
    if parts.username is not None or parts.password is not None:
        raise SovereignError(
            f"{what} carries credentials in the URL",
            "remove user:password@ from it and pass the credentials through their own input",
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise SovereignError(
            f"{what} uses http:// for a non-loopback host ({host})",
            "use https:// (plain http is only allowed for localhost, 127.0.0.0/8 and [::1])",
        )
    return url.strip()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class PolicySession(requests.Session):
    """A requests Session that applies the policy to every request and redirect."""

    def __init__(self, timeout: tuple[float, float] = TIMEOUT, retry_posts: bool = False) -> None:
        super().__init__()
        self.timeout = timeout
        self.retry_posts = retry_posts
        self.headers["User-Agent"] = USER_AGENT
        adapter = HTTPAdapter(max_retries=retry_policy(retry_posts))
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        check_url(request.url or "", "a request URL")  # redirects pass through here too
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        # Stricter than requests: any change of scheme, host or port drops the
        # credentials, and netrc is never consulted.
        previous = response.request.url or ""
        if _origin(prepared_request.url or "") != _origin(previous):
            prepared_request.headers.pop("Authorization", None)


def new_session(timeout: tuple[float, float] = TIMEOUT, retry_posts: bool = False) -> PolicySession:
    """The only way adapters get a Session. ``retry_posts`` is for read-only POSTs
    (GraphQL queries, Grafana's /api/ds/query), never for ones that create things."""
    return PolicySession(timeout, retry_posts)


STATUS_HINTS = {
    401: "the credentials were rejected: check the token or key and that it has not expired",
    403: "the credentials lack a permission this call needs, or a rate limit was hit",
    404: "not found: check the URL, the name or UID, and that the token can see it",
    429: "rate limited even after retrying: try again later",
}


def explain(response: requests.Response, what: str) -> SovereignError:
    """A clear error for a failed response, without echoing URLs or bodies at length."""
    status = response.status_code
    hint = STATUS_HINTS.get(status) or (
        "the server failed: try again later" if status >= 500 else "the request was refused"
    )
    body = (response.text or "").strip().replace("\n", " ")
    detail = f": {body[:200]}" if body and not body.lstrip().startswith("<") else ""
    return SovereignError(f"{what} answered HTTP {status}{detail}", hint)


def lost_if_5xx(error: SovereignError, response: requests.Response, if_lost: str) -> SovereignError:
    """A client's error for a refused write: after a 5xx the write may still have landed
    (a gateway lost the answer, or the server failed after writing), so ``if_lost`` is the fix."""
    if if_lost and response.status_code >= 500:
        return AnswerLost(error.what, if_lost)
    return error


def json_message(response: requests.Response) -> str:
    """The ``message`` of a JSON error body (GitHub's and Grafana's shape), shortened; "" when there is none."""
    try:
        return str(response.json().get("message", ""))[:200]
    except (ValueError, AttributeError):  # not JSON, or JSON that is not an object
        return ""


class AnswerLost(SovereignError):
    """A write went out and its answer was lost: it may have taken effect.

    ``fix`` says what may have happened and whether a re-run is safe, in the
    caller's words ("the release of v1.2.0 may have been created; re-running is safe: …").
    """


MAY_HAVE_TAKEN_EFFECT = "the request was sent, so it may have taken effect: check before sending it again"


def _reason(err: BaseException | None) -> BaseException | None:
    """What urllib3 says went wrong under a requests ConnectionError (unwrapping MaxRetryError)."""
    reason = err.args[0] if isinstance(err, requests.exceptions.ConnectionError) and err.args else None
    return reason.reason if isinstance(reason, MaxRetryError) else reason


def never_sent(err: BaseException | None) -> bool:
    """True when the request cannot have reached the server: no connection, or no TLS session."""
    if isinstance(err, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    return isinstance(_reason(err), (ConnectTimeoutError, NewConnectionError, Urllib3SSLError))


def _read_timed_out(err: BaseException) -> bool:
    """urllib3 reports read timeouts that outlived their retries as a ConnectionError
    wrapping ``MaxRetryError(reason=ReadTimeoutError)``: the server was reached, it just never answered."""
    return isinstance(_reason(err), ReadTimeoutError)


def where(url: str) -> str:
    """host[:port] of a URL: safe to show (a webhook's secret is in its path, never its host)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "?") + (f":{port}" if port else "")


def resendable(session: requests.Session, method: str) -> bool:
    return method.upper() in IDEMPOTENT or (method.upper() == "POST" and getattr(session, "retry_posts", False))


def call(
    session: requests.Session, method: str, url: str, what: str, *, if_lost: str = "", **kwargs: Any
) -> requests.Response:
    """Send a request; turn transport failures into a clear SovereignError.

    The body is read here, so a connection dropped mid-response is caught too;
    for idempotent methods (and read-only POSTs) it is retried like any other read error.
    A write that may have arrived raises :class:`AnswerLost` with ``if_lost`` as its fix.
    """
    resend = resendable(session, method)
    attempts = RETRIES + 1 if resend else 1
    for attempt in range(attempts):
        try:
            response = session.request(method, url, **kwargs)
            response.content  # noqa: B018 - read the body inside the try
            return response
        except requests.exceptions.RequestException as err:
            if isinstance(err, requests.exceptions.ChunkedEncodingError) and attempt + 1 < attempts:
                time.sleep(min(BACKOFF * 2**attempt, BACKOFF_MAX))
                continue
            raise _transport_error(err, what, url, None if resend else (if_lost or MAY_HAVE_TAKEN_EFFECT)) from None
    raise AssertionError("unreachable")


def _transport_error(
    err: requests.exceptions.RequestException, what: str, url: str, lost: str | None
) -> SovereignError:
    """The words for a request that got no usable answer; ``lost`` is the fix when a sent write may have landed."""
    connection = isinstance(err, requests.exceptions.ConnectionError)
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return SovereignError(
            f"{what} did not accept a connection in time", f"check the URL ({where(url)}) and that the service is up"
        )
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        words = f"{what} dropped the connection mid-response"
    elif isinstance(err, requests.exceptions.ReadTimeout) or (_read_timed_out(err)):
        words = f"{what} did not answer in time"
    elif connection and not never_sent(err) and (lost is not None or isinstance(_reason(err), ProtocolError)):
        # reset or closed after the request went out (for a write, anything not known to be before it)
        words = f"{what} dropped the connection before answering"
    elif connection:
        return SovereignError(
            f"could not connect to {what}", f"check the URL ({where(url)}), DNS and that the service is up"
        )
    else:
        return SovereignError(f"request to {what} failed: {type(err).__name__}", "check the URL and try again")
    if lost is not None:
        return AnswerLost(words, lost)
    return SovereignError(words, "the service is slow or down: try again later")
