"""The inbox in headless Chromium: the listing, a preview of hostile content (no script
runs, no remote image loads) and an import into review. Screenshots in var/screenshots/."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from PIL import Image

from publicity.inbox.models import FeedSource
from publicity.inbox.services import feed_source_poll
from publicity.models import ArticlePage
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role

from .conftest import rss, rss_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (180, 20, 20)).save(buffer, "PNG")
    return buffer.getvalue()


def draft_entry_id(source) -> int:
    return source.entries.get(title="县领导走访慰问驻地部队官兵").pk


def test_inbox_preview_and_import_in_chromium(live_server, feed_server, fetch_limits):
    from tests.publicity.conftest import Tree

    tree = Tree()
    photo = feed_server.add("/photo.png", _png(), headers={"Content-Type": "image/png"})
    items = [
        rss_item(
            1,
            title="县领导走访慰问驻地部队官兵",
            description=(
                "<![CDATA[<p>11月20日，县领导带队走访慰问驻地部队，送去慰问品。"
                '<img src="x" onerror="alert(1)"><script>alert(2)</script></p>'
                f'<img src="{photo}" alt="慰问现场">'
                '<p><a href="javascript:alert(3)">点此</a>了解<strong>更多</strong>。</p>]]>'
            ),
        ),
        rss_item(2, title="征兵宣传走进县第一中学"),
        rss_item(3, title="全民国防教育日主题活动举行"),
    ]
    source = FeedSource.objects.create(
        name="县融媒体中心",
        url=feed_server.add("/rss", rss(items).encode()),
        default_column=tree.news,
    )
    feed_source_poll(source_id=source.pk)
    editor = user_in_role("订阅编辑", username="editor")
    editor.groups.add(Group.objects.get(name="编辑"))
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    dialogs, remote = [], []

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: remote.append(request.url) if feed_server.base in request.url else None,
        )
        log_in(page, live_server.url, "editor", PASSWORD)

        page.goto(f"{live_server.url}/admin/inbox/")
        page.screenshot(path=str(shots / "inbox-list.png"), full_page=True)
        titles = page.locator("table.listing tbody a").all_inner_texts()
        assert sorted(titles) == sorted(
            ["县领导走访慰问驻地部队官兵", "征兵宣传走进县第一中学", "全民国防教育日主题活动举行"]
        )

        page.click("text=县领导走访慰问驻地部队官兵")
        page.wait_for_load_state("networkidle")
        preview = page.locator(".inbox-preview")
        assert preview.locator("img, script").count() == 0
        assert "〔图片：慰问现场，导入时下载〕" in preview.inner_text()
        page.screenshot(path=str(shots / "inbox-preview.png"), full_page=True)

        assert page.locator("select[name=column]").input_value() == str(tree.news.pk)
        page.click("text=导入为草稿（送三审）")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / "inbox-imported.png"), full_page=True)
        assert (
            "已导入为草稿“县领导走访慰问驻地部队官兵”，并已提交三审；审核通过前不会发布。"
            in page.content()
        )

        FeedSource.objects.create(
            name="省军区新闻网",
            url="https://b.example.gov.cn/rss.xml",
            consecutive_failures=4,
            last_error="服务器返回 HTTP 503（Service Unavailable）。",
        )
        page.goto(f"{live_server.url}/admin/inbox_sources/")
        page.screenshot(path=str(shots / "inbox-sources.png"), full_page=True)
        assert "连续失败 4 次" in page.content()
        page.goto(f"{live_server.url}/admin/")
        panel = page.locator("section[aria-labelledby=inbox-failing-heading]")
        panel.screenshot(path=str(shots / "inbox-dashboard.png"))
        assert "订阅源连续抓取失败" in page.content()

        page.goto(f"{live_server.url}/admin/inbox/{draft_entry_id(source)}/")
        page.click("text=打开导入的草稿")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / "inbox-draft-editor.png"), full_page=True)

    assert dialogs == []
    # The browser asked the feed's host for nothing: the picture came through the server.
    assert remote == []
    draft = ArticlePage.objects.get(title="县领导走访慰问驻地部队官兵")
    assert (draft.live, draft.workflow_in_progress, draft.source) == (False, True, "县融媒体中心")
    assert draft.cover_image is not None
