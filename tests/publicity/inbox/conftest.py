"""A real HTTP server on 127.0.0.1 standing in for the feed publishers, and feed makers."""

import datetime
import gzip
import http.server
import socketserver
import threading
import time
from email.utils import format_datetime

import pytest


class Route:
    """What the server answers on one path: a status, headers and a body (bytes, or a
    callable given the handler that writes the whole answer itself)."""

    def __init__(self, body=b"", *, status=200, headers=None, etag="", last_modified=""):
        self.body = body
        self.status = status
        self.headers = dict(headers or {})
        self.etag = etag
        self.last_modified = last_modified


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the test output stays readable
        pass

    def do_GET(self):
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        route = server.routes.get(self.path)
        if route is None:
            self._answer(404, {}, b"not found")
            return
        if callable(route.body):
            route.body(self)
            return
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self._answer(304, {"ETag": route.etag}, b"")
            return
        if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
            self._answer(304, {"Last-Modified": route.last_modified}, b"")
            return
        headers = {"Content-Type": "application/rss+xml", **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        self._answer(route.status, headers, route.body)

    def _answer(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FeedServer:
    """The running server: ``add(path, ...)`` a route, ``url(path)`` its address."""

    def __init__(self):
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.routes = {}
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, path, body=b"", **kwargs) -> str:
        self.httpd.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def url(self, path) -> str:
        return self.base + path

    @property
    def requests(self):
        return self.httpd.requests

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def fetch_limits(settings):
    """Tight limits so the fault tests end quickly; 127.0.0.1 may be fetched."""
    settings.INBOX_FETCH = {
        "CONNECT_TIMEOUT": 2.0,
        "READ_TIMEOUT": 1.0,
        "DEADLINE": 3.0,
        "MAX_BYTES": 256 * 1024,
        "MAX_REDIRECTS": 3,
        "ALLOWED_NETWORKS": ["127.0.0.1/32"],
    }
    return settings.INBOX_FETCH


PUBLISHED = datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC)


def rss_item(n, *, title=None, link=None, guid=None, description="", published=PUBLISHED):
    title = title if title is not None else f"双拥新闻第{n}条"
    link = link if link is not None else f"https://news.example.gov.cn/a/{n}.html"
    guid = guid if guid is not None else link
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{description or f'<![CDATA[<p>第{n}条正文。</p>]]>'}</description></item>"
    )


def rss(items, *, encoding="utf-8", title="示范订阅源") -> str:
    """An RSS 2.0 document (as text; encode it in the declared encoding)."""
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<rss version="2.0"><channel><title>{title}</title><link>https://news.example.gov.cn/</link>'
        f"<description>测试</description>{''.join(items)}</channel></rss>"
    )


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def trickle(handler, *, headers=True, pause=0.3, count=10_000):
    """Answer one byte at a time, forever as far as the client is concerned."""
    try:
        if headers:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(count))
            handler.end_headers()
            line = b"<" * count
        else:
            line = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * count
        for byte in line:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)
    except OSError:
        return
