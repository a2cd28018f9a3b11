"""The ``led_screen`` outlet: slogans and pictures rendered for each screen's controller.

Delivering a placement (re)builds the loop package of the screen the outlet drives; the
controller fetches it from the pull endpoint or an operator carries the ZIP on a USB stick.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from media_schedule.channels.base import (
    Channel,
    DeliveryMode,
    DeliveryRequest,
    PermanentDeliveryError,
    Receipt,
    ReceiptLine,
    TransientDeliveryError,
    VersionProblem,
)

from ..pictures import PictureError
from .models import Screen
from .playlist import picture_focal, picture_load
from .preview import render_preview
from .render import ScreenSpec, render_item
from .typesetting import FontMissingError, MissingGlyphsError
from .versions import InvalidVersion, parse_version

TITLE_CHARS = 20
SUMMARY_CHARS = 24
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_SOFT_BREAK = "，、：,: "
_TRAILING = "，、：；,.;: "


@dataclass(frozen=True)
class LedProblem(VersionProblem):
    """A problem on one screen."""

    screen_id: int | None = None


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, at a comma or space when one is near."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text.rstrip(_TRAILING)
    head = text[:limit]
    cut = max(head.rfind(mark) for mark in _SOFT_BREAK)
    if cut >= limit // 2:
        head = head[:cut]
    return head.rstrip(_TRAILING)


def slogan_lines(page) -> list[str]:
    """Slogan lines for a page: its title, then the first sentence of its summary."""
    lines = [shorten(page.title, TITLE_CHARS)]
    summary = getattr(page, "summary", "") or ""
    first = _SENTENCE_END.split(summary.strip(), maxsplit=1)[0] if summary else ""
    if first:
        lines.append(shorten(first, SUMMARY_CHARS))
    return [line for line in lines if line]


def problems_on_screen(version, screen: Screen) -> list[LedProblem]:
    """Errors and warnings of a parsed version on one screen."""
    label = screen.name
    on_screen = _("%(screen)s：%(problem)s")
    problems: list[LedProblem] = []
    try:
        picture = picture_load(version.picture_id) if version.picture_id else None
    except PictureError as error:
        problems.append(
            LedProblem(
                "picture_id", on_screen % {"screen": label, "problem": error}, "error", screen.pk
            )
        )
        picture = None
    focal, _hash = picture_focal(version.picture_id)
    spec = ScreenSpec.of(screen)
    try:
        rendered = render_item(version, spec, picture=picture, focal=focal)
    except (MissingGlyphsError, FontMissingError, ValueError) as error:
        problems.append(
            LedProblem("lines", on_screen % {"screen": label, "problem": error}, "error", screen.pk)
        )
        return problems
    for warning in rendered.warnings:
        field = "picture_id" if warning in rendered.picture_warnings else "lines"
        problems.append(
            LedProblem(
                field, on_screen % {"screen": label, "problem": warning}, "warning", screen.pk
            )
        )
    return problems


class LedChannel(Channel):
    """Adapter for outdoor LED screens (户外显示屏)."""

    kind = "led_screen"
    # The package is handed over; the controller confirms by taking it (pull log).
    delivery_mode = DeliveryMode.HANDOVER

    def build_version(self, page) -> dict[str, Any]:
        """Slogan lines from the title and summary, the cover picture, and a dwell time
        long enough to read the lines (about three characters a second)."""
        page = page.specific
        lines = slogan_lines(page)
        chars = sum(len(line) for line in lines)
        return {
            "lines": lines,
            "picture_id": getattr(page, "cover_image_id", None),
            "picture_fit": "crop",
            "dwell_seconds": max(6, min(20, 3 + chars // 3)),
            "colour": "red",
            "valid_from": None,
            "valid_until": None,
            "day_parts": [],
            "priority": 0,
        }

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        """Problems of the version on every screen it may reach.

        For one outlet (``outlet``, or the version's ``outlet_id``) that outlet's screen;
        otherwise every active screen, so an editor sees where a slogan would not fit.
        Missing glyphs and broken pictures are errors; scrolling and a picture smaller than
        the screen are warnings.
        """
        try:
            parsed = parse_version(version)
        except InvalidVersion as error:
            return list(error.problems)
        screens = Screen.objects.select_related("outlet").filter(outlet__is_active=True)
        outlet_id = outlet.pk if outlet is not None else version.get("outlet_id")
        if outlet_id:
            screens = screens.filter(outlet_id=outlet_id)
        problems: list[VersionProblem] = []
        for screen in screens:
            problems.extend(problems_on_screen(parsed, screen))
        return problems

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """A stopped outlet, or one with no screen registered, cannot show anything."""
        problems = super().outlet_problems(outlet)
        if not Screen.objects.filter(outlet=outlet).exists():
            problems.append(
                VersionProblem(
                    "outlet",
                    _("发布渠道“%(outlet)s”没有关联显示屏，请先在“户外显示屏”中登记。")
                    % {"outlet": outlet.name},
                )
            )
        return problems

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """Each part of the item at the outlet's screen's own pixels."""
        return render_preview(version, outlet=outlet)

    def receipt_lines(self, record) -> list[ReceiptLine]:
        """The package that carries the item: its version, a short checksum, the screen."""
        receipt = record.receipt or {}
        lines = []
        if receipt.get("package_version"):
            version = f"v{receipt['package_version']}"
            if receipt.get("new_version") is False:
                version += _("（内容未变，沿用此版本）")
            lines.append(ReceiptLine(_("节目包版本"), version))
        if receipt.get("package_sha256"):
            lines.append(ReceiptLine(_("校验值"), str(receipt["package_sha256"])[:12]))
        screen = (
            Screen.objects.select_related("outlet").filter(pk=receipt["screen_id"]).first()
            if receipt.get("screen_id")
            else None
        )
        if screen is not None:
            lines.append(ReceiptLine(_("屏幕"), str(screen)))
        return lines

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Rebuild the loop package of the outlet's screen with this placement in it.

        A new package version is made only when what the screen shows changes; the receipt
        names the version that carries the placement either way.
        """
        from .services import screen_package_refresh

        screen = Screen.objects.select_related("outlet").filter(outlet_id=request.outlet_id).first()
        if screen is None:
            raise PermanentDeliveryError(
                _("发布渠道“%(outlet)s”没有关联显示屏，请先在“户外显示屏”中登记。")
                % {"outlet": request.outlet_name}
            )
        try:
            version = parse_version(request.version)
        except InvalidVersion as error:
            raise PermanentDeliveryError(str(error)) from None
        if version.valid_until and version.valid_until < timezone.localdate():
            raise PermanentDeliveryError(
                _("播放结束日期 %(date)s 已过，未送屏。") % {"date": version.valid_until}
            )
        errors = [p for p in problems_on_screen(version, screen) if p.blocking]
        if errors:
            raise PermanentDeliveryError("；".join(p.message for p in errors))
        try:
            package, is_new = screen_package_refresh(
                screen=screen, include_placement_ids=[request.placement_id]
            )
        except OSError as error:
            raise TransientDeliveryError(
                _("节目包写入存储失败：%(error)s") % {"error": error}
            ) from error
        return Receipt(
            external_id=f"led-{screen.pk}-v{package.version}",
            details={
                "screen_id": screen.pk,
                "package_version": package.version,
                "package_sha256": package.checksum,
                "new_version": is_new,
            },
        )

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        """Rebuilding is idempotent (same content, same version), so confirming delivers."""
        return self.deliver(request)
