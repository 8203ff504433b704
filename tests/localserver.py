"""A scripted HTTP server on a real loopback socket, for behaviour that mocks hide:
retries, Retry-After, resets before or mid-response, read timeouts, redirects.

Used by the tests and by the bench scripts (which put ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0  # seconds before answering (read timeouts)
    # True: send half a response, then drop the connection; "before": read the request, then RST, no answer at all
    reset: bool | Literal["before"] = False


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Script:
    """Replies in order (the last one repeats), or from a route called one request at a time (under the
    lock, so a route may keep state); every request is recorded."""

    def __init__(self, replies: list[Reply] | Callable[[Seen], Reply]) -> None:
        self.replies = replies
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def next(self, seen: Seen) -> Reply:
        with self.lock:
            self.seen.append(seen)
            if callable(self.replies):
                return self.replies(seen)
            return self.replies[min(len(self.seen) - 1, len(self.replies) - 1)]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body are two writes: without TCP_NODELAY a kept-alive connection waits ~40 ms for the
        # client's delayed ACK before the body goes out
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = script.next(Seen(self.command, self.path, dict(self.headers), body))
            if reply.delay:
                time.sleep(reply.delay)
            if reply.reset == "before":
                # SO_LINGER on with 0 s: closing sends RST instead of FIN, so the client sees a reset
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if reply.reset:
                self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"partial')
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            try:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client gave up (read timeout) before the answer
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    return Handler


@contextmanager
def serve(replies: list[Reply] | Callable[[Seen], Reply]) -> Iterator[tuple[str, Script]]:
    """``with serve([Reply(503), Reply(200)]) as (url, script): ...``"""
    script = Script(replies)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # resets are the point
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
