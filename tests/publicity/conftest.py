"""Fixtures for the public site: a small page tree built through Wagtail's own API."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from publicity.models import ArticlePage, ColumnPage, ExemplarPage, HomePage, Theme


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The page cache and rendition cache live in the process: never let one test see
    # another's pages.
    cache.clear()
    yield
    cache.clear()


class Tree:
    """A home page with a news column and an exemplar gallery, and helpers to add pages."""

    def __init__(self):
        root = Page.get_first_root_node()
        self.home = HomePage(title="双拥专栏", slug="shuangyong", intro="示范县双拥工作的窗口。")
        root.add_child(instance=self.home)
        self.home.save_revision().publish()
        site = Site.objects.get(is_default_site=True)
        site.root_page = self.home
        site.site_name = "测试双拥专栏"
        site.save()
        self.news = self.column("双拥动态", "news")
        self.gallery = self.column("先进典型", "exemplars", layout=ColumnPage.Layout.GALLERY)
        self.theme = Theme.objects.create(name="拥军优属", slug="support-army")
        self._count = 0

    def column(self, title, slug, *, parent=None, layout=ColumnPage.Layout.ARTICLES):
        column = ColumnPage(title=title, slug=slug, layout=layout, show_in_menus=True)
        (parent or self.home).add_child(instance=column)
        column.save_revision().publish()
        return column

    def article(
        self, title, *, summary="", body="", column=None, publish=True, days_ago=0, tags=()
    ):
        self._count += 1
        article = ArticlePage(
            title=title,
            slug=f"article-{self._count}",
            summary=summary,
            body=[("paragraph", RichText(f"<p>{body}</p>"))] if body else [],
            publication_date=timezone.now() - datetime.timedelta(days=days_ago),
            live=publish,
        )
        (column or self.news).add_child(instance=article)
        if tags:
            article.tags.set(list(tags))
        revision = article.save_revision()
        if publish:
            revision.publish()
        return ArticlePage.objects.get(pk=article.pk)

    def exemplar(self, title, *, review_in_days=365, publish=True):
        self._count += 1
        today = timezone.localdate()
        page = ExemplarPage(
            title=title,
            slug=f"exemplar-{self._count}",
            summary="二十年如一日义务讲授国防教育课。",
            honours="县双拥模范个人\n优秀国防教育讲师",
            story="<p>退役后回到家乡讲述军旅故事。</p>",
            consent_given_on=today - datetime.timedelta(days=400),
            consent_review_date=today + datetime.timedelta(days=review_in_days),
            live=publish,
        )
        self.gallery.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        return ExemplarPage.objects.get(pk=page.pk)


@pytest.fixture
def tree(db):
    return Tree()
