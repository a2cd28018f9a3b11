"""Services that change publicity content outside the editor's own actions."""

import datetime
import logging
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.actions.unpublish_page import UnpublishPageAction

from .models import ExemplarPage, consent_warning_days

logger = logging.getLogger(__name__)


def exemplars_lapsing(*, today: datetime.date | None = None) -> QuerySet[ExemplarPage]:
    """Live exemplars whose consent lapses within the warning window or has lapsed."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=consent_warning_days())
    return (
        ExemplarPage.objects.live()
        .filter(consent_review_date__lte=horizon)
        .order_by("consent_review_date", "pk")
    )


def exemplars_lapsed(*, today: datetime.date | None = None) -> QuerySet[ExemplarPage]:
    """Live exemplars whose consent review date has passed (or was never recorded)."""
    today = today or timezone.localdate()
    lapsed = ExemplarPage.objects.live().filter(consent_review_date__lt=today)
    unrecorded = ExemplarPage.objects.live().filter(consent_review_date__isnull=True)
    return (lapsed | unrecorded).order_by("pk")


@dataclass
class UnpublishReport:
    unpublished: list[str]


def exemplars_unpublish_lapsed(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> UnpublishReport:
    """Unpublish every live exemplar whose consent has lapsed; return their titles.

    Goes through Wagtail's unpublish action so the page history records it and the
    ``page_unpublished`` signal clears it from search and the page cache.
    """
    titles = []
    for page in exemplars_lapsed(today=today):
        titles.append(page.title)
        if not dry_run:
            UnpublishPageAction(page).execute(skip_permission_checks=True)
            logger.info("unpublished exemplar %s (consent lapsed)", page.pk)
    return UnpublishReport(titles)
