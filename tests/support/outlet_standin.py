"""A generic HTTP outlet on 127.0.0.1 for dispatcher tests, and the adapter that speaks to it.

The stand-in is deliberately naive: every request it accepts is a publication, with no
de-duplication of its own, so a placement sent twice shows up as an idempotency key accepted
twice. Per key it can be told to answer 503 a few times, refuse with 400, or accept and then
drop the connection before answering.
"""

import json
import os
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from media_schedule.channels import (
    Channel,
    DeliveryRequest,
    NotReceivedError,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a worker stopped, a test ended) is normal here, not news."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class OutletStandin:
    """The server side; thread-safe counters of requests and accepted keys."""

    def __init__(self, *, delay: float = 0.0):
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.published: dict[str, dict[str, Any]] = {}
        self.accepted_at: dict[str, float] = {}
        self.status_queries: Counter[str] = Counter()
        self.plans: dict[str, list[str]] = {}
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "OutletStandin":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def plan(self, key: str, answers: list[str]) -> None:
        """Answers for the next requests with ``key``: "503", "400" or "drop"; then accept."""
        with self.lock:
            self.plans[str(key)] = list(answers)

    def duplicates(self) -> dict[str, int]:
        """Keys accepted more than once: each one is a double publication."""
        with self.lock:
            return {key: count for key, count in self.accepted.items() if count > 1}

    def _next_answer(self, key: str) -> str:
        with self.lock:
            self.requests[key] += 1
            queue = self.plans.get(key)
            return queue.pop(0) if queue else "accept"

    def _accept(self, key: str, body: dict) -> dict:
        with self.lock:
            self.accepted[key] += 1
            self.accepted_at.setdefault(key, time.time())
            record = {
                "id": f"pub-{len(self.published) + 1}",
                "url": f"{self.base_url}/items/{key}",
                "title": body.get("title", ""),
            }
            self.published.setdefault(key, record)
            return record

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, keep-alive clients wait
            # for a delayed ACK (about 40 ms) on every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                if standin.delay:
                    time.sleep(standin.delay)
                answer = standin._next_answer(key)
                if answer == "503":
                    self._reply(503, {"error": "busy"})
                elif answer == "400":
                    self._reply(400, {"error": "标题含有不允许的字符"})
                elif answer == "drop":
                    standin._accept(key, body)
                    self.close_connection = True
                    self.connection.close()
                else:
                    self._reply(200, standin._accept(key, body))

            def do_GET(self):
                key = self.path.rsplit("/", 1)[-1]
                with standin.lock:
                    standin.status_queries[key] += 1
                    record = standin.published.get(key)
                if record is None:
                    self._reply(404, {"error": "unknown"})
                else:
                    self._reply(200, record)

        return Handler


_clients: dict[int, httpx.Client] = {}
_clients_lock = threading.Lock()


def _client() -> httpx.Client:
    """One pooled client per process (prefork children are forked, so key by pid), shared by
    the threads of a thread-pool worker."""
    pid = os.getpid()
    with _clients_lock:
        if pid not in _clients:
            _clients[pid] = httpx.Client(timeout=10)
        return _clients[pid]


class StandinChannel(Channel):
    """Adapter for the stand-in: POST the version with the idempotency key, GET its status."""

    kind = "standin"

    def build_version(self, page) -> dict[str, Any]:
        return {"title": page.title}

    def deliver(self, request: DeliveryRequest) -> Receipt:
        url = request.outlet_config["base_url"] + "/publish"
        headers = {"Idempotency-Key": request.idempotency_key}
        try:
            response = _client().post(url, json=request.version, headers=headers)
        except httpx.ConnectError as error:
            raise TransientDeliveryError(f"无法连接渠道：{error}") from error
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout) as error:
            raise UnconfirmedDeliveryError(f"渠道未应答：{error}") from error
        return self._receipt(response)

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        url = f"{request.outlet_config['base_url']}/status/{request.idempotency_key}"
        try:
            response = _client().get(url)
        except httpx.HTTPError as error:
            raise TransientDeliveryError(f"无法查询渠道：{error}") from error
        if response.status_code == 404:
            raise NotReceivedError("渠道没有这条记录")
        return self._receipt(response)

    def _receipt(self, response: httpx.Response) -> Receipt:
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientDeliveryError(f"渠道暂时不可用（HTTP {response.status_code}）")
        if response.status_code >= 400:
            raise PermanentDeliveryError(
                f"渠道拒绝（HTTP {response.status_code}）：{response.json().get('error', '')}",
                details={"status": response.status_code},
            )
        body = response.json()
        return Receipt(external_id=body["id"], url=body["url"], details={"title": body["title"]})
