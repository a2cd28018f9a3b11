"""Many live articles at once, for benchmarks and scale tests.

Saving a Wagtail page one by one costs tens of queries (tree bookkeeping, revisions, search
index); for ten thousand articles that takes minutes. This writes the rows directly: the
``wagtailcore_page`` rows with correct tree paths, the ``ArticlePage`` rows, tags, themes and
the Chinese search index, in batches. The pages are real live pages in the tree; they have
no revisions, which only the admin's history needs.
"""

import datetime
import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from taggit.models import Tag
from wagtail.models import Page
from wagtail.rich_text import RichText

from publicity import search
from publicity.models import (
    ArticlePage,
    ArticlePageTag,
    ColumnPage,
    SearchEntry,
    SearchGram,
    Theme,
)

from . import content


def bulk_create_articles(
    column: ColumnPage,
    count: int,
    *,
    image_ids: list[int] | None = None,
    index: bool = True,
    seed: int = 0,
    now: datetime.datetime | None = None,
    batch_size: int = 500,
) -> list[int]:
    """Create ``count`` live articles under ``column``; return their primary keys.

    Titles, summaries and bodies are recombined from the demo articles (so Chinese search
    has real text to find); covers cycle through ``image_ids``; with ``index`` the articles
    enter the Chinese search index too.
    """
    rng = random.Random(seed)
    now = now or timezone.now()
    column = ColumnPage.objects.get(pk=column.pk)
    content_type = ContentType.objects.get_for_model(ArticlePage)
    themes = list(Theme.objects.all())
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("批量", "拥军", "国防教育")]
    last_child = column.get_last_child()
    first_step = (
        (ArticlePage._str2int(last_child.path[-ArticlePage.steplen :]) + 1) if last_child else 1
    )
    created: list[int] = []
    with transaction.atomic():
        for start in range(0, count, batch_size):
            size = min(batch_size, count - start)
            rows = [
                _article_row(rng, column, first_step + start + i, now, start + i)
                for i in range(size)
            ]
            pages = Page.objects.bulk_create(
                [_base_page(row, column, content_type) for row in rows], batch_size=batch_size
            )
            articles = []
            for page, row in zip(pages, rows, strict=True):
                article = ArticlePage(
                    page_ptr_id=page.pk,
                    subtitle="",
                    summary=row["summary"],
                    body=[("paragraph", RichText(row["body"]))],
                    source=row["source"],
                    author=row["author"],
                    publication_date=row["published"],
                    cover_image_id=image_ids[(start + len(articles)) % len(image_ids)]
                    if image_ids
                    else None,
                )
                articles.append(article)
            fields = ArticlePage._meta.local_concrete_fields
            ArticlePage._base_manager._insert(articles, fields=fields, raw=True)
            ArticlePageTag.objects.bulk_create(
                [ArticlePageTag(content_object_id=page.pk, tag=rng.choice(tags)) for page in pages]
            )
            if themes:
                through = ArticlePage.themes.through
                through.objects.bulk_create(
                    [
                        through(articlepage_id=page.pk, theme_id=rng.choice(themes).pk)
                        for page in pages
                    ]
                )
            if index:
                _index(pages, rows)
            created.extend(page.pk for page in pages)
        Page.objects.filter(pk=column.pk).update(numchild=F("numchild") + count)
    return created


def _article_row(rng: random.Random, column: ColumnPage, step: int, now, number: int) -> dict:
    source_article = rng.choice(content.ARTICLES)
    _column, title, _subtitle, summary, paragraphs, _tags, _themes, source, author = source_article
    extra = rng.choice(content.ARTICLES)[4]
    body = "".join(f"<p>{paragraph}</p>" for paragraph in [*paragraphs, *extra])
    slug = f"bulk-{column.pk}-{step}"
    return {
        "title": f"{title}（{number + 1}）",
        "slug": slug,
        "path": ArticlePage._get_path(column.path, column.depth + 1, step),
        "url_path": f"{column.url_path}{slug}/",
        "summary": summary,
        "body": body,
        "source": source,
        "author": author,
        "published": now - datetime.timedelta(minutes=7 * number + rng.randint(0, 6)),
    }


def _base_page(row: dict, column: ColumnPage, content_type) -> Page:
    return Page(
        title=row["title"],
        draft_title=row["title"],
        slug=row["slug"],
        content_type=content_type,
        path=row["path"],
        depth=column.depth + 1,
        numchild=0,
        url_path=row["url_path"],
        live=True,
        has_unpublished_changes=False,
        first_published_at=row["published"],
        last_published_at=row["published"],
        locale_id=column.locale_id,
        translation_key=uuid.uuid4(),
    )


def _index(pages: list[Page], rows: list[dict]) -> None:
    entries, grams = [], []
    for page, row in zip(pages, rows, strict=True):
        text = "\n".join(
            [row["title"], row["summary"], strip_tags(row["body"]), row["source"], row["author"]]
        )
        entries.append(
            SearchEntry(
                page_id=page.pk, title=row["title"], text=text, published_at=row["published"]
            )
        )
        grams.extend(search.gram_rows(page.pk, text))
    SearchEntry.objects.bulk_create(entries)
    SearchGram.objects.bulk_create(grams, batch_size=2000)
