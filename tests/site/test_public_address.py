"""Every absolute link that leaves the system (feeds, sitemap, WeChat 阅读原文 and cover,
the website outlet's receipt, exports) starts with the address the site is served at."""

import os
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from media_schedule import dispatch
from media_schedule.channels.wechat import version as wechat
from media_schedule.models import DeliveryRecord, Outlet, Placement
from publicity.models import ArticlePage, ColumnPage
from publicity.services import site_address
from tests.support.roles import user_in_role

pytestmark = pytest.mark.django_db

SERVED = "http://127.0.0.1:8765"
URL = re.compile(r"https?://[^\s\"'<>,]+")
# Names of XML vocabularies, not links.
VOCABULARIES = ("http://www.w3.org/", "http://www.sitemaps.org/", "http://purl.org/")


def absolute_urls(text: str) -> list[str]:
    return [url for url in URL.findall(text) if not url.startswith(VOCABULARIES)]


@pytest.fixture
def demo(settings):
    settings.WAGTAILADMIN_BASE_URL = SERVED
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    call_command("load_demo_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return ArticlePage.objects.live().get(slug="article-001")


def test_the_demo_site_takes_its_address_from_base_url(demo, settings):
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == SERVED

    # A later start on another port moves the site with it.
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:9000"
    call_command("load_demo_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    site.refresh_from_db()
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 9000, "http://127.0.0.1:9000")


def test_every_absolute_link_that_leaves_the_system_has_the_served_host(demo, client, monkeypatch):
    # Feeds and sitemap, as a reader or a search engine fetches them
    column = ColumnPage.objects.live().get(slug="shuangyong-news")
    texts = []
    for path in (
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        reverse("publicity:column_feed_rss", args=[column.pk]),
        "/sitemap.xml",
    ):
        response = client.get(path, HTTP_HOST="127.0.0.1:8765")
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    feed_urls = [url for text in texts for url in absolute_urls(text)]
    assert len(feed_urls) > 40
    assert f"{SERVED}/shuangyong-news/article-001/" in feed_urls

    # The WeChat version: 阅读原文 and the cover the platform downloads
    version = wechat.build(demo)
    assert version["content_source_url"] == f"{SERVED}/shuangyong-news/article-001/"
    assert version["cover"]["src"].startswith(f"{SERVED}/media/")

    # The website outlet's receipt, as the dispatcher records it
    monkeypatch.setattr(
        dispatch.claim, "enqueue_deliveries", lambda claimed, **kwargs: len(claimed)
    )
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    placement = Placement.objects.create(page=demo, outlet=outlet, due_at=timezone.now())
    dispatch.dispatch_tick()
    dispatch.placement_deliver(placement_id=placement.pk)
    placement.refresh_from_db()
    record = DeliveryRecord.objects.get(placement=placement)
    assert placement.status == Placement.Status.DELIVERED
    assert placement.result_url == record.url == f"{SERVED}/shuangyong-news/article-001/"

    # The placement export the office files in its archive
    client.force_login(user_in_role("排期员"))
    export = client.get(reverse("media_schedule_placement:index"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert f"{SERVED}/shuangyong-news/article-001/" in body

    every_url = feed_urls + absolute_urls(str(version)) + absolute_urls(body)
    assert [url for url in every_url if not url.startswith(SERVED + "/")] == []


@pytest.mark.parametrize(
    ("base_url", "address"),
    [
        ("http://127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("https://sy.example.gov.cn", ("sy.example.gov.cn", 443)),
        ("http://sy.example.gov.cn/", ("sy.example.gov.cn", 80)),
    ],
)
def test_an_address_becomes_a_host_and_port(base_url, address):
    assert site_address(base_url) == address


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("https://sy.example.gov.cn:8443", "must use port 443"),
        ("ftp://sy.example.gov.cn", "is not an http(s) address"),
        ("sy.example.gov.cn", "is not an http(s) address"),
    ],
)
def test_an_address_links_cannot_carry_is_refused_with_the_reason(base_url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        site_address(base_url)
