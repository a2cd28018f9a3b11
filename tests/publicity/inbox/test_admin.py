"""The inbox in the admin: who may see and do what, filters, search, the sanitised preview,
import, ignore and bulk actions."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from publicity.inbox.models import FeedEntry, FeedSource
from publicity.inbox.parsing import ParsedEntry
from publicity.inbox.services import entries_file
from publicity.models import ArticlePage
from tests.support.roles import user_in_role

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"<script|javascript:|data:|\son\w+\s*=", re.IGNORECASE)


@pytest.fixture
def tree():
    from tests.publicity.conftest import Tree

    return Tree()


@pytest.fixture
def editor(db):
    user = user_in_role("订阅编辑")
    user.groups.add(Group.objects.get(name="编辑"))
    return user


def _parsed(n, title, html="<p>正文</p>"):
    return ParsedEntry(
        guid=f"g{n}",
        link=f"https://news.example.gov.cn/{n}.html",
        title=title,
        summary=f"{title}的摘要",
        content_html=html,
        author="",
        published_at=None,
    )


@pytest.fixture
def inbox(tree):
    county = FeedSource.objects.create(
        name="县融媒体中心", url="https://a.example.gov.cn/rss", default_column=tree.news
    )
    province = FeedSource.objects.create(name="省军区新闻", url="https://b.example.gov.cn/rss")
    entries_file(
        source=county, entries=[_parsed(1, "走访慰问驻地官兵"), _parsed(2, "征兵宣传进校园")]
    )
    entries_file(
        source=province,
        entries=[
            _parsed(
                3,
                "国防教育日活动",
                '<p>活动</p><img src="https://img.example.gov.cn/a.png" alt="现场">',
            )
        ],
    )
    return {"county": county, "province": province}


def _ids(response):
    return sorted(re.findall(r'name="entry" value="(\d+)"', response.content.decode()))


def test_the_inbox_lists_new_entries_with_filters_and_search(client, editor, inbox):
    client.force_login(editor)
    url = reverse("inbox:index")

    everything = client.get(url)
    by_source = client.get(url, {"source": inbox["province"].pk})
    searched = client.get(url, {"q": "征兵"})

    assert everything.status_code == 200
    assert len(_ids(everything)) == 3
    assert [FeedEntry.objects.get(pk=i).title for i in _ids(by_source)] == ["国防教育日活动"]
    assert [FeedEntry.objects.get(pk=i).title for i in _ids(searched)] == ["征兵宣传进校园"]


def test_the_preview_is_sanitised_and_shows_no_remote_image(client, editor, inbox):
    entry = FeedEntry.objects.get(title="国防教育日活动")
    client.force_login(editor)

    html = client.get(reverse("inbox:entry", args=[entry.pk])).content.decode()

    preview = html.split('<div class="inbox-preview">', 1)[1].split("</div>", 1)[0]
    assert preview == '<p>活动</p><span class="inbox-image-note">〔图片：现场，导入时下载〕</span>'
    assert "img.example.gov.cn" not in html


def test_import_from_the_preview_makes_a_draft_in_review(client, editor, inbox, tree, fetch_limits):
    entry = FeedEntry.objects.get(title="走访慰问驻地官兵")
    inbox["county"].themes.add(tree.theme)
    client.force_login(editor)

    response = client.post(
        reverse("inbox:import", args=[entry.pk]), {"column": tree.news.pk}, follow=True
    )

    page = ArticlePage.objects.get(title="走访慰问驻地官兵")
    assert (page.live, page.workflow_in_progress, page.source) == (False, True, "县融媒体中心")
    draft = page.get_latest_revision_as_object()
    assert [theme.name for theme in draft.themes.all()] == ["拥军优属"]
    assert (
        "已导入为草稿“走访慰问驻地官兵”，并已提交三审；审核通过前不会发布。"
        in response.content.decode()
    )


def test_bulk_ignore_restore_and_import(client, editor, inbox, tree, fetch_limits):
    client.force_login(editor)
    ids = [str(pk) for pk in FeedEntry.objects.order_by("pk").values_list("pk", flat=True)]

    client.post(reverse("inbox:bulk"), {"action": "ignore", "entry": ids[:2]})
    assert sorted(FeedEntry.objects.values_list("status", flat=True)) == [
        "ignored",
        "ignored",
        "new",
    ]
    client.post(reverse("inbox:bulk"), {"action": "restore", "entry": ids[:1]})
    client.post(
        reverse("inbox:bulk"),
        {"action": "import", "entry": [ids[0], ids[2]], "column": tree.news.pk},
    )

    statuses = dict(FeedEntry.objects.values_list("title", "status"))
    assert statuses == {
        "走访慰问驻地官兵": "imported",
        "征兵宣传进校园": "ignored",
        "国防教育日活动": "imported",
    }
    assert (
        ArticlePage.objects.filter(
            live=False, title__in=["走访慰问驻地官兵", "国防教育日活动"]
        ).count()
        == 2
    )


def test_a_reader_may_look_but_not_import_or_ignore(client, inbox, tree):
    reader = user_in_role("订阅只读")
    entry = FeedEntry.objects.first()
    client.force_login(reader)

    assert client.get(reverse("inbox:index")).status_code == 200
    assert client.post(reverse("inbox:ignore", args=[entry.pk])).status_code in (302, 403)
    assert client.post(
        reverse("inbox:import", args=[entry.pk]), {"column": tree.news.pk}
    ).status_code in (302, 403)
    assert client.post(
        reverse("inbox:bulk"), {"action": "ignore", "entry": [entry.pk]}
    ).status_code in (302, 403)
    assert FeedEntry.objects.filter(status="new").count() == 3
    assert not ArticlePage.objects.filter(title=entry.title).exists()


def test_admin_access_alone_opens_nothing_of_the_inbox(client, inbox):
    user = user_in_role("仅后台访问")
    client.force_login(user)
    entry = FeedEntry.objects.first()
    for url in (
        reverse("inbox:index"),
        reverse("inbox:entry", args=[entry.pk]),
        reverse("inbox_sources:index"),
    ):
        assert client.get(url).status_code in (302, 403)


def test_hostile_search_and_filter_values_are_harmless(client, editor, inbox):
    client.force_login(editor)
    response = client.get(
        reverse("inbox:index"),
        {
            "q": "<script>alert(1)</script>' OR 1=1 --",
            "source": "1 OR 1=1",
            "status": "x",
            "p": "-1",
        },
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_dashboard_flags_sources_that_keep_failing(client, editor, inbox):
    FeedSource.objects.filter(pk=inbox["province"].pk).update(
        consecutive_failures=4, last_error="服务器返回 HTTP 503（Service Unavailable）。"
    )
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "订阅源连续抓取失败" in html
    assert "<td>连续失败 4 次：服务器返回 HTTP 503（Service Unavailable）。</td>" in html
    assert ">省军区新闻</a></td>" in html


def test_the_source_listing_shows_health(client, editor, inbox):
    client.force_login(editor)
    html = client.get(reverse("inbox_sources:index")).content.decode()
    assert "县融媒体中心" in html and "尚未抓取" in html


def test_the_demo_feed_command_fetches_nothing_and_runs_once(tree, capsys):
    from django.core.management import call_command

    call_command("load_demo_feeds", "--dry-run")
    assert FeedSource.objects.count() == 0
    call_command("load_demo_feeds")
    call_command("load_demo_feeds")

    source = FeedSource.objects.get()
    assert (source.active, source.entries_seen, source.default_column_id) == (
        False,
        3,
        tree.news.pk,
    )
    contents = "".join(FeedEntry.objects.values_list("content_html", flat=True))
    assert FORBIDDEN.search(contents) is None
    assert "示例订阅源已存在，未作改动" in capsys.readouterr().out


def test_editing_a_backed_off_source_polls_it_at_the_next_tick(client, editor, inbox):
    import datetime

    from django.utils import timezone

    source = inbox["province"]
    later = timezone.now() + datetime.timedelta(hours=8)
    FeedSource.objects.filter(pk=source.pk).update(consecutive_failures=5, next_poll_at=later)
    client.force_login(editor)
    form = {
        "name": "省军区新闻",
        "url": "https://c.example.gov.cn/rss.xml",
        "interval_minutes": 60,
        "active": "on",
    }

    refused = client.post(
        reverse("inbox_sources:edit", args=[source.pk]),
        {**form, "url": "ftp://c.example.gov.cn/rss"},
    )
    saved = client.post(reverse("inbox_sources:edit", args=[source.pk]), form)

    assert refused.status_code == 200
    assert saved.status_code == 302
    source.refresh_from_db()
    assert source.url == "https://c.example.gov.cn/rss.xml"
    assert source.next_poll_at <= timezone.now()
