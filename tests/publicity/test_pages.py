"""Page types: parent/child rules, public rendering, caching headers, consent lapse."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from publicity.models import ArticlePage, ColumnPage, ExemplarPage, HomePage
from publicity.services import exemplars_lapsing, exemplars_unpublish_lapsed

pytestmark = pytest.mark.django_db


def test_pages_can_only_be_created_in_their_place(tree):
    assert ColumnPage.can_create_at(tree.home)
    assert ColumnPage.can_create_at(tree.news)  # columns nest
    assert ArticlePage.can_create_at(tree.news)
    assert ExemplarPage.can_create_at(tree.gallery)
    assert not ArticlePage.can_create_at(tree.home)
    assert not ExemplarPage.can_create_at(tree.home)
    assert not HomePage.can_create_at(tree.news)
    assert not HomePage.can_create_at(tree.home.get_parent())  # only one home page
    article = tree.article("县双拥工作会议召开")
    assert not ArticlePage.can_create_at(article)
    assert not ColumnPage.can_create_at(article)


def test_home_shows_latest_per_column_and_next_key_date(tree, client):
    from publicity.models import KeyDate

    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    tree.article("驻地官兵驰援防汛一线", summary="官兵连夜加固堤坝。")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "驻地官兵驰援防汛一线" in html
    assert "八一建军节" in html
    assert 'property="og:title"' in html


def test_column_lists_filters_and_paginates(tree, client):
    tagged = tree.article("征兵宣传进高校", tags=["征兵"])
    tagged.themes.add(tree.theme)
    tagged.save_revision().publish()
    for number in range(14):
        tree.article(f"社区国防教育课堂第{number + 1}期", days_ago=number + 1)

    first = client.get("/news/").content.decode()
    assert "共 15 篇文章" in first and "第 1 页，共 2 页" in first
    second = client.get("/news/?page=2").content.decode()
    assert "社区国防教育课堂第14期" in second
    by_tag = client.get("/news/?tag=征兵").content.decode()
    assert "征兵宣传进高校" in by_tag and "社区国防教育课堂" not in by_tag
    by_theme = client.get("/news/?theme=support-army").content.decode()
    assert "征兵宣传进高校" in by_theme and "共 1 篇文章" in by_theme
    # Nonsense in the query string is shown as "page 1", never an error.
    assert client.get("/news/?page=abc&theme=<script>").status_code == 200


def test_article_renders_body_breadcrumbs_and_related(tree, client):
    first = tree.article(
        "军地共建美丽乡村", summary="共建产业路。", body="三年来官兵参与修路五公里。"
    )
    second = tree.article("部队助力秋收抢收")
    for article in (first, second):
        article.themes.add(tree.theme)
        article.save_revision().publish()
    html = client.get(first.url).content.decode()
    assert "三年来官兵参与修路五公里。" in html
    assert 'aria-label="当前位置"' in html and "双拥动态" in html
    assert "相关文章" in html and "部队助力秋收抢收" in html
    assert '<meta name="description" content="共建产业路。">' in html


def test_public_pages_send_caching_headers_and_answer_conditional_requests(tree, client):
    article = tree.article("双拥主题公园开放")
    response = client.get(article.url)
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"]
    assert response["Last-Modified"]
    again = client.get(article.url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    column = client.get("/news/")
    assert column["ETag"] and "public" in column["Cache-Control"]


def test_anonymous_pages_are_served_from_the_cache_until_something_is_published(tree, client):
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    tree.article("新春走访慰问驻地部队")
    fresh = client.get("/news/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "新春走访慰问驻地部队" in fresh.content.decode()


def test_logged_in_editors_get_private_uncached_pages(tree, client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "e@example.invalid", "pw")
    client.force_login(user)
    response = client.get("/news/")
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_exemplar_leaves_the_site_when_consent_lapses(tree, client):
    current = tree.exemplar("张德明")
    lapsed = tree.exemplar("刘芳", review_in_days=-1)
    assert client.get(current.url).status_code == 200
    assert client.get(lapsed.url).status_code == 404
    gallery = client.get("/exemplars/").content.decode()
    assert "张德明" in gallery and "刘芳" not in gallery
    sitemap = client.get("/sitemap.xml").content.decode()
    assert current.full_url in sitemap and lapsed.full_url not in sitemap

    report = exemplars_unpublish_lapsed()
    assert report.unpublished == ["刘芳"]
    assert not ExemplarPage.objects.get(pk=lapsed.pk).live
    assert ExemplarPage.objects.get(pk=current.pk).live


def test_unpublish_command_dry_run_changes_nothing(tree, capsys):
    lapsed = tree.exemplar("刘芳", review_in_days=-3)
    call_command("unpublish_lapsed_exemplars", "--dry-run")
    assert "刘芳" in capsys.readouterr().out
    assert ExemplarPage.objects.get(pk=lapsed.pk).live
    call_command("unpublish_lapsed_exemplars")
    assert not ExemplarPage.objects.get(pk=lapsed.pk).live


def test_consent_warning_window(tree):
    soon = tree.exemplar("县人民医院", review_in_days=10)
    tree.exemplar("城关镇人民武装部", review_in_days=200)
    assert [page.pk for page in exemplars_lapsing()] == [soon.pk]


def test_exemplar_needs_a_review_date_after_consent(tree):
    page = ExemplarPage(title="王某", slug="wang", consent_given_on=timezone.localdate())
    with pytest.raises(ValidationError, match="请填写"):
        page.clean()
    page.consent_review_date = page.consent_given_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="复核日期必须晚于同意日期"):
        page.clean()


@override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0)
def test_language_switch_posts_without_a_token_and_shows_english(tree):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/news/"})
    assert response.status_code == 302
    html = client.get("/news/").content.decode()
    assert '<html lang="en">' in html
