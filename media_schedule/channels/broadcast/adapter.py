"""The ``radio`` and ``tv`` outlets: items booked into slot occurrences, handed over as the
day's rundown (串联单), confirmed by the station's as-run answer.

A radio version is a script (播音稿) read at the outlet's pace; a TV version is a clip (an
uploaded, probed file or a link the station fetches) with caption text (字幕) and the
presenter's lead-in (口播导语).
"""

import math
from typing import Any

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_schedule.channels.base import (
    Channel,
    DeliveryMode,
    DeliveryRequest,
    PermanentDeliveryError,
    Receipt,
    ReceiptLine,
    VersionProblem,
)
from media_schedule.models import Placement

from .models import BroadcastSlot, Clip, ItemType, SlotBooking
from .script import DEFAULT_CHARS_PER_SECOND, pace_of, radio_script, speakable, spoken_seconds

MAX_ITEM_SECONDS = 30 * 60
MAX_SCRIPT_CHARS = 20000


def _link_ok(url: str) -> bool:
    return url.startswith(("https://", "http://")) and len(url) <= 500 and " " not in url


def version_seconds(version: dict[str, Any], outlet=None) -> int:
    """The planned on-air length of a version: a script read at the outlet's pace; a clip's
    length plus its lead-in read aloud."""
    pace = pace_of(outlet) if outlet is not None else DEFAULT_CHARS_PER_SECOND
    if "script" in version:
        return spoken_seconds(str(version.get("script") or ""), pace)
    seconds = spoken_seconds(str(version.get("lead_in") or ""), pace)
    try:
        clip_seconds = math.ceil(float(version.get("clip_seconds") or 0))
    except (TypeError, ValueError, OverflowError):
        clip_seconds = 0
    return seconds + max(0, clip_seconds)


class BroadcastChannel(Channel):
    """What radio and TV share: slots, rundowns as the hand-over, as-run confirmation."""

    delivery_mode = DeliveryMode.HANDOVER
    # The station answers the day after at the latest.
    default_confirm_within_hours = 36
    evidence_hint = gettext_lazy("上传电台或电视台的播出记录（as-run），或播出截图、录音录像。")

    def station_problems(self, outlet) -> list[VersionProblem]:
        """What keeps a station from taking bookings: stopped, or no active slot."""
        problems = super().outlet_problems(outlet)
        if not BroadcastSlot.objects.filter(outlet=outlet, is_active=True).exists():
            problems.append(
                VersionProblem(
                    "outlet",
                    _("“%(outlet)s”还没有启用的播出时段，请先在“广播电视”中设置。")
                    % {"outlet": outlet.name},
                )
            )
        return problems

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """Items reach a station only booked into a slot occurrence (the rundown is what is
        handed over), so the general schedule form cannot place them at a free time."""
        return [
            *self.station_problems(outlet),
            VersionProblem(
                "outlet",
                _(
                    "广播电台和电视台的稿件请在“广播电视”的当天页面编入播出时段，不能按任意时间排期。"
                ),
            ),
        ]

    def retry_refusal(self, placement) -> str | None:
        """A cancelled item gave up its seconds: it comes back only if its occurrence is still
        ahead and still has room for it (others may have been booked meanwhile)."""
        if placement.status != Placement.Status.CANCELLED:
            return None
        # Imported here: the booking services build on this adapter's version arithmetic.
        from .services import BookingError, booking_fits_again

        booking = SlotBooking.objects.filter(placement=placement).select_related("slot").first()
        if booking is None:
            return None
        try:
            booking_fits_again(booking, now=timezone.now())
        except BookingError as error:
            return str(error)
        return None

    def reschedule_refusal(self, placement=None) -> str | None:
        """A station's item airs in its slot occurrence: it moves by booking it elsewhere."""
        return _("广播电台和电视台的稿件在“广播电视”的当天页面调整播出时段，不能在此改时间。")

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Hand over the rundown of the day the item airs; the receipt names its revision."""
        from .rundown import rundown_for_placement

        rundown = rundown_for_placement(request.placement_id)
        if rundown is None:
            raise PermanentDeliveryError(_("该排期没有编入播出时段，不能交付串联单。"))
        return Receipt(
            external_id=f"rundown-{request.outlet_id}-{rundown.day:%Y%m%d}-{rundown.revision[:12]}",
            details={
                "rundown_day": rundown.day.isoformat(),
                "rundown_revision": rundown.revision,
                "items": len(rundown.items),
            },
        )

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        """Handing over the rundown again is harmless: it is made from the database."""
        return self.deliver(request)

    def receipt_lines(self, record) -> list[ReceiptLine]:
        receipt = record.receipt or {}
        lines = []
        if receipt.get("rundown_day"):
            lines.append(ReceiptLine(_("串联单日期"), str(receipt["rundown_day"])))
        if receipt.get("rundown_revision"):
            lines.append(ReceiptLine(_("串联单版本"), str(receipt["rundown_revision"])[:12]))
        if receipt.get("as_run"):
            lines.append(ReceiptLine(_("播出确认"), str(receipt["as_run"])))
        return lines


class RadioChannel(BroadcastChannel):
    """Radio stations (广播电台): voice on radio."""

    kind = "radio"

    def build_version(self, page) -> dict[str, Any]:
        """The script read on air from the article, live read by the slot's announcer."""
        page = page.specific
        script = radio_script(page)
        return {
            "title": page.title,
            "script": script,
            "item_type": ItemType.LIVE_READ,
            "presenter": "",
            "notes": "",
        }

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        problems = []
        script = str(version.get("script") or "").strip()
        if not script:
            problems.append(VersionProblem("script", _("播音稿为空。")))
        elif len(script) > MAX_SCRIPT_CHARS:
            problems.append(
                VersionProblem(
                    "script", _("播音稿过长（最多 %(max)d 字）。") % {"max": MAX_SCRIPT_CHARS}
                )
            )
        if version.get("item_type") not in (ItemType.LIVE_READ, ItemType.RECORDED):
            problems.append(VersionProblem("item_type", _("广播稿件类型须为口播或录音。")))
        seconds = version_seconds(version, outlet)
        if seconds > MAX_ITEM_SECONDS:
            problems.append(
                VersionProblem(
                    "script",
                    _("播音时长约 %(seconds)d 秒，超过单条上限 %(max)d 秒。")
                    % {"seconds": seconds, "max": MAX_ITEM_SECONDS},
                )
            )
        return problems

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        paragraphs = str(version.get("script") or "").splitlines()
        return format_html(
            '<div class="broadcast-script"><p><strong>{}</strong> {}</p>{}</div>',
            _("播音稿"),
            _("约 %(seconds)d 秒") % {"seconds": version_seconds(version, outlet)},
            format_html_join("", "<p>{}</p>", ((line,) for line in paragraphs if line.strip())),
        )


class TvChannel(BroadcastChannel):
    """TV stations (电视台): pictures on TV."""

    kind = "tv"

    def build_version(self, page) -> dict[str, Any]:
        """A caption item from the title and summary, with a lead-in for the presenter; the
        editor attaches a clip (upload or link) to make it a VT."""
        page = page.specific
        summary = getattr(page, "summary", "") or ""
        return {
            "title": page.title,
            "lead_in": speakable(summary),
            "caption": page.title[:40],
            "clip_id": None,
            "clip_url": "",
            "clip_seconds": 0,
            "item_type": ItemType.CAPTION,
            "presenter": "",
            "notes": "",
        }

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        problems = []
        clip_id = version.get("clip_id")
        clip_url = str(version.get("clip_url") or "")
        if clip_id and not Clip.objects.filter(pk=clip_id).exists():
            problems.append(VersionProblem("clip_id", _("所选短片已不存在，请重新上传。")))
        if clip_url and not _link_ok(clip_url):
            problems.append(
                VersionProblem("clip_url", _("短片链接须以 http:// 或 https:// 开头。"))
            )
        item_type = version.get("item_type")
        if item_type not in (ItemType.VT, ItemType.CAPTION, ItemType.LIVE_READ):
            problems.append(VersionProblem("item_type", _("电视稿件类型须为 VT、字幕或口播。")))
        if item_type == ItemType.VT and not (clip_id or clip_url):
            problems.append(VersionProblem("clip_id", _("VT 须上传短片或填写短片链接。")))
        if not (str(version.get("caption") or "").strip() or str(version.get("lead_in") or "")):
            problems.append(VersionProblem("caption", _("请填写字幕或口播导语。")))
        if len(str(version.get("caption") or "")) > 200:
            problems.append(VersionProblem("caption", _("字幕最多 200 字。")))
        seconds = version_seconds(version, outlet)
        if seconds <= 0:
            problems.append(
                VersionProblem("clip_seconds", _("时长为 0 秒，请上传短片或填写导语。"))
            )
        elif seconds > MAX_ITEM_SECONDS:
            problems.append(
                VersionProblem(
                    "clip_seconds",
                    _("时长约 %(seconds)d 秒，超过单条上限 %(max)d 秒。")
                    % {"seconds": seconds, "max": MAX_ITEM_SECONDS},
                )
            )
        return problems

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        clip = ""
        if version.get("clip_id"):
            clip = _("已上传短片")
        elif version.get("clip_url"):
            clip = str(version["clip_url"])
        return format_html(
            '<div class="broadcast-tv"><p><strong>{}</strong> {}</p><p>{}：{}</p>'
            "<p>{}：{}</p><p>{}：{}</p></div>",
            _("电视"),
            _("约 %(seconds)d 秒") % {"seconds": version_seconds(version, outlet)},
            _("口播导语"),
            version.get("lead_in") or "—",
            _("字幕"),
            version.get("caption") or "—",
            _("短片"),
            clip or "—",
        )
