"""Polling sources from a real HTTP server on 127.0.0.1: feed formats, Chinese encodings,
hostile and malformed input, health and back-off, de-duplication across sources."""

import datetime
import re

import pytest
from django.utils import timezone

from publicity.inbox.models import FeedEntry, FeedSource
from publicity.inbox.services import feed_source_poll, feed_sources_claim_due

from .conftest import gzipped, rss, rss_item, trickle

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"<script|javascript:|data:|\son\w+\s*=", re.IGNORECASE)


def _source(url, name="国防部网", **kwargs):
    return FeedSource.objects.create(name=name, url=url, **kwargs)


def _poll(source):
    outcome = feed_source_poll(source_id=source.pk)
    source.refresh_from_db()
    return outcome


def stored_text() -> str:
    return "\n".join(
        "\n".join([e.title, e.summary, e.content_html, e.link, e.author])
        for e in FeedEntry.objects.all()
    )


# --- Formats ------------------------------------------------------------------------------

RSS_090 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
<channel><title>零点九零</title><link>https://a.example.gov.cn/</link><description>d</description></channel>
<item><title>RSS 0.90 条目</title><link>https://a.example.gov.cn/090.html</link></item>
</rdf:RDF>"""
RSS_091 = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>零点九一</title><link>https://a.example.gov.cn/</link><description>d</description><language>zh-cn</language>
<item><title>RSS 0.91 条目</title><link>https://a.example.gov.cn/091.html</link><description>零点九一正文</description></item>
</channel></rss>"""
RSS_092 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="0.92"><channel><title>零点九二</title><link>https://a.example.gov.cn/</link><description>d</description>
<item><title>RSS 0.92 条目</title><link>https://a.example.gov.cn/092.html</link><description>&lt;p&gt;零点九二正文&lt;/p&gt;</description></item>
</channel></rss>"""
RSS_10 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://a.example.gov.cn/"><title>一点零</title><link>https://a.example.gov.cn/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="https://a.example.gov.cn/10.html"/></rdf:Seq></items></channel>
<item rdf:about="https://a.example.gov.cn/10.html"><title>RSS 1.0 条目</title><link>https://a.example.gov.cn/10.html</link>
<description>一点零正文</description><dc:date>2026-11-20T10:30:00+08:00</dc:date></item>
</rdf:RDF>"""
RSS_20 = rss([rss_item(1, title="RSS 2.0 条目", link="https://a.example.gov.cn/20.html")])
ATOM_03 = """<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>零点三</title>
<link rel="alternate" type="text/html" href="https://a.example.gov.cn/"/><modified>2026-11-20T02:30:00Z</modified>
<entry><title>Atom 0.3 条目</title><link rel="alternate" type="text/html" href="https://a.example.gov.cn/a03.html"/>
<id>tag:a.example.gov.cn,2026:a03</id><issued>2026-11-20T10:30:00+08:00</issued><modified>2026-11-20T02:30:00Z</modified>
<content type="text/html" mode="escaped">&lt;p&gt;零点三正文&lt;/p&gt;</content></entry></feed>"""
ATOM_10 = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>一点零</title><id>urn:uuid:feed</id><updated>2026-11-20T02:30:00Z</updated>
<entry><title type="html">Atom 1.0 &lt;b&gt;条目&lt;/b&gt;</title><link href="/a10.html"/><id>urn:uuid:a10</id>
<updated>2026-11-20T02:30:00Z</updated><author><name>记者 张三</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>一点零<strong>正文</strong></p></div></content></entry></feed>"""


@pytest.mark.parametrize(
    ("document", "title", "content"),
    [
        (RSS_090, "RSS 0.90 条目", ""),
        (RSS_091, "RSS 0.91 条目", "零点九一正文"),
        (RSS_092, "RSS 0.92 条目", "<p>零点九二正文</p>"),
        (RSS_10, "RSS 1.0 条目", "一点零正文"),
        (RSS_20, "RSS 2.0 条目", "<p>第1条正文。</p>"),
        (ATOM_03, "Atom 0.3 条目", "<p>零点三正文</p>"),
        (ATOM_10, "Atom 1.0 条目", "<p>一点零<b>正文</b></p>"),
    ],
    ids=["rss090", "rss091", "rss092", "rss10", "rss20", "atom03", "atom10"],
)
def test_every_feed_format_is_read(feed_server, fetch_limits, document, title, content):
    source = _source(feed_server.add("/feed", document.encode("utf-8")))

    outcome = _poll(source)

    entry = FeedEntry.objects.get()
    assert (outcome.status, outcome.new_entries, source.last_error) == ("200", 1, "")
    assert (entry.title, entry.content_html) == (title, content)
    assert source.entries_seen == 1 and source.consecutive_failures == 0


def test_atom_relative_links_resolve_against_the_feed_and_authors_are_kept(
    feed_server, fetch_limits
):
    source = _source(feed_server.add("/atom", ATOM_10.encode()))
    _poll(source)
    entry = FeedEntry.objects.get()
    assert (entry.link, entry.author) == (feed_server.url("/a10.html"), "记者 张三")
    assert entry.published_at == datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC)


# --- Encodings ----------------------------------------------------------------------------

GBK_TITLE = "朱镕基喆访问烈士陵园"  # 镕 and 喆 are in GBK but not in GB2312
GB18030_TITLE = "㐀𠀀字库外汉字报道"  # four-byte GB18030 sequences


@pytest.mark.parametrize(
    ("declared", "codec", "title", "content_type"),
    [
        ("gb2312", "gbk", GBK_TITLE, "application/rss+xml"),
        ("gbk", "gbk", GBK_TITLE, "application/rss+xml; charset=GBK"),
        ("gb18030", "gb18030", GB18030_TITLE, "text/xml"),
        ("utf-8", "utf-8", GB18030_TITLE, "application/rss+xml; charset=utf-8"),
        # Declared wrongly: UTF-8 bytes under a GBK label, GBK bytes under a UTF-8 label.
        ("gbk", "utf-8", GBK_TITLE, "application/rss+xml"),
        ("utf-8", "gbk", GBK_TITLE, "application/rss+xml; charset=utf-8"),
        ("utf-8", "gb18030", GB18030_TITLE, "text/xml"),
    ],
)
def test_chinese_encodings_declared_or_misdeclared(
    feed_server, fetch_limits, declared, codec, title, content_type
):
    document = rss(
        [rss_item(1, title=title, description="双拥共建，军民一家。")], encoding=declared
    )
    source = _source(
        feed_server.add("/feed", document.encode(codec), headers={"Content-Type": content_type})
    )

    _poll(source)

    entry = FeedEntry.objects.get()
    assert (entry.title, entry.content_html, source.last_error) == (
        title,
        "双拥共建，军民一家。",
        "",
    )


def test_a_gzipped_gb18030_feed(feed_server, fetch_limits):
    document = rss([rss_item(1, title=GB18030_TITLE)], encoding="gb18030").encode("gb18030")
    source = _source(
        feed_server.add("/feed", gzipped(document), headers={"Content-Encoding": "gzip"})
    )
    _poll(source)
    assert FeedEntry.objects.get().title == GB18030_TITLE


# --- Conditional GET ----------------------------------------------------------------------


def test_an_unchanged_feed_costs_a_304_and_nothing_else(feed_server, fetch_limits):
    url = feed_server.add("/feed", rss([rss_item(1), rss_item(2)]).encode(), etag='"abc"')
    source = _source(url)

    first = _poll(source)
    second = _poll(source)

    assert (first.status, first.new_entries) == ("200", 2)
    assert (second.status, second.new_entries, second.new_sightings) == ("304", 0, 0)
    assert (source.etag, source.last_status, source.entries_seen) == ('"abc"', "未更新（304）", 2)
    assert feed_server.requests[1][1]["If-None-Match"] == '"abc"'


# --- Hostile and malformed input ----------------------------------------------------------

HOSTILE_ITEM = rss_item(
    1,
    title="&lt;script&gt;alert(1)&lt;/script&gt;标题&lt;img src=x onerror=alert(2)&gt;",
    link="javascript:alert(3)",
    description="""<![CDATA[
        <p onclick="alert(4)" style="color:red">正文<script>alert(5)</script></p>
        <a href="javascript:alert(6)">甲</a><a href=" JaVaScRiPt:alert(7)">乙</a>
        <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==">丙</a>
        <img src="data:image/png;base64,iVBORw0KGgo=" onerror="alert(9)">
        <img src="https://img.example.gov.cn/a.png" onload="alert(10)" alt="合影">
        <form action="https://evil.example.com/"><input name="password"></form>
        <iframe src="https://evil.example.com/"></iframe>
        <svg onload="alert(11)"><script>alert(12)</script></svg>
        <a href="https://www.81.cn/" onmouseover="alert(13)">中国军网</a>
        <object data="x.swf"></object><embed src="x.swf">
        <style>body{background:url(javascript:alert(14))}</style>
    ]]>""",
)
PLAIN_TEXT_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2026-11-20T02:30:00Z</updated>
<entry><title type="text">纯文本条目</title><id>urn:x:1</id><updated>2026-11-20T02:30:00Z</updated>
<content type="text">第一段 &lt;script&gt;alert(1)&lt;/script&gt; &lt;a href="javascript:x" onclick="y"&gt;

第二段</content></entry></feed>"""


def test_scripts_handlers_and_bad_urls_never_reach_stored_content(feed_server, fetch_limits):
    source = _source(feed_server.add("/feed", rss([HOSTILE_ITEM]).encode()))

    _poll(source)

    entry = FeedEntry.objects.get()
    assert FORBIDDEN.search(stored_text()) is None
    assert entry.title == "标题"
    assert entry.link == ""
    assert entry.content_html == (
        "<p>正文</p>\n        甲乙\n        丙\n        \n"
        '        <img src="https://img.example.gov.cn/a.png" alt="合影">\n'
        "        \n        \n        \n"
        '        <a href="https://www.81.cn/">中国军网</a>'
    )


def test_plain_text_content_is_escaped(feed_server, fetch_limits):
    source = _source(feed_server.add("/feed", PLAIN_TEXT_ATOM.encode()))
    _poll(source)
    entry = FeedEntry.objects.get()
    assert entry.content_html == (
        "<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt; &lt;a href=&quot;javascript:x&quot; "
        "onclick=&quot;y&quot;&gt;</p><p>第二段</p>"
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>t</title><item><title>&secret;</title></item></channel></rss>"""
ENTITY_REFUSED = "订阅源含有 XML 实体声明（DOCTYPE/ENTITY），可能是“实体扩展炸弹”，已拒绝。"


@pytest.mark.parametrize(
    ("body", "headers", "error"),
    [
        (BILLION_LAUGHS.encode(), {}, ENTITY_REFUSED),
        (BILLION_LAUGHS.encode("utf-16"), {}, ENTITY_REFUSED),
        (EXTERNAL_ENTITY.encode(), {}, ENTITY_REFUSED),
        (
            b"\x89PNG\r\n\x1a\n not a feed at all",
            {"Content-Type": "image/png"},
            "不是有效的 RSS 或 Atom 订阅源",
        ),
        (
            "<html><body><h1>网站维护中</h1></body></html>".encode(),
            {"Content-Type": "text/html"},
            "不是有效的 RSS 或 Atom 订阅源",
        ),
        (b"", {}, "不是有效的 RSS 或 Atom 订阅源"),
    ],
    ids=["billion-laughs", "billion-laughs-utf16", "external-entity", "binary", "html", "empty"],
)
def test_hostile_or_broken_documents_are_a_clear_error(
    feed_server, fetch_limits, body, headers, error
):
    source = _source(feed_server.add("/feed", body, headers=headers))

    outcome = _poll(source)

    assert outcome.status == "error"
    assert source.last_error.startswith(error)
    assert (source.consecutive_failures, FeedEntry.objects.count()) == (1, 0)


def test_a_truncated_feed_keeps_what_could_be_read(feed_server, fetch_limits):
    document = rss([rss_item(1), rss_item(2), rss_item(3)]).encode()
    cut = document[: document.index(b"<item>", document.index(b"</item>")) + 30]
    source = _source(feed_server.add("/feed", cut))

    _poll(source)

    titles = sorted(FeedEntry.objects.values_list("title", flat=True))
    assert titles[:1] == ["双拥新闻第1条"]
    assert source.consecutive_failures == 0
    assert source.last_error.startswith("订阅源格式有误（")


@pytest.mark.slow
def test_a_trickling_and_a_100_mb_source_fail_alone_while_the_next_one_is_polled(
    feed_server, fetch_limits
):
    def huge(handler):
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            for _ in range(1600):
                handler.wfile.write(b"<" * 65_536)
        except OSError:
            return

    slow = _source(feed_server.add("/slow", lambda h: trickle(h, pause=0.2)), name="慢源")
    big = _source(feed_server.add("/huge", huge), name="大源")
    good = _source(feed_server.add("/good", rss([rss_item(1)]).encode()), name="好源")

    for source in (slow, big, good):
        _poll(source)

    assert slow.last_error == "超过 3 秒的总时限仍未下载完，已中止。"
    assert big.last_error == "内容超过 256 KB 的上限，已中止下载。"
    assert (good.last_error, FeedEntry.objects.count()) == ("", 1)


# --- Health and back-off ------------------------------------------------------------------


def test_failures_back_off_and_flag_the_source_and_a_success_resets(feed_server, fetch_limits):
    url = feed_server.add("/feed", b"down", status=503)
    source = _source(url, interval_minutes=30)

    for _ in range(3):
        before = timezone.now()
        _poll(source)

    assert (source.consecutive_failures, source.is_flagged) == (3, True)
    assert source.last_error == "服务器返回 HTTP 503（Service Unavailable）。"
    # 30 minutes doubled three times.
    assert source.next_poll_at - before >= datetime.timedelta(minutes=240)
    assert source.health_display() == "连续失败 3 次：服务器返回 HTTP 503（Service Unavailable）。"

    feed_server.add("/feed", rss([rss_item(1)]).encode())
    _poll(source)
    assert (source.consecutive_failures, source.is_flagged, source.health_display()) == (
        0,
        False,
        "正常",
    )


def test_claiming_due_sources_is_once_per_source(fetch_limits):
    now = timezone.now()
    due = _source("https://a.example.gov.cn/rss", next_poll_at=now - datetime.timedelta(minutes=1))
    never = _source("https://b.example.gov.cn/rss")
    _source("https://c.example.gov.cn/rss", next_poll_at=now + datetime.timedelta(minutes=5))
    _source("https://d.example.gov.cn/rss", active=False)

    first = feed_sources_claim_due(now=now)
    second = feed_sources_claim_due(now=now)

    assert sorted(first) == sorted([due.pk, never.pk])
    assert second == []


# --- De-duplication -----------------------------------------------------------------------


def test_one_item_syndicated_by_three_sources_appears_once_with_all_three(
    feed_server, fetch_limits
):
    published = datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC)
    original = rss_item(
        1,
        title="县领导走访慰问驻地部队",
        link="https://news.example.gov.cn/a/1.html?utm_source=rss",
        guid="news-1",
        published=published,
    )
    same_link = rss_item(
        1,
        title="县领导走访慰问驻地部队（转载）",
        link="HTTPS://NEWS.example.gov.cn/a/1.html/",
        guid="prov-998",
        published=published + datetime.timedelta(hours=2),
    )
    same_title = rss_item(
        1,
        title=" 县领导 走访慰问 驻地部队！",
        link="https://county.example.gov.cn/content/77.html",
        guid="county-77",
        published=published + datetime.timedelta(hours=5),
    )
    sources = [
        _source(feed_server.add(f"/{n}", rss([item, rss_item(10 + n)]).encode()), name=name)
        for n, (item, name) in enumerate(
            [(original, "县融媒体中心"), (same_link, "省融媒体中心"), (same_title, "邻县双拥网")]
        )
    ]

    for source in sources:
        _poll(source)
    for source in sources:
        _poll(source)

    shared = FeedEntry.objects.get(title="县领导走访慰问驻地部队")
    assert sorted(shared.sources.values_list("name", flat=True)) == [
        "县融媒体中心",
        "省融媒体中心",
        "邻县双拥网",
    ]
    assert FeedEntry.objects.count() == 4
    assert [s.entries_seen for s in FeedSource.objects.order_by("pk")] == [2, 2, 2]


def test_the_same_local_id_from_two_sources_is_two_items(feed_server, fetch_limits):
    a = _source(
        feed_server.add(
            "/a",
            rss(
                [rss_item(1, title="甲地新闻", guid="1", link="https://a.example.gov.cn/1")]
            ).encode(),
        )
    )
    b = _source(
        feed_server.add(
            "/b",
            rss(
                [rss_item(1, title="乙地新闻", guid="1", link="https://b.example.gov.cn/1")]
            ).encode(),
        )
    )
    _poll(a)
    _poll(b)
    assert FeedEntry.objects.count() == 2


def test_a_feed_dumping_thousands_of_items_is_capped(feed_server, fetch_limits, settings):
    settings.INBOX_FETCH = {**fetch_limits, "MAX_BYTES": 5 * 1024 * 1024}
    items = [f"<item><title>条目{n}</title><guid>x-{n}</guid></item>" for n in range(2000)]
    source = _source(feed_server.add("/dump", rss(items).encode()))

    outcome = _poll(source)

    assert (outcome.new_entries, source.entries_seen) == (500, 500)
    assert source.last_error == "订阅源一次给出 2000 条，只收取了前 500 条。"
    assert source.consecutive_failures == 0
