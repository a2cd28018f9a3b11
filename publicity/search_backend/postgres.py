"""The PostgreSQL backend with Chinese split into characters."""

from django.db.models import F, Q
from django.db.models.sql.subqueries import InsertQuery
from modelsearch.backends.database.postgres import postgres
from modelsearch.query import Fuzzy, MatchAll, Not
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from . import IndexEntry, IndexFirstResults, SplitQueryMixin, index_text


class _PostgresIndexer(postgres.ObjectIndexer):
    def as_vector(self, texts, for_autocomplete=False):
        texts = [(index_text(text), weight) for text, weight in texts]
        return super().as_vector(texts, for_autocomplete=for_autocomplete)


class PostgresIndex(postgres.PostgresIndex):
    def add_items(self, model, objs):
        # modelsearch's own, with the text split on its way into the index (_PostgresIndexer).
        if not model.get_search_fields():
            return
        indexers = [_PostgresIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        compiler = InsertQuery(IndexEntry).get_compiler(connection=self.write_connection)
        rows, params = [], []
        for indexer in indexers:
            params.extend([content_type_pk, indexer.id])
            vectors = []
            for name in ("title", "autocomplete", "body"):
                field = IndexEntry._meta.get_field(name)
                value = compiler.prepare_value(field, getattr(indexer, name))
                sql, value_params = value.as_sql(compiler, self.write_connection)
                vectors.append(sql)
                params.extend(value_params)
            params.extend([indexer.title_text, indexer.body_text])
            rows.append(f"(%s, %s, {', '.join(vectors)}, 1.0, %s, %s)")
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {IndexEntry._meta.db_table}
                    (content_type_id, object_id, title, autocomplete, body, title_norm,
                     title_text, body_text)
                (VALUES {", ".join(rows)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title,
                              title_norm = 1.0,
                              autocomplete = EXCLUDED.autocomplete,
                              body = EXCLUDED.body,
                              title_text = EXCLUDED.title_text,
                              body_text = EXCLUDED.body_text
                """,
                params,
            )
        self._refresh_title_norms()


class _IndexFirst(SplitQueryMixin):
    KEY = "object_id"
    COLUMNS = [(F("title"), F("title_norm")), (F("body"), 1.0)]

    def hits(self, config):
        """The index rows matching the query among the searched objects: any column may match
        (each has its own GIN index)."""
        if self.fields or isinstance(self.query, MatchAll | Not | Fuzzy):
            return None
        tsquery = self.build_tsquery(self.query, config=config)
        matches = Q()
        for column, _boost in self.COLUMNS:
            matches |= Q(**{column.name: tsquery})
        return IndexEntry.objects.filter(
            matches,
            content_type__in=get_descendants_content_types_pks(self.queryset.model),
            object_id__in=self.object_keys(),
        )

    def ranked(self, hits, config):
        """``(key, score)`` of the hits, best first."""
        rank = self._build_rank_expression(self.COLUMNS, config)
        return hits.annotate(score=rank).order_by("-score", "-id").values_list(self.KEY, "score")


class PostgresSearchQueryCompiler(_IndexFirst, postgres.PostgresSearchQueryCompiler):
    pass


class PostgresAutocompleteQueryCompiler(_IndexFirst, postgres.PostgresAutocompleteQueryCompiler):
    COLUMNS = [(F("autocomplete"), 1.0), *_IndexFirst.COLUMNS]


class PostgresSearchResults(IndexFirstResults, postgres.PostgresSearchResults):
    pass


class PostgresSearchBackend(postgres.PostgresSearchBackend):
    splits_chinese = True
    query_compiler_class = PostgresSearchQueryCompiler
    autocomplete_query_compiler_class = PostgresAutocompleteQueryCompiler
    index_class = PostgresIndex
    results_class = PostgresSearchResults

    def __init__(self, params):
        super().__init__(params)
        # One configuration for every column and query: autocomplete also searches title and
        # body, and single characters want no stemming.
        self.config = "simple"
