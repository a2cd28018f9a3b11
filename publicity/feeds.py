"""RSS 2.0 and Atom 1.0 feeds for the whole site and for each column.

One ``Feed`` instance serves every request (and threads), so per-request data travels in
the object ``get_object`` returns, never on ``self``.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from wagtail.models import Site

from .models import ArticlePage, ColumnPage
from .selectors import live_articles, without_restricted

FEED_LENGTH = 20


@dataclass
class FeedSource:
    request: object
    site: Site
    column: ColumnPage | None = None

    @property
    def root(self):
        return self.column or self.site.root_page


class SiteFeed(Feed):
    """The newest articles of the whole site, as RSS 2.0."""

    feed_type = Rss201rev2Feed
    item_guid_is_permalink = True

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        site = Site.find_for_request(request)
        if site is None:
            raise Http404(_("未找到站点。"))
        return FeedSource(request, site)

    def title(self, obj: FeedSource):
        name = obj.site.site_name or _("双拥专栏")
        return f"{obj.column.title} - {name}" if obj.column else name

    def link(self, obj: FeedSource):
        return obj.root.get_url(obj.request)

    def description(self, obj: FeedSource):
        if obj.column:
            return obj.column.intro or obj.column.title
        return _("双拥专栏最新文章")

    subtitle = description

    def items(self, obj: FeedSource):
        # Feeds are public: pages behind a view restriction never appear in them.
        articles = without_restricted(live_articles().descendant_of(obj.root))
        articles = list(articles.prefetch_related("tags")[:FEED_LENGTH])
        for article in articles:
            article.feed_link = article.get_full_url(obj.request)
        return articles

    def item_title(self, item: ArticlePage):
        return item.title

    def item_description(self, item: ArticlePage):
        return item.summary

    def item_link(self, item: ArticlePage):
        return item.feed_link

    def item_guid(self, item: ArticlePage):
        return item.feed_link

    def item_pubdate(self, item: ArticlePage):
        return item.publication_date

    def item_updateddate(self, item: ArticlePage):
        return item.last_published_at or item.publication_date

    def item_author_name(self, item: ArticlePage):
        return item.author or None

    def item_categories(self, item: ArticlePage):
        return [tag.name for tag in item.tags.all()]


class SiteAtomFeed(SiteFeed):
    feed_type = Atom1Feed


class ColumnFeed(SiteFeed):
    """The newest articles of one column and its sub-columns, as RSS 2.0."""

    def get_object(self, request, column_id: int) -> FeedSource:
        source = super().get_object(request)
        column = get_object_or_404(without_restricted(ColumnPage.objects.live()), pk=column_id)
        if not column.path.startswith(source.site.root_page.path):
            raise Http404(_("栏目不属于本站。"))
        source.column = column
        return source


class ColumnAtomFeed(ColumnFeed):
    feed_type = Atom1Feed
