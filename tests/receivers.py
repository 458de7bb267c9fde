"""Webhook receivers on 127.0.0.1 for the event and webhook-security tests: each records
every request it gets and answers what `answer(n)` says for the n-th request carrying
one event id (1-based), so a test can make a receiver fail a few times, then succeed.
And the wait for a webhook's deliveries to reach a state."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import Caller

DEADLINE = 30  # seconds a test waits for deliveries


class Receiver:
    def __init__(self, answer: Callable[[int], int] = lambda n: 200, delay: float = 0.0,
                 location: str | None = None):
        self.received: list[dict] = []  # {"method", "path", "headers", "body"}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                with receiver.lock:
                    event_id = self.headers.get("X-Graphsvc-Event-Id")
                    n = 1 + sum(1 for r in receiver.received if r["headers"].get("X-Graphsvc-Event-Id") == event_id)
                    receiver.received.append({"method": self.command, "path": self.path,
                                              "headers": dict(self.headers), "body": body})
                if delay:
                    time.sleep(delay)
                self.send_response(answer(n))
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_HEAD = _any

            def log_message(self, *args):
                pass

        class HTTPServer(ThreadingHTTPServer):
            request_queue_size = 128  # the default 5 drops connections from several dispatchers at once
            daemon_threads = True

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def ids(self) -> list[str]:
        with self.lock:
            return [r["headers"]["X-Graphsvc-Event-Id"] for r in self.received]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_deliveries(staff: Caller, hook_id: str, done, what: str) -> list[dict]:
    """Poll the deliveries listing until `done(deliveries)` holds, or fail after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while True:
        r = staff.get(f"/community/webhooks/{hook_id}/deliveries", params={"limit": 100})
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        if done(data):
            return data
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}: {data}")
        time.sleep(0.1)
