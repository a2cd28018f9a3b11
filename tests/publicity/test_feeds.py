"""RSS 2.0 and Atom feeds, parsed back with feedparser; the sitemap."""

import feedparser
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(tree):
    sub = tree.column("走访慰问", "visits", parent=tree.news)
    other = tree.column("政策法规", "policies")
    return {
        "news": tree.article(
            "县双拥工作会议召开", summary="部署年度任务。", tags=["会议"], days_ago=1
        ),
        "sub": tree.article("新春走访慰问", summary="慰问驻地部队。", column=sub, days_ago=2),
        "other": tree.article("优待金发放标准", summary="政策解读。", column=other, days_ago=3),
        "other_column": other,
    }


@pytest.mark.parametrize(
    "path, version", [("/feeds/rss.xml", "rss20"), ("/feeds/atom.xml", "atom10")]
)
def test_site_feeds_are_valid_and_list_every_column(client, articles, path, version):
    response = client.get(path)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title == "测试双拥专栏"
    titles = [entry.title for entry in parsed.entries]
    assert titles == ["县双拥工作会议召开", "新春走访慰问", "优待金发放标准"]
    first = parsed.entries[0]
    assert first.link == articles["news"].full_url
    assert first.summary == "部署年度任务。"
    assert first.tags[0].term == "会议"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_column_feed_holds_the_column_and_its_sub_columns(client, articles, tree, kind):
    parsed = feedparser.parse(client.get(f"/feeds/column/{tree.news.pk}/{kind}.xml").content)
    assert not parsed.bozo
    assert parsed.feed.title.startswith("双拥动态")
    assert [entry.title for entry in parsed.entries] == ["县双拥工作会议召开", "新春走访慰问"]


def test_feed_of_a_missing_or_unpublished_column_is_404(client, articles):
    assert client.get("/feeds/column/999999/rss.xml").status_code == 404
    articles["other_column"].unpublish()
    assert client.get(f"/feeds/column/{articles['other_column'].pk}/rss.xml").status_code == 404


def test_sitemap_lists_live_pages(client, articles):
    body = client.get("/sitemap.xml").content.decode()
    assert articles["news"].full_url in body
    assert "<urlset" in body
