"""The ``website`` outlet: publish the page on the public site at its due time.

Publication goes through Wagtail's own publish action (``Revision.publish``), so the page
log, signals, search index and cache invalidation behave exactly as for a manual publish.
"""

from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page, Revision

from ..base import (
    Channel,
    DeliveryRequest,
    NotReceivedError,
    PermanentDeliveryError,
    Receipt,
    ReceiptLine,
    VersionProblem,
)

# The cover as the column's listing shows it: 16:9 around the focal point.
COVER_RENDITION = "fill-480x270"


class WebsiteChannel(Channel):
    """Publishes the approved revision of the page itself and records its public URL."""

    kind = "website"

    def build_version(self, page) -> dict[str, Any]:
        return {"title": page.title}

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        if page is not None and page.get_site() is None:
            return [VersionProblem("page", _("页面不在任何站点之下，发布后没有公开地址。"))]
        return []

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """A summary card as the column lists the page: its place in the site, title, summary,
        cover and the public address it has (or will have once published)."""
        context = {"title": version.get("title") or "", "summary": "", "cover": None}
        if page is not None:
            page = page.specific
            image = getattr(page, "cover_image", None) or getattr(page, "photo", None)
            try:
                context["cover"] = image.get_rendition(COVER_RENDITION) if image else None
            except SourceImageIOError:
                # The file is gone; the version's problems say so where it matters.
                context["cover"] = None
            parent = page.get_parent()
            context.update(
                title=page.title,
                summary=getattr(page, "summary", "") or "",
                column=parent.title if parent and not parent.is_root() else "",
                url=page.get_full_url() or "",
                live=page.live,
            )
        return render_to_string("media_schedule/channels/website/preview.html", context)

    def receipt_lines(self, record) -> list[ReceiptLine]:
        """The public address and the page revision that went live."""
        receipt = record.receipt or {}
        lines = []
        if record.url:
            lines.append(ReceiptLine(_("发布地址"), record.url, url=record.url))
        if receipt.get("revision_id"):
            revision = _("第 %(number)s 号修订") % {"number": receipt["revision_id"]}
            if receipt.get("already_live"):
                revision += _("（此前已上线，未重复发布）")
            lines.append(ReceiptLine(_("版本"), revision))
        return lines

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Publish the approved revision unless it is already live (a repeat does nothing)."""
        page = self._page(request)
        revision = self._revision(request, page)
        if page.live and page.live_revision_id == revision.pk:
            return self._receipt(page, revision, already=True)
        go_live_at = revision.as_object().go_live_at
        if go_live_at and go_live_at > timezone.now():
            raise PermanentDeliveryError(
                _("页面审核时设定的上线时间为 %(time)s，晚于排期时间；请调整排期或上线时间。")
                % {"time": formats.date_format(timezone.localtime(go_live_at), _("Y年m月d日 H:i"))}
            )
        revision.publish(log_action="wagtail.publish.scheduled", skip_permission_checks=True)
        page.refresh_from_db()
        return self._receipt(page, revision, already=False)

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        """The page's own state tells whether the revision went live."""
        page = self._page(request)
        revision = self._revision(request, page)
        if page.live and page.live_revision_id == revision.pk:
            return self._receipt(page, revision, already=True)
        raise NotReceivedError(_("该版本尚未在网站上线。"))

    def _page(self, request: DeliveryRequest) -> Page:
        page = Page.objects.filter(pk=request.page_id).first()
        if page is None:
            raise PermanentDeliveryError(_("页面已被删除。"))
        return page.specific

    def _revision(self, request: DeliveryRequest, page: Page) -> Revision:
        revision = (
            Revision.objects.for_instance(page).filter(pk=request.revision_id).first()
            if request.revision_id
            else None
        )
        if revision is None:
            raise PermanentDeliveryError(_("找不到审核通过的页面版本。"))
        return revision

    def _receipt(self, page: Page, revision: Revision, *, already: bool) -> Receipt:
        url = page.get_full_url()
        if not url:
            raise PermanentDeliveryError(_("页面已发布，但不在任何站点之下，没有公开地址。"))
        return Receipt(
            external_id=str(revision.pk),
            url=url,
            details={"revision_id": revision.pk, "already_live": already},
        )
