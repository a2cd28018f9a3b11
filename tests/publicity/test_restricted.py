"""Pages behind a view restriction (password, login, groups) stay out of everything public.

No listing, menu, related list, search, feed or sitemap shows them, and a listing that is
itself behind a restriction still shows what that restriction covers. Setting or lifting a
restriction retires cached copies of public pages at once.
"""

import feedparser
import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from publicity.search import search

pytestmark = pytest.mark.django_db

SECRET = "内部演练方案"


def restrict(page, kind=PageViewRestriction.PASSWORD):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="pw" if kind == "password" else ""
    )
    if kind == PageViewRestriction.GROUPS:
        restriction.groups.set([Group.objects.create(name="内部编辑")])
    return restriction


@pytest.fixture
def site(tree):
    """Public articles beside restricted ones: one per kind, and a restricted column."""
    public = [tree.article(f"社区国防教育课堂第{n}期", days_ago=n + 2) for n in range(4)]
    for article in public:
        article.themes.add(tree.theme)
        article.save_revision().publish()
    hidden = {}
    for days, kind in enumerate(("password", "login", "groups")):
        article = tree.article(
            f"{SECRET}（{kind}）",
            summary=f"{SECRET}摘要",
            body=f"{SECRET}正文：国防动员演练安排",
            days_ago=days,
        )
        article.themes.add(tree.theme)
        article.save_revision().publish()
        restrict(article, kind)
        hidden[kind] = article
    internal = tree.column(f"{SECRET}栏目", "internal")
    hidden["in_column"] = tree.article(f"{SECRET}（栏目内）", column=internal, body="国防动员演练")
    restrict(internal, PageViewRestriction.PASSWORD)
    hidden["exemplar"] = tree.exemplar(f"{SECRET}典型")
    restrict(hidden["exemplar"])
    return {"public": public, "hidden": hidden, "internal": internal, "tree": tree}


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_page_lists_no_restricted_page_and_still_fills_its_sections(site, client):
    page = html(client, "/")

    assert SECRET not in page
    # The newest four unrestricted articles fill the section.
    assert all(article.title in page for article in site["public"])


def test_column_listing_and_count_leave_restricted_pages_out(site, client):
    page = html(client, "/news/")
    gallery = html(client, "/exemplars/")

    assert SECRET not in page and SECRET not in gallery
    assert "共 4 篇文章" in page


def test_menu_leaves_a_restricted_column_out(site, client):
    page = html(client, site["public"][0].url)
    assert SECRET not in page


def test_related_articles_leave_restricted_pages_out(site, client):
    page = html(client, site["public"][0].url)
    assert "相关文章" in page and SECRET not in page


def test_a_restricted_column_lists_its_own_pages_to_who_passed_its_password(site, client):
    internal = site["internal"]
    restriction = PageViewRestriction.objects.get(page=internal)

    form = client.get(internal.url)
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{internal.pk}/",
        {"password": "pw", "return_url": internal.url},
    )
    listing = html(client, internal.url)

    assert f"{SECRET}（栏目内）" not in form.content.decode()
    assert f"{SECRET}（栏目内）" in listing
    # Restricted pages elsewhere stay out even here.
    assert f"{SECRET}（password）" not in listing


def test_search_finds_no_restricted_page_until_the_restriction_is_lifted(site, client):
    results = search("国防动员演练", 1)
    page = html(client, "/search/?q=国防动员演练")

    assert results.hits == []
    assert SECRET not in page

    PageViewRestriction.objects.filter(page=site["hidden"]["password"]).delete()
    assert [hit.title for hit in search("国防动员演练", 1).hits] == [f"{SECRET}（password）"]


@pytest.mark.parametrize("path", ["/feeds/rss.xml", "/feeds/atom.xml"])
def test_site_feeds_leave_restricted_pages_out(site, client, path):
    parsed = feedparser.parse(client.get(path).content)
    titles = [entry.title for entry in parsed.entries]
    assert titles == [article.title for article in site["public"]]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_column_feeds_leave_restricted_pages_out_and_a_restricted_column_has_none(
    site, client, kind
):
    tree = site["tree"]
    column = feedparser.parse(client.get(f"/feeds/column/{tree.news.pk}/{kind}.xml").content)
    internal = client.get(f"/feeds/column/{site['internal'].pk}/{kind}.xml")

    assert [entry.title for entry in column.entries] == [a.title for a in site["public"]]
    assert internal.status_code == 404
    assert SECRET not in internal.content.decode()


def test_sitemap_leaves_restricted_pages_out(site, client):
    body = html(client, "/sitemap.xml")
    assert site["public"][0].url in body
    for page in site["hidden"].values():
        assert page.url not in body
    assert site["internal"].url not in body


def test_restricted_page_answered_to_a_passer_is_not_for_shared_caches(site, client):
    article = site["hidden"]["password"]
    restriction = PageViewRestriction.objects.get(page=article)
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{article.pk}/",
        {"password": "pw", "return_url": article.url},
    )

    response = client.get(article.url)

    assert SECRET in response.content.decode()
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
