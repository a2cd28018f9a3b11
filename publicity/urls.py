"""Public URLs of the column outside Wagtail's page tree: search and feeds."""

from django.urls import path

from . import feeds, views

app_name = "publicity"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("feeds/rss.xml", feeds.SiteFeed(), name="feed_rss"),
    path("feeds/atom.xml", feeds.SiteAtomFeed(), name="feed_atom"),
    path("feeds/column/<int:column_id>/rss.xml", feeds.ColumnFeed(), name="column_feed_rss"),
    path("feeds/column/<int:column_id>/atom.xml", feeds.ColumnAtomFeed(), name="column_feed_atom"),
]
