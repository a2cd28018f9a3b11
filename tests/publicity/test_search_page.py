"""The search page says so when nothing matches, instead of showing an empty page."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_search_with_no_results_says_nothing_was_found(tree, client):
    tree.article("国防教育进校园", body="学生参观营区。")

    response = client.get("/search/", {"q": "龘龘"})

    assert response.status_code == 200
    assert "没有找到相关内容" in response.content.decode()


def test_a_search_with_results_lists_them_without_the_empty_notice(tree, client):
    tree.article("县领导走访拥军模范")

    response = client.get("/search/", {"q": "拥军"})

    page = response.content.decode()
    assert "共找到 1 条结果" in page
    assert "没有找到相关内容" not in page
