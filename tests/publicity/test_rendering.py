"""The fast rendering path: links, renditions, listings and key dates computed without
Wagtail's per-object helpers must say exactly what those helpers say."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from publicity.demo.bulk import bulk_create_articles
from publicity.middleware import find_site
from publicity.models import ArticlePage, ColumnPage, HomePage, KeyDate
from publicity.selectors import (
    HOME_ITEMS_PER_COLUMN,
    LARGE_COLUMN,
    PageLinks,
    Pictures,
    breadcrumb_trail,
    child_columns,
    home_sections,
    live_articles,
    next_occurrence,
)

pytestmark = pytest.mark.django_db


def _request(host="localhost"):
    return RequestFactory().get("/", HTTP_HOST=host)


def _assert_links_match(request, pages):
    links = PageLinks(request)
    for page in pages:
        page = Page.objects.get(pk=page.pk)
        assert links.url(page.url_path) == page.get_url(request), page.url_path
        assert links.full_url(page.url_path) == page.full_url, page.url_path


def test_links_match_wagtail_urls_on_one_and_two_sites(tree):
    chinese = tree.column("拥军优属", "拥军优属")
    nested = tree.column("走访慰问", "visits", parent=chinese)
    pages = [
        tree.home,
        tree.news,
        chinese,
        nested,
        tree.article("春节走访慰问", column=nested),
        tree.exemplar("张德明"),
    ]
    _assert_links_match(_request(), pages)
    # A second site whose root is the gallery: its pages now belong to two sites.
    Site.objects.create(hostname="dianxing.example", port=80, root_page=tree.gallery)
    _assert_links_match(_request(), pages)
    _assert_links_match(_request("dianxing.example"), pages)
    assert PageLinks(_request()).url("/elsewhere/") is None


def test_home_shows_the_newest_live_articles_of_every_column(tree, client):
    policies = tree.column("政策法规", "policies")
    nested = tree.column("优抚政策", "benefits", parent=policies)
    for number in range(6):
        tree.article(f"政策解读第{number}期", column=policies, days_ago=number + 1)
    tree.article("最新的政策（子栏目）", column=nested)
    tree.article("未发布的草稿", column=policies, publish=False)
    # Over LARGE_COLUMN children: the newest-first scan takes its other SQL shape.
    bulk_create_articles(tree.news, LARGE_COLUMN + 5)
    assert ColumnPage.objects.get(pk=tree.news.pk).numchild > LARGE_COLUMN

    links, pictures = PageLinks(_request()), Pictures()
    sections = home_sections(child_columns(tree.home), links=links, pictures=pictures)

    expected = {
        column.pk: [
            article.pk for article in live_articles().descendant_of(column)[:HOME_ITEMS_PER_COLUMN]
        ]
        for column in (tree.news, policies)
    }
    assert {section.pk: [card.pk for card in section.articles] for section in sections} == (
        expected
    )
    titles = [card.title for card in sections[1].articles]
    assert titles[0] == "最新的政策（子栏目）" and "未发布的草稿" not in titles
    html = client.get("/").content.decode()
    assert "最新的政策（子栏目）" in html and "未发布的草稿" not in html


def _image(title="封面", **fields):
    return get_image_model().objects.create(
        title=title, file=get_test_image_file(size=(1600, 900)), **fields
    )


def test_renditions_are_found_in_one_query_once_generated(tree):
    images = [_image(f"封面{n}") for n in range(3)]
    first = Pictures()
    wanted = [first.want(image.pk, "fill-640x360") for image in images]
    first.resolve()  # generates the renditions (files and rows)

    again = Pictures()
    found = [again.want(image.pk, "fill-640x360") for image in images]
    assert again.want(None, "fill-640x360") is None
    with CaptureQueriesContext(connection) as captured:
        again.resolve()
    assert len(captured.captured_queries) == 1
    for picture, image in zip(found, images, strict=True):
        rendition = image.get_rendition("fill-640x360")
        assert (picture.url, picture.width, picture.height) == (rendition.url, "640", "360")
        assert picture.alt == image.title
    assert [picture.url for picture in wanted] == [picture.url for picture in found]


def test_a_moved_focal_point_is_not_served_from_the_old_rendition(tree):
    image = _image(description="会场全景")
    old = Pictures()
    stale = old.want(image.pk, "fill-200x200")
    old.resolve()

    image.focal_point_x, image.focal_point_y = 10, 10
    image.focal_point_width = image.focal_point_height = 5
    image.save()
    fresh = Pictures()
    picture = fresh.want(image.pk, "fill-200x200")
    fresh.resolve()
    assert picture.url != stale.url
    assert picture.url == image.get_rendition("fill-200x200").url
    assert picture.alt == "会场全景"


def test_article_whose_cover_file_is_gone_still_renders(tree, client):
    image = _image("丢失的封面")
    image.file.storage.delete(image.file.name)
    article = tree.article("封面文件丢失的文章")
    article.cover_image = image
    article.save_revision().publish()

    with override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0):
        for path in (article.url, "/", "/news/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "封面文件丢失的文章" in response.content.decode()


def test_article_cover_sizes_are_plain_numbers_in_english(tree, client):
    article = tree.article("军营开放日")
    article.cover_image = _image("开放日", description="官兵与群众合影")
    article.save_revision().publish()
    client.cookies["django_language"] = "en"
    html = client.get(article.url).content.decode()
    assert 'width="1200" height="675" alt="官兵与群众合影"' in html


@override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0)
def test_column_filters_combine_in_the_listing_and_the_count(tree, client):
    both = tree.article("征兵政策宣讲", tags=["征兵"])
    tag_only = tree.article("征兵体检开始", tags=["征兵"], days_ago=1)
    theme_only = tree.article("优待金发放", days_ago=2)
    for article in (both, theme_only):
        article.themes.add(tree.theme)
        article.save_revision().publish()

    html = client.get("/news/?theme=support-army&tag=征兵").content.decode()
    assert "共 1 篇文章" in html and "征兵政策宣讲" in html
    assert tag_only.title not in html and theme_only.title not in html
    html = client.get("/news/?tag=征兵").content.decode()
    assert "共 2 篇文章" in html and theme_only.title not in html


def test_key_date_arithmetic_agrees_with_the_recurrence_rule():
    rules = [KeyDate(name=f"{m}-{d}", month=m, day=d) for m in range(1, 13) for d in (1, 15, 28)]
    rules += [KeyDate(name="闰日", month=2, day=29), KeyDate(name="月末", month=12, day=31)]
    rules += [
        KeyDate(name=f"{m}/{n}/{w}", month=m, weekday=w, week_of_month=n)
        for m in (1, 2, 9, 12)
        for n in (1, 2, 3, 4, -1)
        for w in range(7)
    ]
    days = [datetime.date(2023, 12, 25) + datetime.timedelta(days=offset) for offset in (0, 7)]
    days += [datetime.date(year, 2, 28) for year in (2024, 2025, 2096, 2100)]
    days += [datetime.date(2025, 9, 1) + datetime.timedelta(days=n) for n in range(0, 31, 3)]
    days += [datetime.date(2026, 12, 31), datetime.date(2028, 3, 1)]
    for rule in rules:
        for today in days:
            assert next_occurrence(rule, today) == rule.next_occurrence(today), (rule, today)


def test_routing_answers_unknown_and_draft_paths_with_404(tree, client):
    # Routing reads the row's type, then the specific row; anything it cannot find or may
    # not show is a plain 404.
    article = tree.article("双拥共建签约仪式")
    draft = tree.article("尚未发布的通知", publish=False)
    # Types other than the one asked first at their depth: a sub-column, an exemplar.
    nested = tree.column("走访慰问", "visits", parent=tree.news)
    exemplar = tree.exemplar("张德明")
    with override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0):
        for page, text in ((nested, "走访慰问"), (exemplar, "张德明"), (tree.news, "双拥动态")):
            response = client.get(page.url)
            assert response.status_code == 200 and text in response.content.decode()
        assert client.get(article.url).status_code == 200
        assert client.get(article.url + "extra/").status_code == 404
        assert client.get("/news/no-such-article/").status_code == 404
        assert client.get(f"/news/{draft.slug}/").status_code == 404


def test_site_resolution_picks_what_wagtail_picks(tree, client):
    Site.objects.create(hostname="a.example", port=80, root_page=tree.news)
    Site.objects.create(hostname="a.example", port=8080, root_page=tree.gallery)
    Site.objects.create(hostname="b.example", port=8000, root_page=tree.news)
    hosts = ["localhost", "a.example", "b.example", "c.example", "LOCALHOST", "a.example:8080"]
    ports = ["80", "8080", "8000", "443", "not-a-port"]

    def both_agree():
        for host in hosts:
            for port in ports:
                found = find_site(RequestFactory().get("/", HTTP_HOST=host, SERVER_PORT=port))
                # Wagtail's query fails on a port that is not a number (a server error);
                # here it just matches no site's port.
                numeric = port if port.isdigit() else "1"
                expected = Site._find_for_request(
                    RequestFactory().get("/", HTTP_HOST=host, SERVER_PORT=numeric)
                )
                assert (found and found.pk) == (expected and expected.pk), (host, port)

    both_agree()
    Site.objects.update(is_default_site=False)
    both_agree()
    Site.objects.filter(hostname="localhost").update(is_default_site=True)

    found = find_site(_request())
    assert isinstance(found.root_page, HomePage) and found.root_page.intro == tree.home.intro
    with override_settings(ALLOWED_HOSTS=["*"], PUBLICITY_PAGE_CACHE_SECONDS=0):
        # A site rooted at a column (not a home page) is served through Wagtail's own path.
        response = client.get("/", HTTP_HOST="b.example", SERVER_PORT="8000")
        assert response.status_code == 200 and "双拥动态" in response.content.decode()


def test_breadcrumbs_list_every_ancestor_known_or_read(tree):
    nested = tree.column("走访慰问", "visits", parent=tree.news)
    hidden = tree.column("筹备中的栏目", "upcoming")
    articles = [
        tree.article("县领导走访驻地部队"),
        tree.article("春节慰问退役军人", column=nested),
        tree.article("栏目尚未公开的文章", column=hidden),
    ]
    hidden.unpublish()
    request = _request()
    for article in articles:
        expected = [
            {"title": page.title, "url": page.get_url(request)}
            for page in article.get_ancestors().filter(depth__gt=1)
        ]
        assert breadcrumb_trail(article, PageLinks(request)) == expected


def test_article_preview_shows_unsaved_themes_and_tags(tree):
    article = tree.article("军民共建文明单位评选", body="评选结果将于月底公布。")
    article.themes.add(tree.theme)
    article.tags.add("共建")
    html = article.make_preview_request().content.decode()
    assert "评选结果将于月底公布。" in html
    assert ">拥军优属</a>" in html and ">共建</a>" in html
    # Nothing was saved: the public page still has neither.
    public = ArticlePage.objects.get(pk=article.pk)
    assert not public.themes.exists() and not public.tags.exists()
