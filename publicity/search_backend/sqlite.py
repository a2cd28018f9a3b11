"""The SQLite (FTS5) backend with Chinese split into characters."""

from modelsearch.backends.database.sqlite import sqlite
from modelsearch.backends.database.sqlite.query import BM25, MatchExpression, normalize
from modelsearch.query import MatchAll, Not
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from . import IndexEntry, IndexFirstResults, SplitQueryMixin, index_text


class SQLiteIndex(sqlite.SQLiteIndex):
    def add_items(self, model, objs):
        # modelsearch's own, with the text split on its way into the index.
        if not model.get_search_fields():
            return
        texts = {}
        for obj in objs:
            indexer = sqlite.ObjectIndexer(obj, self.backend)
            texts[indexer.id] = {
                "title": index_text(indexer.title),
                "autocomplete": index_text(indexer.autocomplete),
                "body": index_text(indexer.body),
            }
        if not texts:
            return
        content_type_pk = get_content_type_pk(model)
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed = set(entries.filter(object_id__in=texts).values_list("object_id", flat=True))
        for object_id in indexed:
            entries.filter(object_id=object_id).update(**texts[object_id])
        self.entries.bulk_create(
            IndexEntry(content_type_id=content_type_pk, object_id=object_id, **fields)
            for object_id, fields in texts.items()
            if object_id not in indexed
        )
        self._refresh_title_norms()


class _TitleFirstBM25(BM25):
    """bm25() with a hit in the title (and in autocomplete, most models' title) worth ten in
    the body; plain bm25() weighs the columns alike, so a body that repeats a word would
    outrank the title that holds it."""

    def as_sql(self, compiler, connection, function=None, template=None):
        table = sqlite.SQLiteFTSIndexEntry._meta.db_table
        # The weights follow the columns' order: autocomplete, body, title.
        return f"bm25({table}, 10.0, 1.0, 10.0)", []


class _IndexFirst(SplitQueryMixin):
    KEY = "index_entry__object_id"

    def hits(self, config):
        """The full-text rows matching the query among the searched objects."""
        query = normalize(self.query)
        if isinstance(query, MatchAll | Not):
            return None
        match = MatchExpression(
            self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config)
        )
        return sqlite.SQLiteFTSIndexEntry.objects.filter(
            match,
            index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model),
            index_entry__object_id__in=self.object_keys(),
        )

    def ranked(self, hits, config):
        """``(key, score)`` of the hits, best first (bm25 is lower for better matches)."""
        rank = _TitleFirstBM25()
        return (
            hits.annotate(score=rank)
            .order_by("score", "-index_entry_id")
            .values_list(self.KEY, "score")
        )


class SQLiteSearchQueryCompiler(_IndexFirst, sqlite.SQLiteSearchQueryCompiler):
    pass


class SQLiteAutocompleteQueryCompiler(_IndexFirst, sqlite.SQLiteAutocompleteQueryCompiler):
    FTS_TABLE_FIELDS = ["autocomplete", "title", "body"]


class SQLiteSearchResults(IndexFirstResults, sqlite.SQLiteSearchResults):
    pass


class SQLiteSearchBackend(sqlite.SQLiteSearchBackend):
    splits_chinese = True
    query_compiler_class = SQLiteSearchQueryCompiler
    autocomplete_query_compiler_class = SQLiteAutocompleteQueryCompiler
    index_class = SQLiteIndex
    results_class = SQLiteSearchResults
