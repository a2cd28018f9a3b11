"""Services that change publicity content outside the editor's own actions."""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Site

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


DEFAULT_PORTS = {"http": 80, "https": 443}


def site_address(base_url: str) -> tuple[str, int]:
    """The host name and port a Wagtail ``Site`` needs so that its links start with
    ``base_url`` (e.g. ``http://127.0.0.1:8000`` → ``("127.0.0.1", 8000)``).

    Wagtail derives the scheme from the port (443 is https, any other http), so an https
    address on another port cannot be expressed and is refused.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ImproperlyConfigured(
            f"BASE_URL={base_url!r} is not an http(s) address such as https://sy.example.gov.cn"
        )
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if parts.scheme == "https" and port != 443:
        raise ImproperlyConfigured(
            f"BASE_URL={base_url!r}: an https address must use port 443 for the site's links."
        )
    return parts.hostname, port


def site_set_public_address(*, site: Site, base_url: str) -> bool:
    """Make ``site`` build its absolute links (feeds, sitemap, WeChat 阅读原文, delivery
    receipts) on ``base_url``; returns whether anything changed."""
    hostname, port = site_address(base_url)
    if (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    logger.info("site %s now answers at %s", site.pk, site.root_url)
    return True
