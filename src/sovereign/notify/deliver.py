"""Posting a payload to a webhook without ever posting it twice.

The session from :func:`sovereign.http.new_session` retries a POST only on 429
(honouring ``Retry-After``, capped) and on connection failures before the
request was sent. A 5xx or a read timeout is never retried: the message may
already be in the channel. On top of that, one extra wait here: Discord may
answer 429 with its wait only in the JSON body (``retry_after``, seconds).
Redirects are not followed (a webhook does not redirect; following one would
turn the POST into a GET or send the message elsewhere).

Nothing here ever puts the webhook URL in a result or a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from sovereign.errors import SovereignError
from sovereign.gha import Secret, quote
from sovereign.http import RETRY_AFTER_MAX, call, never_sent
from sovereign.notify import limits

NAMES = {"slack": "Slack", "discord": "Discord", "teams": "Teams"}


@dataclass(frozen=True)
class Result:
    """What happened to one channel, in words fit for a log and an artifact."""

    channel: str
    delivered: bool
    detail: str
    fix: str = ""
    http_status: int | None = None
    message_id: str = ""
    skipped: bool = False  # not posted: the delivery record says this channel already has the message

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "skipped": self.skipped,
            "http_status": self.http_status,
            "detail": self.detail,
            "fix": self.fix,
            "message_id": self.message_id,
        }


def target(channel: str, url: str) -> str:
    """The URL to post to: Discord gets ``wait=true`` so failures are seen and
    the message id is returned; any query already there (``thread_id``) stays."""
    if channel != "discord":
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "wait"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("wait", "true")])))


def _body_text(response: requests.Response) -> str:
    text = (response.text or "").strip()
    return "" if not text or text.startswith("<") else quote(" ".join(text.split()), 200)


def _discord_retry_after(response: requests.Response) -> float | None:
    try:
        wait = response.json().get("retry_after")
    except (ValueError, AttributeError):
        return None
    if isinstance(wait, (int, float)) and not isinstance(wait, bool) and 0 <= wait <= RETRY_AFTER_MAX:
        return float(wait)
    return None


def _transport_failure(channel: str, err: SovereignError) -> Result:
    # ``call`` raises ``from None``: the transport error is still its context.
    if never_sent(err.__context__):
        return Result(channel, False, f"{err.what} (nothing was sent)", err.fix)
    name = NAMES[channel]
    if isinstance(err.__context__, requests.exceptions.ConnectionError):
        what = f"the connection to the {name} webhook was dropped after the message was sent"
    else:
        what = err.what
    return Result(
        channel,
        False,
        f"{what}; not retried, the message may have been posted",
        f"check the {name} channel; re-run only if the message is missing",
    )


def judge(channel: str, response: requests.Response) -> Result:
    """The result of the last response, explained."""
    name, status = NAMES[channel], response.status_code
    if 200 <= status < 300:
        message_id = ""
        if channel == "discord":
            try:
                body = response.json()
                message_id = str(body.get("id", "")) if isinstance(body, dict) else ""
            except ValueError:
                message_id = ""
        return Result(channel, True, f"delivered (HTTP {status})", http_status=status, message_id=message_id)
    body = _body_text(response)
    said = f": {body}" if body else ""
    if 300 <= status < 400:
        return Result(
            channel,
            False,
            f"{name} answered with a redirect (HTTP {status}); it was not followed",
            "use the webhook URL exactly as the platform shows it",
            status,
        )
    if channel == "discord" and status == 404:
        return Result(
            channel,
            False,
            "Discord does not know this webhook (HTTP 404, unknown webhook)",
            "it was deleted or the URL is wrong: create a new webhook (see notify/README.md) and update the secret",
            status,
        )
    if status == 429:
        return Result(channel, False, f"{name} rate limited the message (HTTP 429){said}", "re-run later", status)
    if status >= 500:
        return Result(
            channel,
            False,
            f"{name} failed (HTTP {status}){said}; not retried, the message may have been posted",
            f"check the {name} channel; re-run only if the message is missing",
            status,
        )
    if status in (401, 403, 404, 410):
        return Result(
            channel,
            False,
            f"{name} refused the webhook (HTTP {status}){said}",
            "the webhook was removed, disabled or its channel archived: create a new one (see notify/README.md)",
            status,
        )
    return Result(
        channel,
        False,
        f"{name} refused the message (HTTP {status}){said}",
        "report it as a Sovereign bug with the payload from notify-<tag>.json",
        status,
    )


def send(
    session: requests.Session,
    channel: str,
    url: Secret,
    payload: dict[str, Any],
    sleep: Callable[[float], None] = time.sleep,
) -> Result:
    """POST ``payload`` (exactly the bytes the limits were checked on) once,
    plus only the retries that cannot duplicate it."""
    what = f"the {NAMES[channel]} webhook"
    body = limits.encode(payload)
    headers = {"Content-Type": "application/json"}
    try:
        post = target(channel, url.reveal())
        response = call(session, "POST", post, what, data=body, headers=headers, allow_redirects=False)
        if channel == "discord" and response.status_code == 429:
            wait = _discord_retry_after(response)
            if wait is not None:
                sleep(wait)
                response = call(session, "POST", post, what, data=body, headers=headers, allow_redirects=False)
    except SovereignError as err:  # its words name the platform, never the URL
        return _transport_failure(channel, err)
    except Exception as err:  # noqa: BLE001 - one channel's surprise must not stop the others
        return Result(  # the type only: an exception's text may carry the URL
            channel,
            False,
            f"posting to the {NAMES[channel]} webhook failed: {type(err).__name__}; the message may have been posted",
            "re-run with --verbose and report it as a Sovereign bug",
        )
    return judge(channel, response)
