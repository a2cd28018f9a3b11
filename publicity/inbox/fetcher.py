"""Fetching a feed or a picture from the outside world, guarded.

feedparser 6 fetches with no timeout, no size cap and no host check, so the bytes are
fetched here and parsed from memory. Every fetch:

* allows only http and https, and follows at most ``MAX_REDIRECTS`` redirects by hand;
* resolves the host name itself, refuses it if any address is private, loopback,
  link-local, multicast, reserved or otherwise not global (unless listed in
  ``ALLOWED_NETWORKS``), and then connects to the very address it checked. The check sits
  in the connection layer, so it runs on every hop and on every connection, and a DNS
  answer that changes between the check and the connection (rebinding) cannot slip
  through: there is only one look-up. TLS still verifies the certificate against the
  host name in the URL;
* has a connect timeout, a read timeout and a total deadline: every read waits at most
  until the deadline, so a server that trickles one byte a second is cut off;
* stops reading as soon as the (decompressed) body passes ``MAX_BYTES``.

Settings: ``INBOX_FETCH`` (a dict overriding ``DEFAULTS``); ``INBOX_ALLOWED_NETWORKS`` in the
environment (comma-separated networks) for the allowlist.
"""

import ipaddress
import socket
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from outreach_site.env import env_list

DEFAULTS = {
    "CONNECT_TIMEOUT": 5.0,
    "READ_TIMEOUT": 10.0,
    # Seconds from the first connection to the last byte, redirects included.
    "DEADLINE": 30.0,
    "MAX_BYTES": 5 * 1024 * 1024,
    "MAX_REDIRECTS": 3,
    # Seconds all the pictures of one import may take together: the editor is waiting.
    "IMAGE_BUDGET": 60.0,
    # Networks that may be fetched although not global, e.g. an intranet mirror of the
    # provincial feeds (INBOX_ALLOWED_NETWORKS=10.20.0.0/16), or 127.0.0.1 in tests.
    "ALLOWED_NETWORKS": env_list("INBOX_ALLOWED_NETWORKS", []),
}
REDIRECT_CODES = {301, 302, 303, 307, 308}
# One TLS context for every fetch: building one reads the CA bundle (tens of milliseconds).
_SSL_CONTEXT = httpx.create_ssl_context()


class FetchError(Exception):
    """A fetch that did not give a usable answer, worded for an editor."""


def fetch_settings() -> dict:
    """The fetcher's limits: ``DEFAULTS`` with ``settings.INBOX_FETCH`` on top."""
    return {**DEFAULTS, **getattr(settings, "INBOX_FETCH", {})}


def user_agent() -> str:
    """Who is asking, with an address to contact, as feed publishers expect."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://localhost"
    return f"ShuangyongInbox/1.0 (+{base})"


def address_allowed(address: str, allowed_networks) -> bool:
    """Whether a resolved IP address is public, or in one of ``allowed_networks``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed_networks):
        return True
    return ip.is_global and not ip.is_multicast


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def _timeout(self, timeout: float | None, error) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        secured = self._stream.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(secured, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and connects to the checked address, within the deadline."""

    def __init__(self, deadline: float, allowed_networks):
        self._deadline = deadline
        self._allowed = allowed_networks
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ConnectTimeout("deadline passed")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise FetchError(
                _("无法解析域名 %(host)s：%(error)s") % {"host": host, "error": error.strerror}
            ) from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        refused = [a for a in addresses if not address_allowed(a, self._allowed)]
        if refused:
            raise FetchError(
                _("%(host)s 指向内网、本机或保留地址（%(address)s），已拒绝访问。")
                % {"host": host, "address": refused[0]}
            )
        failure = None
        # Each checked address in turn (an unreachable IPv6 one falls back to IPv4); the
        # connection goes to the address itself, never to the name looked up again.
        for address in addresses:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("deadline passed")
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=remaining if timeout is None else min(timeout, remaining),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            return _DeadlineStream(stream, self._deadline)
        raise failure

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over the guarded backend.

    httpx has no public parameter for httpcore's network backend, so the pool it builds
    is replaced by one with the same TLS context and the guarded backend.
    """

    def __init__(self, backend: _GuardedBackend):
        super().__init__(verify=_SSL_CONTEXT)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_SSL_CONTEXT, max_connections=4, retries=0, network_backend=backend
        )


@dataclass
class FetchResult:
    """What the server answered: 200 with ``content``, or 304 (``not_modified``)."""

    url: str
    status_code: int
    content: bytes = b""
    headers: dict = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("只能抓取 http 或 https 地址：%(url)s") % {"url": url[:200]})


class _BoundedDecoder:
    """Decompresses gzip or deflate bodies without ever holding more than the limit."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.size = 0
        if encoding in ("", "identity"):
            self._inflater = None
        elif encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj()
        else:
            raise FetchError(_("服务器使用了不支持的压缩方式：%(e)s") % {"e": encoding})

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(
                _("内容超过 %(limit)s 的上限，已中止下载。") % {"limit": _size(self.limit)}
            )
        return data

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._inflater is None:
            return [self._count(chunk)]
        parts = []
        try:
            data = chunk
            while data:
                # At most one byte past the limit is inflated: a compression bomb stops here.
                out = self._inflater.decompress(data, self.limit - self.size + 1)
                parts.append(self._count(out))
                data = self._inflater.unconsumed_tail
        except zlib.error as error:
            raise FetchError(_("压缩内容已损坏：%(e)s") % {"e": error}) from None
        return parts


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    max_bytes: int | None = None,
    seconds: float | None = None,
) -> FetchResult:
    """GET ``url`` within the limits of ``fetch_settings()`` (``seconds`` shortens the
    deadline); raise :class:`FetchError` with a reason in words for anything but a 200
    or a 304."""
    config = fetch_settings()
    limit = max_bytes or int(config["MAX_BYTES"])
    allowed_seconds = min(float(config["DEADLINE"]), seconds or float(config["DEADLINE"]))
    deadline = time.monotonic() + allowed_seconds
    allowed = [ipaddress.ip_network(n, strict=False) for n in config["ALLOWED_NETWORKS"]]
    timeout = httpx.Timeout(float(config["READ_TIMEOUT"]), connect=float(config["CONNECT_TIMEOUT"]))
    headers = {"User-Agent": user_agent(), "Accept": accept, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    transport = _GuardedTransport(_GuardedBackend(deadline, allowed))
    with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
        for _hop in range(int(config["MAX_REDIRECTS"]) + 1):
            _check_scheme(url)
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in REDIRECT_CODES:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(_("服务器要求跳转，却没有给出新地址。"))
                        url = urljoin(url, location.strip())
                        continue
                    if response.status_code == 304:
                        return FetchResult(url, 304, headers=dict(response.headers))
                    if response.status_code != 200:
                        raise FetchError(
                            _("服务器返回 HTTP %(code)d（%(reason)s）。")
                            % {"code": response.status_code, "reason": response.reason_phrase}
                        )
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise FetchError(
                            _("内容声明为 %(size)s，超过 %(limit)s 的上限，未下载。")
                            % {"size": _size(int(declared)), "limit": _size(limit)}
                        )
                    decoder = _BoundedDecoder(
                        response.headers.get("content-encoding", "").strip().lower(), limit
                    )
                    body = bytearray()
                    for chunk in response.iter_raw():
                        for part in decoder.feed(chunk):
                            body += part
                        if time.monotonic() > deadline:
                            raise httpx.ReadTimeout("deadline passed")
                    return FetchResult(url, 200, bytes(body), dict(response.headers))
            except httpx.TimeoutException as error:
                if time.monotonic() >= deadline:
                    raise FetchError(
                        _("超过 %(seconds)g 秒的总时限仍未下载完，已中止。")
                        % {"seconds": round(allowed_seconds, 1)}
                    ) from None
                if isinstance(error, httpx.ConnectTimeout):
                    raise FetchError(_("连接服务器超时。")) from None
                raise FetchError(_("服务器响应超时。")) from None
            except httpx.TransportError as error:
                raise FetchError(
                    _("无法连接服务器：%(error)s") % {"error": str(error) or type(error).__name__}
                ) from None
        raise FetchError(
            _("跳转超过 %(count)d 次，已停止。") % {"count": int(config["MAX_REDIRECTS"])}
        )
