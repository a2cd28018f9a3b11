"""The guarded fetcher against a real HTTP server on 127.0.0.1: conditional GET, timeouts,
size caps, redirects and the address guard."""

import gzip
import socket
import time

import pytest

from publicity.inbox.fetcher import FetchError, address_allowed, fetch, user_agent

from .conftest import trickle


def test_fetches_with_user_agent_and_answers_304_to_a_conditional_get(feed_server, fetch_limits):
    url = feed_server.add(
        "/feed.xml", b"<rss/>", etag='"v1"', last_modified="Fri, 20 Nov 2026 02:30:00 GMT"
    )

    first = fetch(url)
    again = fetch(url, etag='"v1"')
    by_date = fetch(url, last_modified="Fri, 20 Nov 2026 02:30:00 GMT")

    assert (first.status_code, first.content, first.headers["etag"]) == (200, b"<rss/>", '"v1"')
    assert (again.status_code, again.not_modified, again.content) == (304, True, b"")
    assert by_date.not_modified is True
    sent = [headers for _path, headers in feed_server.requests]
    assert sent[0]["User-Agent"] == user_agent()
    assert user_agent() == "ShuangyongInbox/1.0 (+http://127.0.0.1:8000)"
    assert sent[1]["If-None-Match"] == '"v1"'
    assert sent[2]["If-Modified-Since"] == "Fri, 20 Nov 2026 02:30:00 GMT"


def test_a_server_that_never_answers_is_a_read_timeout(feed_server, fetch_limits):
    def silent(handler):
        time.sleep(2.5)

    url = feed_server.add("/silent", silent)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "服务器响应超时。"


def test_a_body_trickling_one_byte_at_a_time_is_cut_off_at_the_deadline(feed_server, fetch_limits):
    url = feed_server.add("/trickle", lambda handler: trickle(handler, pause=0.2))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "超过 3 秒的总时限仍未下载完，已中止。"


def test_headers_trickling_one_byte_at_a_time_are_cut_off_at_the_deadline(
    feed_server, fetch_limits
):
    url = feed_server.add(
        "/slow-headers", lambda handler: trickle(handler, headers=False, pause=0.2)
    )
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "超过 3 秒的总时限仍未下载完，已中止。"


@pytest.mark.slow
def test_a_100_mb_body_is_cut_off_while_streaming(feed_server, fetch_limits):
    sent = []

    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")  # no length: the client must count
        handler.end_headers()
        chunk = b"<item>" + b"x" * 65_530
        try:
            for _ in range(1600):  # 100 MB
                handler.wfile.write(chunk)
                sent.append(len(chunk))
        except OSError:
            return

    url = feed_server.add("/huge", huge)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "内容超过 256 KB 的上限，已中止下载。"
    assert sum(sent) < 100 * 1024 * 1024


def test_a_declared_oversize_body_is_not_downloaded(feed_server, fetch_limits):
    url = feed_server.add("/big", b"x" * (300 * 1024))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "内容声明为 300 KB，超过 256 KB 的上限，未下载。"


def test_a_gzip_bomb_stops_at_the_limit(feed_server, fetch_limits):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    url = feed_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 256 * 1024
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "内容超过 256 KB 的上限，已中止下载。"


def test_gzip_bodies_are_decoded(feed_server, fetch_limits):
    url = feed_server.add(
        "/gz", gzip.compress("<rss>订阅</rss>".encode()), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(url).content == "<rss>订阅</rss>".encode()


def test_redirects_are_followed_a_few_times(feed_server, fetch_limits):
    feed_server.add("/a", status=301, headers={"Location": "/b"})
    feed_server.add("/b", status=302, headers={"Location": feed_server.url("/feed")})
    feed_server.add("/feed", b"<rss/>")
    feed_server.add("/loop", status=302, headers={"Location": "/loop"})

    result = fetch(feed_server.url("/a"))

    assert (result.url, result.content) == (feed_server.url("/feed"), b"<rss/>")
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/loop"))
    assert str(caught.value) == "跳转超过 3 次，已停止。"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 指向内网、本机或保留地址（169.254.169.254），已拒绝访问。",
        ),
        ("http://10.1.2.3/feed", "10.1.2.3 指向内网、本机或保留地址（10.1.2.3），已拒绝访问。"),
        ("http://[::1]/feed", "::1 指向内网、本机或保留地址（::1），已拒绝访问。"),
        ("http://0.0.0.0/feed", "0.0.0.0 指向内网、本机或保留地址（0.0.0.0），已拒绝访问。"),
        ("file:///etc/passwd", "只能抓取 http 或 https 地址：file:///etc/passwd"),
        ("gopher://127.0.0.1:70/", "只能抓取 http 或 https 地址：gopher://127.0.0.1:70/"),
    ],
)
def test_a_redirect_to_a_private_address_or_other_scheme_is_refused(
    feed_server, fetch_limits, location, message
):
    url = feed_server.add("/jump", status=302, headers={"Location": location})
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == message


def test_a_host_name_resolving_to_any_private_address_is_refused(
    feed_server, fetch_limits, monkeypatch
):
    # A name answering with a public and a private address: one private answer refuses it.
    real = socket.getaddrinfo

    def two_answers(host, port, *args, **kwargs):
        if host == "feeds.example.net":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.10", port)),
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    with pytest.raises(FetchError) as caught:
        fetch("http://feeds.example.net/rss")
    assert (
        str(caught.value)
        == "feeds.example.net 指向内网、本机或保留地址（192.168.1.10），已拒绝访问。"
    )


def test_the_connection_goes_to_the_address_that_was_checked(
    feed_server, fetch_limits, monkeypatch
):
    # DNS rebinding: a second look-up would answer differently. There is only one look-up,
    # and the connection is made to the address it returned.
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    real = socket.getaddrinfo
    looked_up = []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example.net":
            looked_up.append(host)
            address = next(answers)[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = feed_server.base.rsplit(":", 1)[1]
    feed_server.add("/rss", b"<rss/>")

    result = fetch(f"http://rebind.example.net:{port}/rss")

    assert (result.content, looked_up) == (b"<rss/>", ["rebind.example.net"])
    assert feed_server.requests[-1][1]["Host"] == f"rebind.example.net:{port}"


def test_loopback_is_refused_unless_allowed(feed_server, fetch_limits, settings):
    url = feed_server.add("/feed", b"<rss/>")
    settings.INBOX_FETCH = {**fetch_limits, "ALLOWED_NETWORKS": []}
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "127.0.0.1 指向内网、本机或保留地址（127.0.0.1），已拒绝访问。"
    assert feed_server.requests == []


def test_error_statuses_are_reported_in_words(feed_server, fetch_limits):
    url = feed_server.add("/gone", b"gone", status=410)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value) == "服务器返回 HTTP 410（Gone）。"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.0.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_address_guard(address, allowed):
    assert address_allowed(address, []) is allowed
