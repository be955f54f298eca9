"""A fake brandname SMS gateway on 127.0.0.1 for the reliability tests, the benchmark and
local demos. It speaks the HTTP backend's default body ({"to", "text", "reference"}) and counts
what it receives.

- Accepts: 200 {"status": "accepted", "id": "FG-<n>"}; a reference seen before gets the same
  id and is not delivered again (the idempotency NOTICE_SMS_HTTP_IDEMPOTENT relies on).
- `script(to, [500, 500])`: the next requests for that number get those HTTP statuses first
  (nothing delivered); "garbage" answers 200 with a body that is not JSON.
- `delay(to, seconds)`: the next request for that number is recorded, then answered late
  (a worker killed meanwhile has still "sent" it).
- `delivered`: reference -> (to, text), each delivered once; `requests`: every request.

    .venv/bin/python -m core.notices.fake_gateway --port 8025   # prints what it receives
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSmsGateway:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        self.lock = threading.Condition()
        self.requests: list[dict] = []
        self.delivered: dict[str, tuple[str, str]] = {}
        self.ids: dict[str, str] = {}
        self.scripts: dict[str, deque] = defaultdict(deque)
        self.delays: dict[str, float] = {}
        self.received = threading.Event()
        self.verbose = verbose
        self._numbers = itertools.count(1)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real gateways
            disable_nagle_algorithm = True  # headers and body are two writes

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, body, delay = gateway._handle(raw, self.headers)
                if delay:
                    time.sleep(delay)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client went away (a killed worker)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- control --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms"

    def start(self) -> FakeSmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.delivered.clear()
            self.ids.clear()
            self.scripts.clear()
            self.delays.clear()
            self.received.clear()

    def script(self, to: str, answers: list) -> None:
        with self.lock:
            self.scripts[to.lstrip("+")].extend(answers)

    def delay(self, to: str, seconds: float) -> None:
        with self.lock:
            self.delays[to.lstrip("+")] = seconds

    def wait_for(self, predicate, timeout: float) -> bool:
        """Wait until predicate(self) is true (checked on every request)."""
        with self.lock:
            return self.lock.wait_for(lambda: predicate(self), timeout=timeout)

    def requests_for(self, to: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r.get("to") == to.lstrip("+")]

    # -- serving --------------------------------------------------------------------------------
    def _handle(self, raw: bytes, headers):
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            return 400, {"status": "error", "error": "bad json"}, 0
        to = str(data.get("to", "")).lstrip("+")
        reference = str(data.get("reference", ""))
        with self.lock:
            self.requests.append(data)
            self.received.set()
            delay = self.delays.pop(to, 0)
            answer = self.scripts[to].popleft() if self.scripts.get(to) else None
            if answer == "garbage":
                result = (200, b"<html>Service Unavailable</html>", delay)
            elif isinstance(answer, int):
                result = (answer, {"status": "error", "code": answer}, delay)
            elif reference in self.ids:
                result = (200, {"status": "accepted", "id": self.ids[reference]}, delay)
            else:
                message_id = f"FG-{next(self._numbers)}"
                self.ids[reference] = message_id
                self.delivered[reference] = (to, str(data.get("text", "")))
                if self.verbose:
                    print(f"SMS {message_id} to {to}: {data.get('text', '')}", flush=True)
                result = (200, {"status": "accepted", "id": message_id}, delay)
            self.lock.notify_all()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    gateway = FakeSmsGateway(port=args.port, verbose=True)
    print(f"Fake SMS gateway on {gateway.url} (NOTICE_SMS_BACKEND=http)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        gateway.server.serve_forever()


if __name__ == "__main__":
    main()
