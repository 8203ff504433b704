"""Delivery over real loopback sockets: the number of requests the server saw.

A mock cannot show what urllib3 really does on a reset or a slow answer; this
server can. Each case asserts the exact request count: a POST is repeated only
after a 429 (or when nothing was sent), never after a 5xx, a reset or a timeout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from localserver import Reply, Script, free_port, serve

from sovereign.gha import Secret
from sovereign.http import new_session
from sovereign.notify import limits
from sovereign.notify.deliver import send

pytestmark = pytest.mark.slow
PAYLOAD = {"embeds": [{"title": "t", "description": "d"}], "allowed_mentions": {"parse": []}}


def answer(status: int = 200, body: bytes = b"ok", headers: dict[str, str] | None = None, **more) -> Reply:
    """A webhook's reply: plain ``ok`` and no headers unless told (a ``Reply`` defaults to JSON)."""
    return Reply(status, body, dict(headers or {}), **more)


@contextmanager
def webhook(*answers: Reply) -> Iterator[tuple[str, Script]]:
    with serve(list(answers)) as (base, script):
        yield base + "/api/webhooks/1/SECRET-TOKEN", script


def deliver(channel: str, url: str, timeout: tuple[float, float] = (2.0, 5.0)):
    return send(new_session(timeout=timeout), channel, Secret(url), PAYLOAD, sleep=time.sleep)


def test_429_then_200_is_two_requests():
    with webhook(answer(429, headers={"Retry-After": "0"}), answer(200)) as (url, server):
        result = deliver("slack", url)
    assert result.delivered
    assert len(server.seen) == 2
    assert all(seen.body == limits.encode(PAYLOAD) for seen in server.seen)


def test_decimal_retry_after_header_is_a_wait_not_an_error():
    limited = answer(429, b'{"retry_after": 0.2}', {"Retry-After": "0.2"})
    with webhook(limited, answer(200, b'{"id": "8"}')) as (url, server):
        start = time.monotonic()
        result = deliver("discord", url)
        waited = time.monotonic() - start
    assert result.delivered and result.message_id == "8"
    assert len(server.seen) == 2
    assert waited >= 0.2


def test_500_is_exactly_one_request():
    with webhook(answer(500, b"internal")) as (url, server):
        result = deliver("teams", url)
    assert not result.delivered and result.http_status == 500
    assert len(server.seen) == 1


def test_connection_reset_is_exactly_one_request():
    with webhook(answer(reset="before"), answer(200)) as (url, server):
        result = deliver("slack", url)
    assert not result.delivered
    assert len(server.seen) == 1, "a reset after sending is never retried"
    assert result.detail == (
        "the connection to the Slack webhook was dropped after the message was sent; "
        "not retried, the message may have been posted"
    )
    assert "SECRET-TOKEN" not in json.dumps(result.as_dict())


def test_read_timeout_is_exactly_one_request():
    with webhook(answer(200, delay=1.0), answer(200)) as (url, server):
        result = deliver("slack", url, timeout=(2.0, 0.3))
        time.sleep(0.1)
        seen = len(server.seen)
    assert not result.delivered and "did not answer in time" in result.detail
    assert seen == 1


def test_discord_wait_true_and_message_id_over_the_wire():
    reply = answer(200, json.dumps({"id": "1234567890"}).encode(), {"Content-Type": "application/json"})
    with webhook(reply) as (url, server):
        result = deliver("discord", url + "?thread_id=9")
    assert result.delivered and result.message_id == "1234567890"
    assert server.seen[0].path == "/api/webhooks/1/SECRET-TOKEN?thread_id=9&wait=true"


def test_discord_body_retry_after_then_200():
    limited = answer(429, json.dumps({"retry_after": 0.05, "global": False}).encode(), {"Retry-After": "0"})
    with webhook(limited, limited, limited, limited, answer(200, b'{"id": "5"}')) as (url, server):
        result = deliver("discord", url)
    assert result.delivered and result.message_id == "5"
    assert len(server.seen) == 5


def test_discord_404_is_one_request():
    with webhook(answer(404, b'{"message": "Unknown Webhook", "code": 10015}')) as (url, server):
        result = deliver("discord", url)
    assert not result.delivered and "unknown webhook" in result.detail
    assert len(server.seen) == 1


def test_refused_connection_is_reported_without_the_url():
    result = deliver("teams", f"http://127.0.0.1:{free_port()}/workflows/SECRET-TOKEN")
    assert not result.delivered
    assert result.detail == "could not connect to the Teams webhook (nothing was sent)"
    assert "SECRET-TOKEN" not in json.dumps(result.as_dict())
