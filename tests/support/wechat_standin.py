"""A stand-in for the WeChat Official Account API: a real HTTP server on 127.0.0.1.

It implements the endpoints the WeChat adapter speaks, with the platform's limits and error
codes, a rate limit and scripted faults, and it counts what it accepted so tests can prove that
nothing was published twice.

Use::

    with WeChatStandIn(rate_limit=50) as standin:          # starts on a random port
        outlet = Outlet.objects.create(
            name="公众号", kind="wechat", config=standin.outlet_config(), secret=standin.app_secret
        )
        standin.fail_next(3)                 # the next 3 requests answer HTTP 503
        standin.errcode_next("/cgi-bin/draft/add", 45166)   # next draft/add: that errcode
        standin.drop_after_submit()          # accept the next submit, then drop the connection
        standin.publish_sequence = [1, 0]    # each new publication: "publishing", then "published"
        standin.expire_tokens()              # every token issued so far now answers 42001
        standin.faults = Faults(token_error_every=7, drop_every_submit=4)   # standing faults
        ...
        assert standin.duplicate_keys() == {}        # no idempotency key published twice
        standin.accepted_by_key()                    # Counter: key -> accepted submits
        standin.calls["/cgi-bin/freepublish/submit"] # requests received per path
        standin.token_requests                       # answers of the two token endpoints
        standin.tokens_issued                        # distinct tokens created
        standin.token_rejections                     # calls refused for their token

Endpoints (all answer JSON; errors as ``{"errcode": n, "errmsg": "..."}`` with HTTP 200, the
way the platform does):

- ``GET /cgi-bin/token?grant_type=client_credential&appid=&secret=`` → ``access_token``,
  ``expires_in`` (``token_ttl`` seconds; 40002 bad grant type, 40013 bad app id, 40125 bad
  secret). Other endpoints take ``?access_token=``: 41001 missing, 40014 unknown, 42001 expired.
- ``POST /cgi-bin/stable_token`` ``{"grant_type", "appid", "secret", "force_refresh"}`` → the
  account's stable token, kept apart from the tokens above. Without ``force_refresh`` it hands
  out the current token while more than 300 s of it remain (``expires_in`` then says how
  many), else a new one, and the old one stays valid until it expires. ``force_refresh``
  issues a new token at once (at most one every 30 s; sooner it answers the current one) and
  the previous one stops working ``force_grace`` seconds later.
- ``POST /cgi-bin/material/add_material?type=image`` (multipart field ``media``; JPG, PNG, GIF
  or BMP by content, at most 10 MB) → ``media_id``, ``url``.
- ``POST /cgi-bin/media/uploadimg`` (multipart ``media``; JPG/PNG under 1 MB, else 40005 or
  40009) → ``url``.
- ``POST /cgi-bin/draft/add`` ``{"articles": [...]}`` → ``media_id``. Checks the ``draft/add``
  limits: title ≤ 32 (45003), author ≤ 16 (45110), digest ≤ 128 (45004), content under 20,000
  characters and 1 MB (45002), no ``<script`` and every ``<img>`` from ``uploadimg`` (45166), a
  known permanent ``thumb_media_id`` (40007).
- ``POST /cgi-bin/freepublish/submit`` ``{"media_id"}`` → ``publish_id``. The publication is
  counted under the ``X-Idempotency-Key`` header, or else the ``ref`` parameter of the
  article's source URL.
- ``POST /cgi-bin/freepublish/get`` ``{"publish_id"}`` → ``publish_status`` (0 published with
  ``article_id`` and ``article_detail.item[0].article_url``, 1 publishing, 2-6 failed). Each
  publication walks through a copy of ``publish_sequence`` as it is observed: every ``get`` of
  it, and every ``batchget``, moves it one step; the last status then stays.
- ``POST /cgi-bin/freepublish/batchget`` ``{"offset", "count" (1-20), "no_content"}`` → the
  published articles, newest first, with each article's ``content_source_url`` and ``url``.

A rate limit (``rate_limit`` requests per second over all endpoints, ``None`` for none) answers
45011. Standing faults (:class:`Faults`) come on top of the scripted ones: every Nth call (to
any endpoint, the token endpoints too) answers 40001, every Nth submit answers 45009 (nothing published), every Nth
submit is accepted and its connection closed unanswered, every Nth status query
(``freepublish/get`` or ``batchget``) closes its connection unanswered. Run it alone with ``python -m tests.support.wechat_standin --port 8765``.
"""

import argparse
import collections
import email.parser
import email.policy
import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

MB = 1024 * 1024
IMAGE_SIGNATURES = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"GIF8": "gif", b"BM": "bmp"}  # fmt: skip
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40009: "invalid image size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43002: "require POST method",
    44002: "empty post data",
    44003: "empty news data",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit mustslower retry next minute",
    45110: "author size out of limit",
    45166: "invalid content",
    47001: "data format error",
    48001: "api unauthorized",
}


@dataclass
class Faults:
    """Faults that recur for as long as they are set; 0 turns one off.

    Counted over all clients at once, as the platform would see several worker processes.
    A 45009 wins over a drop when both fall on the same submit.
    """

    token_error_every: int = 0
    quota_error_every_submit: int = 0
    drop_every_submit: int = 0
    drop_every_poll: int = 0


@dataclass
class Publication:
    """One accepted ``freepublish/submit``."""

    publish_id: str
    key: str
    draft_media_id: str
    article: dict
    sequence: list[int]
    step: int = 0
    article_id: str = ""
    submitted_at: float = field(default_factory=time.time)

    @property
    def status(self) -> int:
        return self.sequence[min(self.step, len(self.sequence) - 1)]

    def observe(self) -> int:
        """The status now; moves one step along the sequence for next time."""
        status = self.status
        self.step += 1
        return status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Deliveries from several worker processes arrive at once: do not refuse connections.
    request_queue_size = 512


class WeChatStandIn:
    """The server, its scripted faults and what it saw; see the module docstring."""

    def __init__(
        self,
        *,
        app_id: str = "wx00005d1e5a0d0001",
        app_secret: str = "standin-app-secret",
        token_ttl: int = 7200,
        force_grace: float = 0.0,
        rate_limit: int | None = None,
        publish_sequence: list[int] | tuple[int, ...] = (0,),
        faults: Faults | None = None,
    ):
        self.app_id = app_id
        self.app_secret = app_secret
        self.token_ttl = token_ttl
        self.force_grace = force_grace
        self.rate_limit = rate_limit
        self.publish_sequence = list(publish_sequence)
        self.faults = faults or Faults()
        self.lock = threading.Lock()
        self.reset()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def reset(self) -> None:
        """Forget everything seen and scripted (tokens, media, drafts, publications, faults)."""
        with self.lock:
            self.calls: collections.Counter[str] = collections.Counter()
            self.token_requests = 0
            self.tokens_issued = 0
            self.force_refreshes = 0
            self.token_rejections = 0
            self.submits_received = 0
            self.publications: list[Publication] = []
            self.tokens: dict[str, float] = {}
            self._stable_token = ""
            self._last_force = float("-inf")
            self._all_calls = self._submit_calls = self._poll_calls = 0
            self.injected: collections.Counter[str] = collections.Counter()
            self.materials: dict[str, bytes] = {}
            self.uploaded_urls: set[str] = set()
            self.drafts: dict[str, dict] = {}
            self._faults: list[list] = []  # [remaining, status, path or None]
            self._errcodes: list[list] = []  # [remaining, path, errcode, errmsg]
            self._drops = 0
            self._window: collections.deque[float] = collections.deque()
            self._ids = itertools.count(1)

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> "WeChatStandIn":
        return self.serve(port=0)

    def serve(self, *, host: str = "127.0.0.1", port: int = 0) -> "WeChatStandIn":
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server((host, port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="wechat-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "WeChatStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def outlet_config(self, **overrides) -> dict:
        """An ``Outlet.config`` pointing the adapter here, polling fast; the secret is
        ``self.app_secret``."""
        return {
            "base_url": self.base_url,
            "app_id": self.app_id,
            "poll_attempts": 5,
            "poll_interval": 0.01,
            "timeout": 10,
            **overrides,
        }

    # --- scripted faults -----------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 503, path: str | None = None) -> None:
        """The next ``count`` requests (to ``path``, or to any path) answer HTTP ``status``."""
        with self.lock:
            self._faults.append([count, status, path])

    def errcode_next(
        self, path: str, errcode: int, *, count: int = 1, errmsg: str | None = None
    ) -> None:
        """The next ``count`` requests to ``path`` answer with the platform error ``errcode``."""
        with self.lock:
            self._errcodes.append([count, path, errcode, errmsg or ERRMSG.get(errcode, "error")])

    def drop_after_submit(self, count: int = 1) -> None:
        """Accept the next ``count`` submits, then close the connection without answering."""
        with self.lock:
            self._drops += count

    def expire_tokens(self) -> None:
        """Every token handed out so far is now expired (42001)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    # --- what it saw ---------------------------------------------------------------------

    def accepted_by_key(self) -> collections.Counter:
        """Accepted submits per idempotency key."""
        with self.lock:
            return collections.Counter(p.key for p in self.publications)

    def duplicate_keys(self) -> dict[str, int]:
        """Idempotency keys with more than one accepted submit: double publications."""
        return {key: n for key, n in self.accepted_by_key().items() if n > 1}

    def published(self) -> list[Publication]:
        """Publications whose current status is 0 (published)."""
        with self.lock:
            return [p for p in self.publications if p.status == 0]

    def published_keys(self) -> set[str]:
        """Idempotency keys of the articles that are public now."""
        return {publication.key for publication in self.published()}

    # --- request handling (called from server threads) ----------------------------------

    def handle(self, method: str, path: str, query: dict, headers, body: bytes):
        """``(http_status, payload)``, or ``None`` to drop the connection unanswered."""
        with self.lock:
            self.calls[path] += 1
            for fault in self._faults:
                if fault[0] > 0 and fault[2] in (None, path):
                    fault[0] -= 1
                    return fault[1], {"error": "service unavailable"}
            if self.rate_limit is not None:
                now = time.monotonic()
                while self._window and now - self._window[0] >= 1.0:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    return 200, _error(45011)
                self._window.append(now)
            for scripted in self._errcodes:
                if scripted[0] > 0 and scripted[1] == path:
                    scripted[0] -= 1
                    return 200, {"errcode": scripted[2], "errmsg": scripted[3]}
            self._all_calls += 1
            if _nth(self._all_calls, self.faults.token_error_every):
                # Refused before anything is looked at, the token endpoints' calls too.
                self.injected["40001"] += 1
                return 200, _error(40001)
            if path == "/cgi-bin/token":
                return 200, self._token(query)
            if method != "POST":
                return 200, _error(43002)
            if path == "/cgi-bin/stable_token":
                return 200, self._stable(body)
            token_error = self._check_token(query.get("access_token", ""))
            if token_error:
                self.token_rejections += 1
                return 200, token_error
            if path in ("/cgi-bin/freepublish/get", "/cgi-bin/freepublish/batchget"):
                self._poll_calls += 1
                if _nth(self._poll_calls, self.faults.drop_every_poll):
                    self.injected["poll dropped"] += 1
                    return None
            route = {
                "/cgi-bin/material/add_material": self._add_material,
                "/cgi-bin/media/uploadimg": self._uploadimg,
                "/cgi-bin/draft/add": self._draft_add,
                "/cgi-bin/freepublish/submit": self._submit,
                "/cgi-bin/freepublish/get": self._get,
                "/cgi-bin/freepublish/batchget": self._batchget,
            }.get(path)
            if route is None:
                return 404, {"error": "not found"}
            return route(query=query, headers=headers, body=body)

    def _token(self, query: dict) -> dict:
        if query.get("grant_type") != "client_credential":
            return _error(40002)
        if query.get("appid") != self.app_id:
            return _error(40013)
        if query.get("secret") != self.app_secret:
            return _error(40125)
        self.token_requests += 1
        token = self._issue()
        return {"access_token": token, "expires_in": self.token_ttl}

    def _issue(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.token_ttl
        self.tokens_issued += 1
        return token

    def _stable(self, body: bytes) -> dict:
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError:
            return _error(47001)
        if not isinstance(request, dict):
            return _error(47001)
        if request.get("grant_type") != "client_credential":
            return _error(40002)
        if request.get("appid") != self.app_id:
            return _error(40013)
        if request.get("secret") != self.app_secret:
            return _error(40125)
        self.token_requests += 1
        now = time.time()
        current = self._stable_token
        remaining = self.tokens.get(current, 0.0) - now
        if request.get("force_refresh") is True and now - self._last_force >= 30:
            self._last_force = now
            self.force_refreshes += 1
            if current:
                self.tokens[current] = min(self.tokens[current], now + self.force_grace)
            current = self._stable_token = self._issue()
        elif remaining <= 300:
            current = self._stable_token = self._issue()
        return {"access_token": current, "expires_in": int(self.tokens[current] - now)}

    def _check_token(self, token: str) -> dict | None:
        if not token:
            return _error(41001)
        if token not in self.tokens:
            return _error(40014)
        if self.tokens[token] <= time.time():
            return _error(42001)
        return None

    def _add_material(self, *, query, headers, body, **_):
        if query.get("type") != "image":
            return 200, _error(40005)
        data = _multipart_file(headers, body)
        if data is None:
            return 200, _error(44002)
        if _image_kind(data) is None:
            return 200, _error(40005)
        if len(data) > 10 * MB:
            return 200, _error(40009)
        media_id = f"standin-material-{next(self._ids)}"
        self.materials[media_id] = data
        return 200, {"media_id": media_id, "url": f"{self.base_url}/mmbiz/{media_id}"}

    def _uploadimg(self, *, headers, body, **_):
        data = _multipart_file(headers, body)
        if data is None:
            return 200, _error(44002)
        if _image_kind(data) not in ("jpeg", "png"):
            return 200, _error(40005)
        if len(data) >= MB:
            return 200, _error(40009)
        url = f"{self.base_url}/mmbiz_img/{next(self._ids)}"
        self.uploaded_urls.add(url)
        return 200, {"url": url}

    def _draft_add(self, *, body, **_):
        try:
            articles = json.loads(body.decode("utf-8"))["articles"]
        except (ValueError, KeyError, TypeError):
            return 200, _error(47001)
        if not articles or not isinstance(articles, list):
            return 200, _error(44003)
        for article in articles:
            problem = self._article_problem(article)
            if problem:
                return 200, _error(problem)
        media_id = f"standin-draft-{next(self._ids)}"
        self.drafts[media_id] = {"articles": articles}
        return 200, {"media_id": media_id}

    def _article_problem(self, article: dict) -> int | None:
        title, content = article.get("title") or "", article.get("content") or ""
        if not title or len(title) > 32:
            return 45003
        if len(article.get("author") or "") > 16:
            return 45110
        if len(article.get("digest") or "") > 128:
            return 45004
        if not content or len(content) >= 20_000 or len(content.encode("utf-8")) >= MB:
            return 45002
        if "<script" in content.lower():
            return 45166
        if any(src not in self.uploaded_urls for src in _IMG_SRC.findall(content)):
            return 45166
        if article.get("thumb_media_id") not in self.materials:
            return 40007
        return None

    def _submit(self, *, headers, body, **_):
        try:
            media_id = json.loads(body.decode("utf-8"))["media_id"]
        except (ValueError, KeyError, TypeError):
            return 200, _error(47001)
        self.submits_received += 1
        self._submit_calls += 1
        if _nth(self._submit_calls, self.faults.quota_error_every_submit):
            self.injected["45009"] += 1
            return 200, _error(45009)
        draft = self.drafts.get(media_id)
        if draft is None:
            return 200, _error(40007)
        article = draft["articles"][0]
        key = headers.get("X-Idempotency-Key") or dict(
            parse_qsl(urlsplit(article.get("content_source_url", "")).query)
        ).get("ref", "")
        publication = Publication(
            publish_id=str(2_247_480_000 + next(self._ids)),
            key=key,
            draft_media_id=media_id,
            article=article,
            sequence=list(self.publish_sequence),
        )
        self.publications.append(publication)
        if self._drops > 0:
            self._drops -= 1
            return None
        if _nth(self._submit_calls, self.faults.drop_every_submit):
            self.injected["submit dropped"] += 1
            return None
        return 200, {"errcode": 0, "errmsg": "ok", "publish_id": publication.publish_id}

    def _get(self, *, body, **_):
        try:
            publish_id = str(json.loads(body.decode("utf-8"))["publish_id"])
        except (ValueError, KeyError, TypeError):
            return 200, _error(47001)
        publication = next((p for p in self.publications if p.publish_id == publish_id), None)
        if publication is None:
            return 200, _error(40007)
        status = publication.observe()
        answer = {
            "publish_id": publish_id,
            "publish_status": status,
            "article_id": "",
            "article_detail": {"count": 0, "item": []},
            "fail_idx": [1] if status in (2, 3, 4) else [],
        }
        if status in (0, 5, 6):
            answer["article_id"] = self._article_id(publication)
        if status == 0:
            answer["article_detail"] = {"count": 1, "item": [{"idx": 1, "article_url": self._article_url(publication)}]}  # fmt: skip
        return 200, answer

    def _batchget(self, *, body, **_):
        try:
            request = json.loads(body.decode("utf-8"))
            offset, count = int(request["offset"]), int(request["count"])
        except (ValueError, KeyError, TypeError):
            return 200, _error(47001)
        if not 1 <= count <= 20 or offset < 0:
            return 200, _error(47001)
        for publication in self.publications:
            publication.observe()
        published = [p for p in reversed(self.publications) if p.status == 0]
        page = published[offset : offset + count]
        items = []
        for publication in page:
            news = {
                key: publication.article.get(key, "")
                for key in ("title", "author", "digest", "content_source_url", "thumb_media_id")
            }
            news.update(url=self._article_url(publication), is_deleted=False)
            if not request.get("no_content"):
                news["content"] = publication.article.get("content", "")
            items.append(
                {
                    "article_id": self._article_id(publication),
                    "content": {"news_item": [news]},
                    "update_time": int(publication.submitted_at),
                }
            )
        return 200, {"total_count": len(published), "item_count": len(items), "item": items}

    def _article_id(self, publication: Publication) -> str:
        if not publication.article_id:
            publication.article_id = f"standin-article-{publication.publish_id}"
        return publication.article_id

    def _article_url(self, publication: Publication) -> str:
        return f"{self.base_url}/s/{self._article_id(publication)}"


_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)


def _nth(count: int, every: int) -> bool:
    return every > 0 and count % every == 0


def _error(code: int) -> dict:
    return {"errcode": code, "errmsg": ERRMSG.get(code, "error")}


def _image_kind(data: bytes) -> str | None:
    return next((kind for sig, kind in IMAGE_SIGNATURES.items() if data.startswith(sig)), None)


def _multipart_file(headers, body: bytes) -> bytes | None:
    """The bytes of the multipart field ``media``, or ``None``."""
    content_type = headers.get("Content-Type", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "media":
            return part.get_payload(decode=True)
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the adapter's client expects
    # One write per answer and no Nagle delay: headers and body sent apart would wait on the
    # client's delayed ACK, some 40 ms a request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    standin: WeChatStandIn

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        answer = self.standin.handle(method, parts.path, query, self.headers, body)
        if answer is None:
            # Accepted, then the line goes dead: the client never learns the outcome.
            self.close_connection = True
            return
        status, payload = answer
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the WeChat stand-in until interrupted.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate-limit", type=int, default=None)
    args = parser.parse_args()
    standin = WeChatStandIn(rate_limit=args.rate_limit).serve(host=args.host, port=args.port)
    print(
        f"WeChat stand-in on {standin.base_url} app_id={standin.app_id} secret={standin.app_secret}"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
