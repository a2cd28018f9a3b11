"""Read-only queries behind the public pages.

Listings are read as plain rows (``values()``) and turned into small card records: no page
model is built for a card, no ``specific`` look-up and no per-link ``get_url``. Links are
computed from ``url_path`` with the site root paths read once per request (``PageLinks``),
and every image rendition a page shows is found in one query at the end (``Pictures``).
Each listing runs a fixed number of queries whatever the size of the site.

Pages behind a view restriction (password, login or groups, on the page or an ancestor) are
left out of every listing, menu, related list, feed and search, as a sub-query in the same
statement (``without_restricted``).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_renditions_or_not_found
from wagtail.models import Page, PageViewRestriction, Site

from . import key_dates
from .models import ArticlePage, ArticlePageTag, ColumnPage, ExemplarPage, KeyDate, Theme

CARD_RENDITION = "fill-640x360"
PORTRAIT_RENDITION = "fill-480x600"
ARTICLES_PER_PAGE = 12
EXEMPLARS_PER_PAGE = 12
HOME_ITEMS_PER_COLUMN = 4
DEFAULT_SITE_NAME = _("双拥专栏")

# What Django's ``reverse`` leaves unquoted in a URL (django.urls.resolvers).
_URL_SAFE = "!$&'()*+,;=/~:@"
# The widest path treebeard writes (``Page.path`` is a CharField of 255).
_PATH_END = "Z" * 255


# --- Links --------------------------------------------------------------------------------


class PageLinks:
    """Page URLs from ``url_path``, the way ``Page.get_url(request)`` spells them.

    Wagtail resolves each link with a ``reverse()`` and a walk over the site root paths; a
    listing of twenty cards paid for that twenty times. Here the root paths (Wagtail's own
    cached copy, kept on the request where Wagtail looks for it) and the URL prefix are read
    once. The site runs with ``WAGTAIL_I18N_ENABLED`` off, so paths carry no language prefix.
    """

    def __init__(self, request=None):
        self.request = request
        self.site = Site.find_for_request(request) if request is not None else None

    @cached_property
    def root_paths(self) -> list:
        if self.request is None:
            return Site.get_site_root_paths()
        # The attribute Page.get_url() reads, so Wagtail's own calls share this copy.
        try:
            return self.request._wagtail_cached_site_root_paths
        except AttributeError:
            paths = Site.get_site_root_paths()
            self.request._wagtail_cached_site_root_paths = paths
            return paths

    @cached_property
    def top_columns(self) -> list[dict]:
        """``child_columns`` of the site's home page, read once for the menu, the breadcrumbs
        and the home page's sections."""
        return child_columns(self.site.root_page) if self.site is not None else []

    @cached_property
    def _prefix(self) -> str:
        return reverse("wagtail_serve", args=("",))

    @cached_property
    def _single_site(self) -> bool:
        return len({root.site_id for root in self.root_paths}) == 1

    def _parts(self, url_path: str, *, prefer_current_site: bool = True):
        candidates = [root for root in self.root_paths if url_path.startswith(root.root_path)]
        if not candidates:
            return None
        chosen = candidates[0]
        if (
            prefer_current_site
            and self.site is not None
            and len({root.site_id for root in candidates}) > 1
        ):
            chosen = next((root for root in candidates if root.site_id == self.site.pk), chosen)
        path = self._prefix + quote(url_path[len(chosen.root_path) :], safe=_URL_SAFE)
        if not getattr(settings, "WAGTAIL_APPEND_SLASH", True) and path != "/":
            path = path.rstrip("/")
        return chosen, path

    def url(self, url_path: str) -> str | None:
        """The local URL of the page at ``url_path`` (a full URL when it is on another site),
        or ``None`` when no site holds it."""
        parts = self._parts(url_path)
        if parts is None:
            return None
        root, path = parts
        if self._single_site or (self.site is not None and root.site_id == self.site.pk):
            return path
        return root.root_url + path

    def full_url(self, url_path: str) -> str | None:
        """The URL with scheme and host, as ``Page.full_url`` gives it: on the most specific
        site holding the page, whichever site is being served."""
        parts = self._parts(url_path, prefer_current_site=False)
        return None if parts is None else parts[0].root_url + parts[1]


# --- Pictures -----------------------------------------------------------------------------


class TemplateRecord:
    """Answers ``record[name]`` with the attribute, so the template engine finds a field on
    its first try instead of after a caught ``TypeError``."""

    def __getitem__(self, name: str):
        return getattr(self, name)


@dataclass
class Picture(TemplateRecord):
    """One rendition of one image, filled in by ``Pictures.resolve``.

    Width and height are kept as text for the ``<img>`` attributes: rendered as numbers they
    would be localised (``1,200`` in English).
    """

    image_id: int
    spec: str
    url: str = ""
    width: str = ""
    height: str = ""
    alt: str = ""  # the image's default alt text (description, else title)


_FILTERS: dict[str, Filter] = {}


def _filter(spec: str) -> Filter:
    # Filters parse their spec once (a cached property); they are safe to share.
    if spec not in _FILTERS:
        _FILTERS[spec] = Filter(spec=spec)
    return _FILTERS[spec]


class Pictures:
    """The renditions one page shows, found together in a single query.

    A rendition counts only when its focal-point key matches the image's current focal
    point, as in Wagtail's own look-up. Missing ones are generated through Wagtail (the
    first view after an upload, or after the focal point moved); an image whose file is
    gone shows Wagtail's "not-found" placeholder, as the ``{% image %}`` tag would.
    """

    def __init__(self):
        self._wanted: list[Picture] = []

    def want(self, image_id: int | None, spec: str) -> Picture | None:
        """A placeholder for ``spec`` of image ``image_id`` (``None`` when there is no image)."""
        if image_id is None:
            return None
        picture = Picture(image_id=image_id, spec=spec)
        self._wanted.append(picture)
        return picture

    def resolve(self) -> None:
        """Fill in every placeholder handed out so far."""
        wanted, self._wanted = self._wanted, []
        if not wanted:
            return
        rendition_model = get_image_model().get_rendition_model()
        storage = rendition_model._meta.get_field("file").storage
        specs = {picture.spec for picture in wanted}
        vary = sorted(
            {
                name
                for spec in specs
                for operation in _filter(spec).operations
                for name in getattr(operation, "vary_fields", ())
            }
        )
        rows = rendition_model.objects.filter(
            image_id__in={picture.image_id for picture in wanted}, filter_spec__in=specs
        ).values(
            "image_id",
            "filter_spec",
            "focal_point_key",
            "file",
            "width",
            "height",
            "image__title",
            "image__description",
            *(f"image__{name}" for name in vary),
        )
        found = {}
        for row in rows:
            image = SimpleNamespace(**{name: row[f"image__{name}"] for name in vary})
            if row["focal_point_key"] == _filter(row["filter_spec"]).get_cache_key(image):
                found[row["image_id"], row["filter_spec"]] = (
                    storage.url(row["file"]),
                    str(row["width"]),
                    str(row["height"]),
                    row["image__description"] or row["image__title"],
                )
        missing = defaultdict(set)
        for picture in wanted:
            if (picture.image_id, picture.spec) not in found:
                missing[picture.image_id].add(picture.spec)
        if missing:
            found.update(_generate_renditions(missing))
        for picture in wanted:
            details = found.get((picture.image_id, picture.spec))
            if details is not None:
                picture.url, picture.width, picture.height, picture.alt = details


def _generate_renditions(missing: Mapping[int, set[str]]) -> dict:
    """Create the renditions not found (writes files and rows; a first view only)."""
    found = {}
    for image in get_image_model().objects.filter(pk__in=missing):
        renditions = get_renditions_or_not_found(image, sorted(missing[image.pk]))
        for spec, rendition in renditions.items():
            found[image.pk, spec] = (
                rendition.url,
                str(rendition.width),
                str(rendition.height),
                image.default_alt_text,
            )
    return found


# --- Cards --------------------------------------------------------------------------------


@dataclass
class ArticleCard(TemplateRecord):
    pk: int
    title: str
    url: str | None
    summary: str
    publication_date: datetime.datetime
    source: str
    picture: Picture | None
    tags: list[str] = field(default_factory=list)


@dataclass
class ExemplarCard(TemplateRecord):
    pk: int
    title: str
    url: str | None
    summary: str
    kind: str
    picture: Picture | None


ARTICLE_CARD_FIELDS = (
    "pk",
    "title",
    "url_path",
    "summary",
    "publication_date",
    "source",
    "cover_image_id",
)
EXEMPLAR_CARD_FIELDS = ("pk", "title", "url_path", "summary", "subject_kind", "photo_id")


def _article_cards(
    rows: Iterable[dict], links: PageLinks, pictures: Pictures, *, tags: bool = False
) -> list[ArticleCard]:
    cards = [
        ArticleCard(
            pk=row["pk"],
            title=row["title"],
            url=links.url(row["url_path"]),
            summary=row["summary"],
            publication_date=row["publication_date"],
            source=row["source"],
            picture=pictures.want(row["cover_image_id"], CARD_RENDITION),
        )
        for row in rows
    ]
    if tags and cards:
        by_pk = {card.pk: card for card in cards}
        tagged = (
            ArticlePageTag.objects.filter(content_object_id__in=by_pk)
            .order_by("pk")
            .values_list("content_object_id", "tag__name")
        )
        for article_id, name in tagged:
            by_pk[article_id].tags.append(name)
    return cards


def _exemplar_cards(
    rows: Iterable[dict], links: PageLinks, pictures: Pictures
) -> list[ExemplarCard]:
    kinds = {value: str(label) for value, label in ExemplarPage.SubjectKind.choices}
    return [
        ExemplarCard(
            pk=row["pk"],
            title=row["title"],
            url=links.url(row["url_path"]),
            summary=row["summary"],
            kind=kinds.get(row["subject_kind"], row["subject_kind"]),
            picture=pictures.want(row["photo_id"], PORTRAIT_RENDITION),
        )
        for row in rows
    ]


# --- Tree helpers -------------------------------------------------------------------------


def under(queryset: QuerySet, page) -> QuerySet:
    """Descendants of ``page`` as a range on the indexed tree path.

    Treebeard's ``descendant_of`` is ``path LIKE 'xxxx%'``, which SQLite cannot answer from
    the index; a range on the same column can, on SQLite and PostgreSQL alike.
    """
    return _under_path(queryset, page.path)


def _under_path(queryset: QuerySet, path: str) -> QuerySet:
    return queryset.filter(path__gt=path, path__lte=path + _PATH_END[len(path) :])


# Above this many children a column's newest articles are found fastest by walking the
# publication-date index; below it, by the path range (then sorting a few rows).
LARGE_COLUMN = 200


def newest_under(queryset: QuerySet, page) -> QuerySet:
    """Descendants of ``page``, with the filter shape that suits the newest-first scan."""
    return _newest_under_path(queryset, page.path, page.numchild)


def _newest_under_path(queryset: QuerySet, path: str, numchild: int) -> QuerySet:
    if numchild > LARGE_COLUMN:
        # ``LIKE`` keeps SQLite off the path index, so it walks publication dates instead.
        return queryset.filter(path__startswith=path).exclude(path=path)
    return _under_path(queryset, path)


def _ancestor_paths(path: str) -> list[str]:
    """The tree paths of the page at ``path`` and of its ancestors."""
    step = Page.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def without_restricted(queryset: QuerySet, *, within=None, path: str = "path") -> QuerySet:
    """``queryset`` less the pages a view restriction hides (on the page or an ancestor).

    A listing that is itself behind restrictions (``within``, the page showing it) keeps what
    those restrictions cover: whoever sees the listing has passed them. ``path`` names the
    tree path field of the rows (``page__path`` for rows that point at a page).
    """
    hiding = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef(path), 1, Length("page__path"))
    )
    if within is not None:
        hiding = hiding.exclude(page__path__in=_ancestor_paths(within.path))
    return queryset.filter(~Exists(hiding))


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


# --- Page frame: navigation, breadcrumbs, meta --------------------------------------------


def child_columns(page) -> list[dict]:
    """The live columns directly under ``page``, in tree order.

    Read from the small column table: a depth filter on the page table's path range would
    walk every article below ``page``.
    """
    columns = _under_path(ColumnPage.objects.all(), page.path)
    return list(
        without_restricted(columns, within=page)
        .filter(depth=page.depth + 1, live=True)
        .order_by("path")
        .values("pk", "title", "url_path", "path", "numchild", "show_in_menus", "layout")
    )


def site_navigation(links: PageLinks) -> dict:
    """The site's name, home URL and the top-level columns shown in menus. Only columns may
    sit under the home page (``HomePage.subpage_types``)."""
    site = links.site
    if site is None:
        return {"site_name": DEFAULT_SITE_NAME, "home_url": "/", "items": []}
    home_url = links.url(site.root_page.url_path)
    items = [
        {"title": column["title"], "url": links.url(column["url_path"])}
        for column in links.top_columns
        if column["show_in_menus"]
    ]
    return {
        "site_name": site.site_name or DEFAULT_SITE_NAME,
        "home_url": home_url,
        "items": [{"title": _("首页"), "url": home_url}, *items],
    }


def breadcrumb_trail(page, links: PageLinks) -> list[dict]:
    """Ancestors from the site's home page down (title and URL); none for the home page.

    A page in a top-level column needs no query: the home page and its live columns are
    already at hand (``PageLinks.top_columns``); deeper or unpublished ancestors are read.
    """
    if page.depth <= 2:
        return []
    steplen = page.steplen
    paths = [page.path[:end] for end in range(2 * steplen, len(page.path), steplen)]
    known = {}
    if links.site is not None:
        home = links.site.root_page
        known[home.path] = (home.title, home.url_path)
        known.update({c["path"]: (c["title"], c["url_path"]) for c in links.top_columns})
    if all(path in known for path in paths):
        rows = [known[path] for path in paths]
    else:
        rows = Page.objects.filter(path__in=paths).order_by("path").values_list("title", "url_path")
    return [{"title": title, "url": links.url(url_path)} for title, url_path in rows]


# --- Page listings ------------------------------------------------------------------------


def _page_number(params: Mapping) -> str:
    return params.get("page") or "1"


def column_listing(
    column: ColumnPage, params: Mapping, *, links: PageLinks, pictures: Pictures
) -> dict:
    """Context for a column page: one page of its articles (or exemplars, for a gallery),
    filtered by ``theme`` (slug) and ``tag`` (name) from the query string."""
    number = _page_number(params)
    column_url = links.url(column.url_path)
    if column.layout == ColumnPage.Layout.GALLERY:
        exemplars = without_restricted(under(visible_exemplars(), column), within=column)
        exemplars = exemplars.values(*EXEMPLAR_CARD_FIELDS)
        listing = Paginator(exemplars, EXEMPLARS_PER_PAGE).get_page(number)
        listing.object_list = _exemplar_cards(listing.object_list, links, pictures)
        return {"listing": listing, "gallery": True, "column_url": column_url}

    themes = list(Theme.objects.values("pk", "name", "slug"))
    theme = next((t for t in themes if t["slug"] == params.get("theme")), None)
    tag = (params.get("tag") or "").strip()[:100]
    # Each filter is a set of article ids: the listing tests it row by row (EXISTS) while it
    # walks publication dates newest first and stops after a page; the count, which must
    # read every match anyway, takes the set once (IN) and reads only the page table.
    matching = []
    if theme is not None:
        through = ArticlePage.themes.through
        matching.append((through.objects.filter(theme_id=theme["pk"]), "articlepage_id"))
    if tag:
        matching.append((ArticlePageTag.objects.filter(tag__name=tag), "content_object_id"))
    articles = _newest_under_path(live_articles(), column.path, column.numchild)
    articles = without_restricted(articles, within=column)
    counted = under(Page.objects.live(), column).filter(
        content_type=ContentType.objects.get_for_model(ArticlePage)
    )
    counted = without_restricted(counted, within=column)
    for ids, column_name in matching:
        articles = articles.filter(Exists(ids.filter(**{column_name: OuterRef("pk")})))
        counted = counted.filter(pk__in=ids.values(column_name))
    paginator = CountingPaginator(
        articles.values(*ARTICLE_CARD_FIELDS), ARTICLES_PER_PAGE, count_queryset=counted
    )
    listing = paginator.get_page(number)
    listing.object_list = _article_cards(listing.object_list, links, pictures, tags=True)
    return {
        "listing": listing,
        "gallery": False,
        "column_url": column_url,
        "themes": themes,
        "active_theme": theme,
        "active_tag": tag,
    }


@dataclass
class HomeSection(TemplateRecord):
    pk: int
    title: str
    url: str | None
    articles: list[ArticleCard]


def home_sections(
    columns: list[dict], *, links: PageLinks, pictures: Pictures
) -> list[HomeSection]:
    """The latest articles of each article column in ``columns`` (``child_columns`` of the
    home page), in one query.

    One SQL statement unites, per column, an indexed "newest first, limit n" sub-select, so
    the cost does not grow with the number of articles.
    """
    columns = [column for column in columns if column["layout"] == ColumnPage.Layout.ARTICLES]
    if not columns:
        return []
    newest = _newest_article_ids(columns, HOME_ITEMS_PER_COLUMN)
    rows = list(live_articles().filter(pk__in=newest).values("path", *ARTICLE_CARD_FIELDS))
    sections = []
    for column in columns:
        mine = [row for row in rows if row["path"].startswith(column["path"])]
        if mine:
            sections.append(
                HomeSection(
                    pk=column["pk"],
                    title=column["title"],
                    url=links.url(column["url_path"]),
                    articles=_article_cards(mine, links, pictures),
                )
            )
    return sections


def _newest_article_ids(columns: list[dict], limit: int) -> RawSQL:
    """``UNION ALL`` of one "newest ``limit`` live articles under this column" select per
    column: the ids, as a sub-query.

    Written as SQL because Django cannot slice the parts of a union on SQLite, and building
    the same thing as OR-ed ORM sub-queries cost more than everything else on the home page.
    Each part has the shape ``_newest_under_path`` gives its ORM twin: ``LIKE`` for large
    columns (SQLite then walks the publication-date index and stops after ``limit``), a
    path range for small ones. Tree paths hold only digits and capitals, so ``LIKE`` needs no
    escaping. Restricted articles are skipped as ``without_restricted`` skips them, the
    columns' parent (the page showing them) standing for ``within``.
    """
    quote = connection.ops.quote_name
    article, page = ArticlePage._meta, Page._meta
    restriction = PageViewRestriction._meta
    a, p, r = quote(article.db_table), quote(page.db_table), quote(restriction.db_table)
    ptr = f"{a}.{quote(article.pk.column)}"
    path_column = quote(page.get_field("path").column)
    path = f"{p}.{path_column}"
    allowed = _ancestor_paths(columns[0]["path"][: -Page.steplen])
    hidden = (
        f"NOT EXISTS (SELECT 1 FROM {r} INNER JOIN {p} restricted "
        f"ON restricted.{quote(page.pk.column)} = {r}.{quote(restriction.get_field('page').column)} "
        f"WHERE SUBSTR({path}, 1, LENGTH(restricted.{path_column})) = restricted.{path_column} "
        f"AND restricted.{path_column} NOT IN ({', '.join(['%s'] * len(allowed))}))"
    )
    select = (
        f"SELECT {ptr} FROM {a} INNER JOIN {p} ON {p}.{quote(page.pk.column)} = {ptr} "
        f"WHERE {p}.{quote(page.get_field('live').column)} = %s AND {{where}} AND {hidden} "
        f"ORDER BY {a}.{quote(article.get_field('publication_date').column)} DESC, {ptr} DESC "
        "LIMIT %s"
    )
    parts, params = [], []
    for number, column in enumerate(columns):
        if column["numchild"] > LARGE_COLUMN:
            where, bounds = f"{path} LIKE %s", [column["path"] + "%"]
        else:
            where = f"{path} > %s AND {path} <= %s"
            bounds = [column["path"], column["path"] + _PATH_END[len(column["path"]) :]]
        parts.append(f"SELECT * FROM ({select.format(where=where)}) newest_{number}")
        params.extend([True, *bounds, *allowed, limit])
    return RawSQL(" UNION ALL ".join(parts), params)


def recent_exemplars(home, *, limit: int, links: PageLinks, pictures: Pictures) -> list:
    """The newest exemplars with current consent, for the home page."""
    exemplars = without_restricted(under(visible_exemplars(), home), within=home)
    rows = exemplars.values(*EXEMPLAR_CARD_FIELDS)[:limit]
    return _exemplar_cards(rows, links, pictures)


def article_labels(article: ArticlePage) -> tuple[list[dict], list[dict]]:
    """The article's themes (by name) and tags (in the order given), in one query."""
    rows = (
        ArticlePage.objects.filter(pk=article.pk)
        .order_by("themes__name", "tagged_items__pk")
        .values_list("themes__pk", "themes__name", "themes__slug", "tagged_items__tag__name")
    )
    themes, tags = {}, {}
    for theme_pk, name, slug, tag in rows:
        if theme_pk is not None:
            themes.setdefault(theme_pk, {"pk": theme_pk, "name": name, "slug": slug})
        if tag is not None:
            tags.setdefault(tag, {"name": tag})
    return list(themes.values()), list(tags.values())


def related_articles(
    article: ArticlePage,
    theme_ids: list[int],
    *,
    links: PageLinks,
    pictures: Pictures,
    limit: int = 4,
) -> list[ArticleCard]:
    """Newest live articles sharing a theme with ``article``, else from its column."""
    candidates = without_restricted(live_articles().exclude(pk=article.pk), within=article)
    if theme_ids:
        # EXISTS lets the database walk publication dates newest first and stop at ``limit``.
        through = ArticlePage.themes.through
        sharing = through.objects.filter(theme_id__in=theme_ids, articlepage_id=OuterRef("pk"))
        candidates = candidates.filter(Exists(sharing))
    else:
        candidates = candidates.sibling_of(article, inclusive=False)
    return _article_cards(candidates.values(*ARTICLE_CARD_FIELDS)[:limit], links, pictures)


# --- Key dates ----------------------------------------------------------------------------


@dataclass
class UpcomingKeyDate:
    key_date: KeyDate
    date: datetime.date
    days_left: int


def next_occurrence(key_date: KeyDate, today: datetime.date) -> datetime.date:
    """``KeyDate.next_occurrence`` by calendar arithmetic instead of an rrule per call."""
    return key_dates.next_date(key_date, today)


def next_key_dates(*, limit: int, today: datetime.date | None = None) -> list[UpcomingKeyDate]:
    """The next ``limit`` key dates on or after ``today``, soonest first."""
    today = today or timezone.localdate()
    upcoming = []
    for key_date in KeyDate.objects.all():
        try:
            date = next_occurrence(key_date, today)
        except ValueError:  # a rule with no date for decades (a rare lunar leap month)
            continue
        upcoming.append(UpcomingKeyDate(key_date, date, (date - today).days))
    upcoming.sort(key=lambda item: (item.date, item.key_date.name))
    return upcoming[:limit]
