"""The demo-content command builds a believable site once and changes nothing the second time."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Site

from publicity.models import ArticlePage, ColumnPage, ExemplarPage, HomePage


@pytest.mark.django_db
def test_demo_content_is_created_once(capsys):
    call_command("load_demo_content")
    first = capsys.readouterr().out
    counts = (Page.objects.count(), get_user_model().objects.count())
    password_hash = get_user_model().objects.get(username="admin").password

    call_command("load_demo_content")
    second = capsys.readouterr().out

    assert "admin / " in first
    assert "admin / " not in second
    assert "未作改动" in second
    assert (Page.objects.count(), get_user_model().objects.count()) == counts
    assert get_user_model().objects.get(username="admin").password == password_hash


@pytest.mark.django_db
def test_demo_site_has_columns_articles_and_exemplars(client):
    call_command("load_demo_content")

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert ColumnPage.objects.live().count() >= 6
    assert ArticlePage.objects.live().count() >= 24
    assert ExemplarPage.objects.live().count() >= 3
    assert client.get("/").status_code == 200
    article = ArticlePage.objects.live().first()
    assert client.get(article.url).status_code == 200
