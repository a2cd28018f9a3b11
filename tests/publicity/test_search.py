"""Chinese search: bigram index, substring semantics, ranking, highlighting, hostile input."""

import pytest
from django.test import override_settings

from publicity.models import SearchEntry, SearchGram
from publicity.search import (
    MAX_QUERY_LENGTH,
    QueryError,
    highlight,
    parse_query,
    search,
    text_grams,
)

pytestmark = pytest.mark.django_db


def test_text_is_cut_into_bigrams_run_ends_and_words():
    assert text_grams("拥军优属，LED屏") == {"拥军", "军优", "优属", "属", "led", "屏"}
    assert text_grams("Ｌｅｄ 2025年") == {"led", "2025", "年"}


def test_query_parsing():
    query = parse_query("拥军优属 LED")
    assert query.grams == ("拥军", "军优", "优属", "led")
    assert query.substrings == ("拥军优属",)
    assert parse_query("兵").leads == ("兵",)
    assert parse_query("拥军").substrings == ()
    assert parse_query("！？。").empty
    with pytest.raises(QueryError, match="搜索词太长"):
        parse_query("拥" * (MAX_QUERY_LENGTH + 1))


def test_two_character_word_finds_every_article_containing_it(tree):
    in_title = tree.article("县领导走访拥军模范", days_ago=5)
    in_summary = tree.article("新春慰问", summary="开展拥军活动", days_ago=1)
    in_body = tree.article("军民共建", body="群众自发拥军，送去慰问品。", days_ago=2)
    inside_longer_word = tree.article("双拥军民联欢", days_ago=3)  # 双拥军 contains 拥军
    tree.article("国防教育进校园", body="学生参观营区。")
    tree.article("拥政爱民", body="官兵帮助群众抢收。")  # 拥 and 军 never adjacent

    results = search("拥军", 1)
    found = [hit.url for hit in results.hits]
    assert results.page.paginator.count == 4
    # Title matches first, newest first within each group.
    assert found[:2] == [inside_longer_word.url, in_title.url]
    assert set(found[2:]) == {in_summary.url, in_body.url}
    assert found[2] == in_summary.url  # newer


def test_longer_query_needs_the_exact_substring(tree):
    tree.article("双拥工作会议", body="拥军优属政策落到实处。")
    tree.article("军优两字分开", body="拥军活动；优属政策。")
    results = search("拥军优属", 1)
    assert [hit.title for hit in results.hits] == ["双拥工作会议"]


def test_single_character_and_latin_words(tree):
    tree.article("户外LED屏播放公益广告", body="全县二十块屏。")
    tree.article("征兵宣传", body="适龄青年应征入伍。")
    assert search("兵", 1).page.paginator.count == 1
    assert search("屏", 1).page.paginator.count == 1
    assert search("led", 1).page.paginator.count == 1
    assert search("LED屏", 1).page.paginator.count == 1


def test_results_are_paginated_and_highlighted(tree, client):
    for number in range(23):
        tree.article(f"拥军故事第{number + 1}篇", days_ago=number)
    third = search("拥军", 3)
    assert third.page.paginator.num_pages == 3 and len(third.hits) == 3
    assert str(third.hits[0].title).startswith("<mark>拥军</mark>故事")
    html = client.get("/search/", {"q": "拥军", "page": 2}).content.decode()
    assert "<mark>拥军</mark>故事第11篇" in html
    assert "第 2 页，共 3 页" in html


def test_unpublished_and_draft_pages_are_not_found(tree):
    article = tree.article("拥军优属政策解读")
    tree.article("拥军草稿", publish=False)
    assert search("拥军", 1).page.paginator.count == 1
    article.unpublish()
    assert search("拥军", 1).page.paginator.count == 0
    assert not SearchEntry.objects.filter(page_id=article.pk).exists()
    assert not SearchGram.objects.filter(entry_id=article.pk).exists()


def test_lapsed_exemplars_leave_search(tree):
    tree.exemplar("国防教育讲师张德明")
    tree.exemplar("国防教育讲师李明", review_in_days=-1)
    assert [hit.title for hit in search("国防", 1).hits] == ["<mark>国防</mark>教育讲师张德明"]


def test_hostile_queries_meet_clear_errors_and_escaping(tree, client):
    tree.article("拥军100%到位")
    too_long = client.get("/search/", {"q": "拥" * 200})
    assert too_long.status_code == 400
    assert "搜索词太长" in too_long.content.decode()
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    # LIKE wildcards in the query are literal characters.
    assert search("%", 1).page is None
    assert search("100%", 1).page.paginator.count == 1
    assert client.get("/search/", {"q": "拥军", "page": "-1"}).status_code == 200
    assert "请输入" in client.get("/search/", {"q": "，。！"}).content.decode()


def test_highlight_escapes_everything_but_the_marks():
    assert highlight("<b>拥军</b>", ("拥军",)) == "&lt;b&gt;<mark>拥军</mark>&lt;/b&gt;"


@override_settings(PUBLICITY_PAGE_CACHE_SECONDS=0)
def test_search_query_count_does_not_grow_with_results(tree, client, django_assert_max_num_queries):
    for number in range(30):
        tree.article(f"拥军第{number}篇")
    client.get("/search/", {"q": "拥军"})
    with django_assert_max_num_queries(6):
        client.get("/search/", {"q": "拥军", "page": 2})
