"""Read-only queries behind the public pages.

Each listing runs a fixed number of queries whatever the size of the site: covers come with
the page row (``select_related``) and their renditions in one prefetch, tags in one prefetch.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.images import get_image_model

from .models import ArticlePage, ColumnPage, ExemplarPage, HomePage, KeyDate, Theme

CARD_RENDITION = "fill-640x360"
PORTRAIT_RENDITION = "fill-480x600"
ARTICLES_PER_PAGE = 12
EXEMPLARS_PER_PAGE = 12
HOME_ITEMS_PER_COLUMN = 4


def _with_image(queryset: QuerySet, field: str, rendition: str) -> QuerySet:
    """Join the image row and prefetch its one rendition, so a card costs no query."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=rendition)
    return queryset.select_related(field).prefetch_related(
        Prefetch(f"{field}__renditions", queryset=renditions, to_attr="prefetched_renditions")
    )


def article_cards(queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """Articles ready for a card listing: cover, cover rendition and tags in two queries."""
    return _with_image(queryset, "cover_image", CARD_RENDITION).prefetch_related("tags")


def under(queryset: QuerySet, page) -> QuerySet:
    """Descendants of ``page`` as a range on the indexed tree path.

    Treebeard's ``descendant_of`` is ``path LIKE 'xxxx%'``, which SQLite cannot answer from
    the index; a range on the same column can, on SQLite and PostgreSQL alike.
    """
    return queryset.filter(path__gt=page.path, path__lte=page.path + "Z" * (255 - len(page.path)))


# Above this many children a column's newest articles are found fastest by walking the
# publication-date index; below it, by the path range (then sorting a few rows).
LARGE_COLUMN = 200


def newest_under(queryset: QuerySet, page) -> QuerySet:
    """Descendants of ``page``, with the filter shape that suits the newest-first scan."""
    if page.numchild > LARGE_COLUMN:
        return queryset.descendant_of(page)
    return under(queryset, page)


class CountingPaginator(Paginator):
    """A paginator that counts with a different (index-friendly) queryset than it lists."""

    def __init__(self, object_list, per_page, *, count_queryset: QuerySet):
        super().__init__(object_list, per_page)
        self.count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        return self.count_queryset.count()


def live_articles() -> QuerySet[ArticlePage]:
    return ArticlePage.objects.live().order_by("-publication_date", "-pk")


def visible_exemplars(today: datetime.date | None = None) -> QuerySet[ExemplarPage]:
    """Live exemplars whose subject's consent covers ``today``."""
    today = today or timezone.localdate()
    return (
        ExemplarPage.objects.live()
        .filter(consent_review_date__gte=today)
        .order_by("-first_published_at", "-pk")
    )


def _page_number(params: Mapping) -> str:
    return params.get("page") or "1"


def column_listing(column: ColumnPage, params: Mapping) -> dict:
    """Context for a column page: one page of its articles (or exemplars, for a gallery),
    filtered by ``theme`` (slug) and ``tag`` (name) from the query string."""
    if column.layout == ColumnPage.Layout.GALLERY:
        exemplars = _with_image(
            visible_exemplars().descendant_of(column), "photo", PORTRAIT_RENDITION
        )
        paginator = Paginator(exemplars, EXEMPLARS_PER_PAGE)
        return {"listing": paginator.get_page(_page_number(params)), "gallery": True}

    themes = list(Theme.objects.all())
    theme = next((t for t in themes if t.slug == params.get("theme")), None)
    tag = (params.get("tag") or "").strip()[:100]
    filters = Q()
    if theme is not None:
        filters &= Q(themes=theme)
    if tag:
        filters &= Q(tags__name=tag)
    articles = newest_under(live_articles(), column).filter(filters)
    paginator = CountingPaginator(
        article_cards(articles),
        ARTICLES_PER_PAGE,
        count_queryset=under(live_articles(), column).filter(filters),
    )
    return {
        "listing": paginator.get_page(_page_number(params)),
        "gallery": False,
        "themes": themes,
        "active_theme": theme,
        "active_tag": tag,
    }


@dataclass
class HomeSection:
    column: ColumnPage
    articles: list[ArticlePage]


def home_sections(home: HomePage) -> list[HomeSection]:
    """The latest articles of each top-level article column, in two queries in all.

    One SQL statement unites, per column, an indexed "newest first, limit n" sub-select, so
    the cost does not grow with the number of articles.
    """
    columns = list(
        ColumnPage.objects.child_of(home).live().filter(layout=ColumnPage.Layout.ARTICLES)
    )
    if not columns:
        return []
    condition = Q()
    for column in columns:
        newest = newest_under(live_articles(), column).values("pk")[:HOME_ITEMS_PER_COLUMN]
        condition |= Q(pk__in=newest)
    articles = list(article_cards(live_articles().filter(condition)))
    sections = []
    for column in columns:
        mine = [article for article in articles if article.path.startswith(column.path)]
        if mine:
            sections.append(HomeSection(column=column, articles=mine))
    return sections


def recent_exemplars(home: HomePage, *, limit: int) -> list[ExemplarPage]:
    """The newest exemplars with current consent, for the home page."""
    queryset = _with_image(under(visible_exemplars(), home), "photo", PORTRAIT_RENDITION)
    return list(queryset[:limit])


@dataclass
class UpcomingKeyDate:
    key_date: KeyDate
    date: datetime.date
    days_left: int


def next_key_dates(*, limit: int, today: datetime.date | None = None) -> list[UpcomingKeyDate]:
    """The next ``limit`` key dates on or after ``today``, soonest first."""
    today = today or timezone.localdate()
    upcoming = []
    for key_date in KeyDate.objects.all():
        date = key_date.next_occurrence(today)
        upcoming.append(UpcomingKeyDate(key_date, date, (date - today).days))
    upcoming.sort(key=lambda item: (item.date, item.key_date.name))
    return upcoming[:limit]


def related_articles(article: ArticlePage, theme_ids: list[int], *, limit: int = 4) -> list:
    """Newest live articles sharing a theme with ``article``, else from its column."""
    candidates = live_articles().exclude(pk=article.pk)
    if theme_ids:
        through = ArticlePage.themes.through
        sharing = through.objects.filter(theme_id__in=theme_ids).values("articlepage_id")
        candidates = candidates.filter(pk__in=sharing)
    else:
        candidates = candidates.sibling_of(article, inclusive=False)
    return list(_with_image(candidates, "cover_image", CARD_RENDITION)[:limit])
