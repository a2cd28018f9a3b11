"""The iCalendar subscription of a station: one event per occurrence with what is booked.

Calendar apps subscribe without an account, so the URL carries a signed token per outlet.
Each event's UID is the occurrence's key (slot and original start), so a moved occurrence or a
changed running order replaces the event instead of adding one.
"""

import datetime

from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from media_schedule.models import Outlet

from .occurrences import occurrences_between
from .rundown import duration_text, rundown_of_occurrences

SALT = "broadcast.ics"
PAST_DAYS = 7
FUTURE_DAYS = 60
UID_DOMAIN = "broadcast.outreach"


def feed_token(outlet: Outlet) -> str:
    """The secret part of the outlet's feed URL (stable; changes with SECRET_KEY)."""
    return signing.Signer(salt=SALT).sign(str(outlet.pk)).rsplit(":", 1)[1]


def token_valid(outlet: Outlet, token: str) -> bool:
    return constant_time_compare(feed_token(outlet), token or "")


def occurrence_uid(occurrence) -> str:
    return f"{occurrence.key}@{UID_DOMAIN}"


def outlet_calendar(outlet: Outlet, *, now: datetime.datetime | None = None) -> bytes:
    """The outlet's occurrences from a week ago to two months ahead as an .ics file."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    start -= datetime.timedelta(days=PAST_DAYS)
    end = start + datetime.timedelta(days=PAST_DAYS + FUTURE_DAYS)
    occurrences = occurrences_between(start, end, [outlet])
    rundown = rundown_of_occurrences(outlet, today, occurrences)
    calendar = Calendar()
    calendar.add("prodid", "-//outreach//broadcast//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("%(outlet)s 播出时段") % {"outlet": outlet.name})
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for block in rundown.blocks:
        occurrence = block.occurrence
        event = Event()
        event.add("uid", occurrence_uid(occurrence))
        event.add("dtstamp", now)
        event.add("dtstart", timezone.localtime(occurrence.start))
        event.add("dtend", timezone.localtime(occurrence.end))
        event.add(
            "summary",
            _("%(slot)s（%(count)d 条，剩余 %(free)d 秒）")
            % {"slot": occurrence.slot.name, "count": len(block.items), "free": block.free_seconds},
        )
        lines = [
            f"{item.planned_text} {item.title}（{item.item_type}，{duration_text(item.seconds)}）"
            for item in block.items
        ]
        event.add("description", "\n".join(lines) or _("尚未编排内容。"))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
