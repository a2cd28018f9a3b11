"""Keep the search index and the page cache in step with publishing and view restrictions."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from .cache import invalidate_page_cache
from .models import Campaign, KeyDate, Theme
from .search import index_page, unindex_page


def _on_published(sender, instance, **kwargs):
    index_page(instance)
    invalidate_page_cache()


def _on_unpublished(sender, instance, **kwargs):
    unindex_page(instance.pk)
    invalidate_page_cache()


def _on_page_deleted(sender, instance, **kwargs):
    invalidate_page_cache()


def _on_snippet_changed(sender, instance, **kwargs):
    invalidate_page_cache()


def _on_restriction_changed(sender, instance, **kwargs):
    # Cached copies of the page, and of every listing that showed it, must go at once.
    invalidate_page_cache()


def register() -> None:
    page_published.connect(_on_published, dispatch_uid="publicity-index-published")
    page_unpublished.connect(_on_unpublished, dispatch_uid="publicity-unindex-unpublished")
    post_delete.connect(_on_page_deleted, sender=Page, dispatch_uid="publicity-page-deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            _on_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"publicity-restriction-{signal}",
        )
    for model in (Theme, KeyDate, Campaign):
        for signal in (post_save, post_delete):
            signal.connect(
                _on_snippet_changed,
                sender=model,
                dispatch_uid=f"publicity-{model.__name__}-{signal}",
            )
