"""Delivery over real loopback sockets: the number of requests the server saw.

A mock cannot show what urllib3 really does on a reset or a slow answer; this
server can. Each case asserts the exact request count: a POST is repeated only
after a 429 (or when nothing was sent), never after a 5xx, a reset or a timeout.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sovereign.gha import Secret
from sovereign.notify import limits
from sovereign.notify.deliver import send, webhook_session

pytestmark = pytest.mark.slow
PAYLOAD = {"embeds": [{"title": "t", "description": "d"}], "allowed_mentions": {"parse": []}}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    reset: bool = False  # read the request, then RST the connection without answering


class Server:
    def __init__(self, answers: list[Answer]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    def next(self, path: str, body: bytes) -> Answer:
        with self.lock:
            self.requests.append((path, body))
            return self.answers[min(len(self.requests), len(self.answers)) - 1]


@contextmanager
def serve(*answers: Answer) -> Iterator[tuple[str, Server]]:
    server_state = Server(list(answers))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = server_state.next(self.path, body)
            if answer.reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for key, value in answer.headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up (read timeout)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/webhooks/1/SECRET-TOKEN", server_state
    finally:
        httpd.shutdown()
        httpd.server_close()


def deliver(channel: str, url: str, timeout: tuple[float, float] = (2.0, 5.0)):
    return send(webhook_session(timeout=timeout), channel, Secret(url), PAYLOAD, sleep=time.sleep)


def test_429_then_200_is_two_requests():
    with serve(Answer(429, headers=(("Retry-After", "0"),)), Answer(200)) as (url, server):
        result = deliver("slack", url)
    assert result.delivered
    assert len(server.requests) == 2
    assert all(body == limits.encode(PAYLOAD) for _, body in server.requests)


def test_decimal_retry_after_header_is_a_wait_not_an_error():
    limited = Answer(429, b'{"retry_after": 0.2}', (("Retry-After", "0.2"),))
    with serve(limited, Answer(200, b'{"id": "8"}')) as (url, server):
        start = time.monotonic()
        result = deliver("discord", url)
        waited = time.monotonic() - start
    assert result.delivered and result.message_id == "8"
    assert len(server.requests) == 2
    assert waited >= 0.2


def test_500_is_exactly_one_request():
    with serve(Answer(500, b"internal")) as (url, server):
        result = deliver("teams", url)
    assert not result.delivered and result.http_status == 500
    assert len(server.requests) == 1


def test_connection_reset_is_exactly_one_request():
    with serve(Answer(reset=True), Answer(200)) as (url, server):
        result = deliver("slack", url)
    assert not result.delivered
    assert len(server.requests) == 1, "a reset after sending is never retried"
    assert result.detail == (
        "the connection to the Slack webhook was dropped after the message was sent; "
        "not retried, the message may have been posted"
    )
    assert "SECRET-TOKEN" not in json.dumps(result.as_dict())


def test_read_timeout_is_exactly_one_request():
    with serve(Answer(200, delay=1.0), Answer(200)) as (url, server):
        result = deliver("slack", url, timeout=(2.0, 0.3))
        time.sleep(0.1)
        seen = len(server.requests)
    assert not result.delivered and "did not answer in time" in result.detail
    assert seen == 1


def test_discord_wait_true_and_message_id_over_the_wire():
    answer = Answer(200, json.dumps({"id": "1234567890"}).encode(), (("Content-Type", "application/json"),))
    with serve(answer) as (url, server):
        result = deliver("discord", url + "?thread_id=9")
    assert result.delivered and result.message_id == "1234567890"
    assert server.requests[0][0] == "/api/webhooks/1/SECRET-TOKEN?thread_id=9&wait=true"


def test_discord_body_retry_after_then_200():
    limited = Answer(429, json.dumps({"retry_after": 0.05, "global": False}).encode(), (("Retry-After", "0"),))
    with serve(limited, limited, limited, limited, Answer(200, b'{"id": "5"}')) as (url, server):
        result = deliver("discord", url)
    assert result.delivered and result.message_id == "5"
    assert len(server.requests) == 5


def test_discord_404_is_one_request():
    with serve(Answer(404, b'{"message": "Unknown Webhook", "code": 10015}')) as (url, server):
        result = deliver("discord", url)
    assert not result.delivered and "unknown webhook" in result.detail
    assert len(server.requests) == 1


def test_refused_connection_is_reported_without_the_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = deliver("teams", f"http://127.0.0.1:{port}/workflows/SECRET-TOKEN")
    assert not result.delivered
    assert result.detail == "could not connect to the Teams webhook (nothing was sent)"
    assert "SECRET-TOKEN" not in json.dumps(result.as_dict())
