"""Wagtail's database search backend, made to find Chinese text (``WAGTAILSEARCH_BACKENDS``).

The admin searches pages, images, documents and snippets through Wagtail's database backend,
whose tokenisers (SQLite FTS5, PostgreSQL's text search) take a run of Chinese characters for
one word: 慰问 would not find 新春走访慰问驻地部队和优抚对象. Here every Chinese character goes into
the index as a word of its own, and each query term holding Chinese becomes a phrase of its
characters, so a term matches exactly where the text holds it: 走访慰问 matches, 走访部队 does
not. Latin words and numbers are indexed and searched as before; text and query are normalised
as the public search does (full-width forms folded, lower case).

Autocomplete, which every admin search and chooser uses, also looks in the indexed title and
body fields (a page's summary and body, not just its title), ranking title hits first.

An index written before Chinese was split is rebuilt by the first ``migrate`` after the
upgrade (``rebuild_stale_index``); ``manage.py update_index`` rebuilds it at any time.
"""

import re

from django.core.management import call_command
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.backends.database.fallback import DatabaseSearchBackend
from modelsearch.conf import get_app_config
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText
from wagtail.search.backends import get_search_backend

from ..search import _CJK, normalise

IndexEntry = get_app_config().get_model("IndexEntry", require_ready=False)

_CHARACTER = re.compile(f"[{_CJK}]")
_ADJACENT = f"[{_CJK}][{_CJK}]"
# A Chinese character, or a run of other letters and digits.
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def index_text(text: str) -> str:
    """``text`` as it goes into the index: normalised, each Chinese character a word."""
    return _CHARACTER.sub(r" \g<0> ", normalise(text))


def split_query(query):
    """``query`` with every term that holds Chinese turned into a phrase of its characters;
    terms of Latin letters and numbers stay plain text (the last may still be completed)."""
    if isinstance(query, PlainText):
        terms = normalise(query.query_string).split()
        phrases = [Phrase(" ".join(_TOKEN.findall(term))) for term in terms if _has_chinese(term)]
        if not phrases:
            return PlainText(" ".join(terms), operator=query.operator, boost=query.boost)
        words = [term for term in terms if not _has_chinese(term)]
        if words:
            phrases.append(PlainText(" ".join(words), operator=query.operator))
        if len(phrases) == 1:
            return phrases[0]
        return And(phrases) if query.operator == "and" else Or(phrases)
    if isinstance(query, Phrase):
        return Phrase(" ".join(_TOKEN.findall(normalise(query.query_string))))
    if isinstance(query, And | Or):
        return type(query)([split_query(subquery) for subquery in query.subqueries])
    if isinstance(query, Not):
        return Not(split_query(query.subquery))
    if isinstance(query, Boost):
        return Boost(split_query(query.subquery), query.boost)
    return query


def _has_chinese(term: str) -> bool:
    return _CHARACTER.search(term) is not None


class SplitQueryMixin:
    """For query compilers: split Chinese in the query as it is split in the index."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.query = split_query(self.query)

    def object_keys(self):
        """The searched objects' keys, as the index holds them (text)."""
        return self.queryset.annotate(_key=Cast("pk", TextField())).values("_key")


class IndexFirstResults:
    """For search results: count, rank and slice the hits in one query on the index, then
    fetch that page of objects by key.

    modelsearch joins the objects to the index and scores each result in a subquery. A single
    Chinese character matches most pages, and that turns quadratic: SQLite's bm25() reads the
    whole index again for every result, and PostgreSQL, unable to estimate the matches, loops
    over every page for each hit. The compiler's ``hits()`` gives the matching index rows
    (``None`` where modelsearch's own query serves) and ``ranked()`` orders them."""

    def _do_count(self):
        hits = self.query_compiler.hits(self._config())
        return super()._do_count() if hits is None else hits.count()

    def _do_search(self):
        compiler = self.query_compiler
        hits = compiler.hits(self._config())
        if hits is None or (self._score_field and not compiler.order_by_relevance):
            return super()._do_search()
        if not compiler.order_by_relevance:
            pk = compiler.queryset.model._meta.pk
            queryset = compiler.queryset.filter(
                pk__in=hits.annotate(_pk=Cast(compiler.KEY, pk)).values("_pk")
            )
            if not queryset.query.order_by:
                queryset = queryset.order_by("-pk")
            return list(queryset[self.start : self.stop])
        ranked = list(compiler.ranked(hits, self._config())[self.start : self.stop])
        found = {
            str(obj.pk): obj for obj in compiler.queryset.filter(pk__in=[k for k, _ in ranked])
        }
        results = []
        for key, score in ranked:
            if key in found:
                if self._score_field:
                    setattr(found[key], self._score_field, score)
                results.append(found[key])
        return results

    def _config(self):
        return self.query_compiler.get_config(self.backend)


def SearchBackend(params):
    """The backend for the default database: ours for PostgreSQL and for SQLite with FTS5;
    without FTS5, modelsearch's fallback, which matches substrings and needs no splitting."""
    # Imported here: each vendor's module needs that vendor's index models.
    if connection.vendor == "postgresql":
        from .postgres import PostgresSearchBackend

        return PostgresSearchBackend(params)
    backend = database_backend(params)
    if connection.vendor == "sqlite" and not isinstance(backend, DatabaseSearchBackend):
        from .sqlite import SQLiteSearchBackend

        return SQLiteSearchBackend(params)
    return backend


# --- Rebuilding an index written before Chinese was split -----------------------------------


def index_is_stale() -> bool:
    """Whether the index holds two Chinese characters side by side, as one written before
    Chinese was split does."""
    entries = IndexEntry._default_manager.annotate(
        title_words=Cast("title", TextField()),
        autocomplete_words=Cast("autocomplete", TextField()),
        body_words=Cast("body", TextField()),
    )
    return entries.filter(
        Q(title_words__regex=_ADJACENT)
        | Q(autocomplete_words__regex=_ADJACENT)
        | Q(body_words__regex=_ADJACENT)
    ).exists()


def rebuild_stale_index(sender=None, *, verbosity=1, stdout=None, **kwargs) -> None:
    """Rebuild the search index when it is stale: connected to ``post_migrate``, so the first
    ``migrate`` after an upgrade does it."""
    if not getattr(get_search_backend(), "splits_chinese", False):
        return
    if IndexEntry._meta.db_table in connection.introspection.table_names() and index_is_stale():
        call_command("update_index", verbosity=verbosity, stdout=stdout)
