"""Celery tasks of the inbox: thin wrappers around ``services``."""

from celery import shared_task
from django.db import transaction

from .services import feed_source_poll, feed_sources_claim_due


@shared_task(name="inbox.poll_due_feed_sources", ignore_result=True)
def poll_due_feed_sources() -> int:
    """Claim every source that is due and enqueue one poll task for each."""
    claimed = feed_sources_claim_due()
    for source_id in claimed:
        # After the claim is committed, so the poll never sees the source unclaimed.
        transaction.on_commit(lambda pk=source_id: poll_feed_source.delay(pk))
    return len(claimed)


@shared_task(name="inbox.poll_feed_source", ignore_result=True)
def poll_feed_source(source_id: int) -> None:
    """Poll one source; its health and entries are recorded by the service."""
    feed_source_poll(source_id=source_id)
