"""Celery tasks of the publicity app: thin wrappers around services."""

from celery import shared_task
from django.core.management import call_command

from .services import exemplars_unpublish_lapsed


@shared_task(name="publicity.unpublish_lapsed_exemplars")
def unpublish_lapsed_exemplars() -> list[str]:
    """Take exemplars whose consent has lapsed off the public site."""
    return exemplars_unpublish_lapsed().unpublished


@shared_task(name="publicity.publish_scheduled_pages")
def publish_scheduled_pages() -> None:
    """Publish approved revisions whose go-live time has come and unpublish expired pages."""
    call_command("publish_scheduled")
