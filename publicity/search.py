"""Chinese-aware search for the public site.

Full-text tokenisers in SQLite and PostgreSQL split on spaces and punctuation, so a run of
Chinese characters becomes one "word" and a search for 拥军 misses 县双拥军民共建. Here every
live article and exemplar gets one ``SearchEntry`` row (its plain text) and ``SearchGram``
rows: each overlapping pair of Chinese characters (bigram), the last character of each Chinese
run, and each Latin word or number. A query is cut the same way; an entry matches when it holds
every gram of the query (an indexed lookup), and, when the query is longer than one bigram, the
text is checked for the exact substring so that 双拥军 does not match 双拥 … 拥军. Title matches
rank first, then newer items. The same SQL runs on SQLite and PostgreSQL. Pages behind a view
restriction stay indexed but are never found: the restriction is checked when searching, so
setting or lifting one needs no re-indexing.
"""

import dataclasses
import html
import re
import unicodedata

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

MAX_QUERY_LENGTH = 40
# A query of n Chinese characters has n-1 bigrams; past this many, the substring check that
# follows is selective enough and more lookups only cost time.
MAX_GRAMS_PER_TERM = 6
MAX_WORD_LENGTH = 32
RESULTS_PER_PAGE = 10

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"([{_CJK}]+)|([0-9a-z]+)")


class QueryError(ValueError):
    """A query that cannot be searched; the message is shown to the visitor."""


def normalise(text: str) -> str:
    """Fold full-width letters and digits to ASCII and lower-case, as both text and query are."""
    return unicodedata.normalize("NFKC", text).lower()


def text_grams(text: str) -> set[str]:
    """Every gram stored for ``text``: Chinese bigrams, the last character of each Chinese
    run, and Latin words and numbers (cut to ``MAX_WORD_LENGTH``)."""
    grams: set[str] = set()
    for match in _TOKEN.finditer(normalise(text)):
        run, word = match.groups()
        if run:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
            grams.add(run[-1])
        else:
            grams.add(word[:MAX_WORD_LENGTH])
    return grams


@dataclasses.dataclass(frozen=True)
class ParsedQuery:
    """A visitor's query cut into what the index can look up."""

    terms: tuple[str, ...]  # the whitespace-separated terms, normalised
    grams: tuple[str, ...]  # grams that must all be present
    leads: tuple[str, ...]  # single Chinese characters: some gram must start with each
    substrings: tuple[str, ...]  # terms the text must contain literally

    @property
    def empty(self) -> bool:
        return not (self.grams or self.leads)


def parse_query(raw: str) -> ParsedQuery:
    """Cut a visitor's query into grams; raise ``QueryError`` for a query that is too long."""
    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("搜索词太长（%(length)d 个字符），请控制在 %(limit)d 个字符以内。")
            % {"length": len(raw), "limit": MAX_QUERY_LENGTH}
        )
    terms, grams, leads, substrings = [], [], [], []
    for original in raw.split():
        term = normalise(original)
        tokens = list(_TOKEN.finditer(term))
        if not tokens:
            continue
        terms.append(original)
        term_grams: list[str] = []
        for match in tokens:
            run, word = match.groups()
            if run and len(run) == 1:
                leads.append(run)
            elif run:
                term_grams.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                term_grams.append(word[:MAX_WORD_LENGTH])
        grams.extend(_first_unique(term_grams))
        literal = "".join(m.group(0) for m in tokens)
        single_bigram = len(tokens) == 1 and tokens[0].group(1) and len(literal) == 2
        single_word = len(tokens) == 1 and tokens[0].group(2)
        if not (single_bigram or single_word or len(literal) == 1):
            substrings.append(original)
    return ParsedQuery(tuple(terms), tuple(dict.fromkeys(grams)), tuple(leads), tuple(substrings))


def _first_unique(grams: list[str]) -> list[str]:
    return list(dict.fromkeys(grams))[:MAX_GRAMS_PER_TERM]


def search_document(page) -> tuple[str, str] | None:
    """``(title, text)`` to index for a live page, or ``None`` for a page that is not searched."""
    from .models import ArticlePage, ExemplarPage

    if not isinstance(page, ArticlePage | ExemplarPage):
        return None
    return page.title, page.search_document()


def entry_fields(page) -> dict:
    """Column values of the ``SearchEntry`` for ``page`` (an article or exemplar)."""
    from .models import ArticlePage

    published = (
        page.publication_date
        if isinstance(page, ArticlePage)
        else page.first_published_at or timezone.now()
    )
    return {
        "title": page.title[:255],
        "text": page.search_document(),
        "published_at": published,
        "visible_until": getattr(page, "consent_review_date", None),
    }


def gram_rows(entry_id: int, text: str) -> list:
    from .models import SearchGram

    return [SearchGram(entry_id=entry_id, gram=gram, lead=gram[0]) for gram in text_grams(text)]


def index_page(page) -> None:
    """Bring the search index up to date for ``page``: (re)index it when it is a live
    article or exemplar, drop it otherwise."""
    from .models import SearchEntry, SearchGram

    page = page.specific
    if not page.live or search_document(page) is None:
        unindex_page(page.pk)
        return
    fields = entry_fields(page)
    with transaction.atomic():
        SearchEntry.objects.update_or_create(page_id=page.pk, defaults=fields)
        SearchGram.objects.filter(entry_id=page.pk).delete()
        SearchGram.objects.bulk_create(gram_rows(page.pk, fields["text"]), batch_size=500)


def unindex_page(page_id: int) -> None:
    """Remove a page from the search index (its grams go with it)."""
    from .models import SearchEntry

    SearchEntry.objects.filter(page_id=page_id).delete()


def rebuild_index(*, batch_size: int = 200) -> int:
    """Re-index every live article and exemplar from scratch; return how many were indexed."""
    from .models import ArticlePage, ExemplarPage, SearchEntry, SearchGram

    count = 0
    with transaction.atomic():
        SearchGram.objects.all().delete()
        SearchEntry.objects.all().delete()
        for model in (ArticlePage, ExemplarPage):
            for page in model.objects.live().iterator(chunk_size=batch_size):
                fields = entry_fields(page)
                SearchEntry.objects.create(page_id=page.pk, **fields)
                SearchGram.objects.bulk_create(gram_rows(page.pk, fields["text"]), batch_size=500)
                count += 1
    return count


def matching_entries(query: ParsedQuery, *, today=None) -> QuerySet:
    """Public search entries matching every part of ``query``, title matches first, newest
    next."""
    from .models import SearchEntry, SearchGram
    from .selectors import without_restricted

    today = today or timezone.localdate()
    entries = SearchEntry.objects.filter(page__live=True).filter(
        Q(visible_until__isnull=True) | Q(visible_until__gte=today)
    )
    entries = without_restricted(entries, path="page__path")
    for gram in query.grams:
        entries = entries.filter(pk__in=SearchGram.objects.filter(gram=gram).values("entry_id"))
    for lead in query.leads:
        entries = entries.filter(pk__in=SearchGram.objects.filter(lead=lead).values("entry_id"))
    for literal in query.substrings:
        entries = entries.filter(text__icontains=literal)
    in_title = Q()
    for term in query.terms:
        in_title &= Q(title__icontains=term)
    return entries.annotate(
        title_hit=Case(
            When(in_title, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("-title_hit", "-published_at", "-pk")


@dataclasses.dataclass
class SearchHit:
    title: SafeString
    snippet: SafeString
    url: str
    published_at: object
    kind: str


@dataclasses.dataclass
class SearchResults:
    query: str
    error: str
    page: PaginatorPage | None
    hits: list[SearchHit]


def search(raw_query: str, page_number, *, request=None) -> SearchResults:
    """Run a visitor's search: one page of highlighted hits, in a fixed number of queries."""
    from django.contrib.contenttypes.models import ContentType

    raw_query = (raw_query or "").strip()
    try:
        query = parse_query(raw_query)
    except QueryError as error:
        return SearchResults(raw_query, str(error), None, [])
    if query.empty:
        message = _("请输入要搜索的中文词语或英文单词。") if raw_query else ""
        return SearchResults(raw_query, message, None, [])
    paginator = Paginator(matching_entries(query).select_related("page"), RESULTS_PER_PAGE)
    result_page = paginator.get_page(page_number)
    hits = []
    for entry in result_page.object_list:
        kind = ContentType.objects.get_for_id(entry.page.content_type_id)
        hits.append(
            SearchHit(
                title=highlight(entry.title, query.terms),
                snippet=highlight(excerpt(entry.text, query.terms), query.terms),
                url=entry.page.get_url(request=request),
                published_at=entry.published_at,
                kind=str(kind.model_class()._meta.verbose_name),
            )
        )
    return SearchResults(raw_query, "", result_page, hits)


def excerpt(text: str, terms: tuple[str, ...], *, width: int = 90) -> str:
    """About ``width`` characters of ``text`` around the first occurrence of a term."""
    text = " ".join(text.split())
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in terms]
    found = [position for position in positions if position >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return f"{prefix}{text[start:end]}{suffix}"


def highlight(text: str, terms: tuple[str, ...]) -> SafeString:
    """``text`` escaped, with every occurrence of a term wrapped in ``<mark>``."""
    usable = sorted({term for term in terms if term}, key=len, reverse=True)
    if not usable:
        return mark_safe(html.escape(text))
    pattern = re.compile("|".join(re.escape(term) for term in usable), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return mark_safe("".join(pieces))
