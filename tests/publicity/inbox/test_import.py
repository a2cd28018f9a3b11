"""Import into review: a draft ArticlePage in the 三审 workflow, never live, with 来源, the
original link and its pictures downloaded through the guarded fetcher (or dropped with a
note); hostile content never reaches the rendered page."""

import io
import re
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from PIL import Image
from wagtail.images import get_image_model

from publicity.inbox.importing import entry_import
from publicity.inbox.models import FeedEntry, FeedSource
from publicity.inbox.services import InboxError, feed_source_poll
from publicity.models import ArticlePage
from tests.support.roles import user_in_role

from .conftest import rss, rss_item

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"<script|javascript:|data:|\son\w+\s*=", re.IGNORECASE)


def png(width=4, height=3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def pixel_bomb(width=30_000, height=30_000) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels, a few hundred bytes in all."""
    data = bytearray(png(1, 1))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


@pytest.fixture
def editor(db):
    user = user_in_role("订阅编辑")
    user.groups.add(Group.objects.get(name="编辑"))
    return user


@pytest.fixture
def tree():
    from tests.publicity.conftest import Tree

    return Tree()


def _entry_with(feed_server, description, *, title="县双拥办开展走访慰问", names=("县融媒体中心",)):
    item = rss_item(1, title=title, description=f"<![CDATA[{description}]]>")
    for n, name in enumerate(names):
        source = FeedSource.objects.create(
            name=name, url=feed_server.add(f"/{n}", rss([item]).encode())
        )
        feed_source_poll(source_id=source.pk)
    return FeedEntry.objects.get()


def test_an_import_is_a_draft_in_review_with_source_link_and_pictures(
    feed_server, fetch_limits, tree, editor
):
    feed_server.add("/photo.png", png(), headers={"Content-Type": "image/png"})
    feed_server.add("/page.html", b"<html></html>", headers={"Content-Type": "text/html"})
    feed_server.add("/bomb.png", pixel_bomb(), headers={"Content-Type": "image/png"})
    feed_server.add("/big.png", pixel_bomb(9000, 8000), headers={"Content-Type": "image/png"})
    entry = _entry_with(
        feed_server,
        f'<p>慰问<strong>老兵</strong>。</p><img src="{feed_server.url("/photo.png")}" alt="合影">'
        f'<p>第二段</p><img src="{feed_server.url("/page.html")}">'
        f'<img src="{feed_server.url("/bomb.png")}"><img src="{feed_server.url("/big.png")}">'
        '<img src="http://10.0.0.8/inner.png">',
        names=("县融媒体中心", "省军区新闻"),
    )
    entry.sightings.update(link="https://news.example.gov.cn/a/1.html")

    outcome = entry_import(entry=entry, column=tree.news, user=editor)

    page = ArticlePage.objects.get(pk=outcome.page.pk)
    assert (page.live, page.has_unpublished_changes, page.get_parent().pk) == (
        False,
        True,
        tree.news.pk,
    )
    assert page.workflow_in_progress
    assert page.current_workflow_task.name == "初审"
    assert (page.title, page.source) == ("县双拥办开展走访慰问", "县融媒体中心、省军区新闻")
    image = get_image_model().objects.get()
    assert (image.width, image.height, page.cover_image_id) == (4, 3, image.pk)
    assert [(block.block_type) for block in page.body] == [
        "paragraph",
        "image",
        "paragraph",
        "paragraph",
    ]
    assert page.body[0].value.source == "<p>慰问<b>老兵</b>。</p>"
    assert page.body[3].value.source == (
        '<p>原文链接：<a href="https://news.example.gov.cn/a/1.html">'
        "https://news.example.gov.cn/a/1.html</a></p>"
    )
    base = feed_server.base
    assert outcome.notes == [
        f"第 2 张图片未导入（{base}/page.html）：不是 PNG、JPEG、WebP 或 GIF 图片",
        f"第 3 张图片未导入（{base}/bomb.png）：图片像素过多，疑似“解压炸弹”",
        f"第 4 张图片未导入（{base}/big.png）：图片像素过多（9000×8000）",
        "第 5 张图片未导入（http://10.0.0.8/inner.png）：10.0.0.8 指向内网、本机或保留地址（10.0.0.8），已拒绝访问。",
    ]
    entry.refresh_from_db()
    assert (entry.status, entry.imported_page_id, entry.handled_by) == ("imported", page.pk, editor)
    assert entry.import_notes == "\n".join(outcome.notes)


def test_an_entry_is_imported_once(feed_server, fetch_limits, tree, editor):
    entry = _entry_with(feed_server, "<p>正文</p>")
    entry_import(entry=entry, column=tree.news, user=editor)
    with pytest.raises(InboxError) as caught:
        entry_import(entry=entry, column=tree.news, user=editor)
    assert str(caught.value) == "“县双拥办开展走访慰问”已导入过，不再重复导入。"
    assert ArticlePage.objects.filter(title="县双拥办开展走访慰问").count() == 1


def test_a_user_who_may_not_add_pages_in_the_column_is_refused(feed_server, fetch_limits, tree):
    reader = user_in_role("订阅编辑", username="reader")
    entry = _entry_with(feed_server, "<p>正文</p>")
    with pytest.raises(InboxError) as caught:
        entry_import(entry=entry, column=tree.news, user=reader)
    assert str(caught.value) == "您没有在栏目“双拥动态”中新建文章的权限。"
    assert FeedEntry.objects.get().status == "new"


HOSTILE = """
<p onclick="alert(1)">正文<script>alert(2)</script></p>
<a href="javascript:alert(3)">甲</a><a href="data:text/html,alert(4)">乙</a>
<img src="data:image/png;base64,iVBORw0KGgo=" onerror="alert(5)">
<form><input name="p"></form><iframe src="https://evil.example.com/"></iframe>
<a href="https://www.81.cn/" onmouseover="alert(6)">中国军网</a>
"""


def test_hostile_content_never_reaches_the_rendered_draft(feed_server, fetch_limits, tree, editor):
    entry = _entry_with(feed_server, HOSTILE, title="&lt;script&gt;alert(7)&lt;/script&gt;慰问")

    outcome = entry_import(entry=entry, column=tree.news, user=editor)

    page = ArticlePage.objects.get(pk=outcome.page.pk)
    stored = page.get_latest_revision().content
    assert FORBIDDEN.search(str(stored)) is None
    response = page.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "中国军网" in html and FORBIDDEN.search(html) is None


def test_pictures_share_one_time_budget(feed_server, fetch_limits, settings, tree, editor):
    from .conftest import trickle

    settings.INBOX_FETCH = {**fetch_limits, "IMAGE_BUDGET": 2.0}
    feed_server.add("/slow1.png", lambda handler: trickle(handler, pause=0.2))
    feed_server.add("/slow2.png", lambda handler: trickle(handler, pause=0.2))
    entry = _entry_with(
        feed_server,
        f'<p>正文</p><img src="{feed_server.url("/slow1.png")}"><img src="{feed_server.url("/slow2.png")}">',
    )

    outcome = entry_import(entry=entry, column=tree.news, user=editor)

    base = feed_server.base
    assert outcome.notes == [
        f"第 1 张图片未导入（{base}/slow1.png）：超过 2 秒的总时限仍未下载完，已中止。",
        f"第 2 张图片未导入（{base}/slow2.png）：下载图片的总时间已用完。",
    ]
    assert outcome.page.live is False
