"""What the inbox shows: entries filtered and searched, and the columns one may import into."""

from django.db.models import Prefetch, Q, QuerySet

from ..models import ColumnPage
from .models import EntrySighting, FeedEntry, FeedSource


def inbox_entries(
    *, status: str = "", source: FeedSource | None = None, query: str = ""
) -> QuerySet:
    """Entries with their sightings, newest first, narrowed by status, source and words in
    the title, summary or author."""
    entries = FeedEntry.objects.prefetch_related(
        Prefetch("sightings", queryset=EntrySighting.objects.select_related("source"))
    )
    if status:
        entries = entries.filter(status=status)
    if source is not None:
        entries = entries.filter(sightings__source=source)
    for word in query.split()[:10]:
        entries = entries.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(author__icontains=word)
        )
    return entries.order_by("-published_at", "-first_seen_at", "-pk").distinct()


def columns_for_import(user) -> list[ColumnPage]:
    """Article columns in which ``user`` may add a page, in tree order."""
    columns = ColumnPage.objects.filter(layout=ColumnPage.Layout.ARTICLES).order_by("path")
    return [c for c in columns if c.permissions_for_user(user).can_add_subpage()]


def flagged_sources() -> QuerySet[FeedSource]:
    """Active sources that failed too often in a row, for the dashboard."""
    from .models import FLAG_AFTER_FAILURES

    return FeedSource.objects.filter(
        active=True, consecutive_failures__gte=FLAG_AFTER_FAILURES
    ).order_by("-consecutive_failures", "name")
