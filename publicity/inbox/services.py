"""Polling sources into the inbox, and the editor's decisions on what arrived."""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .dedup import entry_keys
from .fetcher import FetchError, fetch
from .models import EntrySighting, FeedEntry, FeedSource
from .parsing import FeedError, ParsedEntry, parse_feed

logger = logging.getLogger(__name__)

# A claimed source is not claimed again for this long, so a doubled beat tick enqueues it
# once; the poll itself sets the real next time. A worker that died lets it fall due again.
CLAIM_LEASE = datetime.timedelta(minutes=10)
# Feeds list their newest items first; more than this in one answer is a dump, not news.
MAX_ENTRIES_PER_POLL = 500
# Back-off doubles the interval per failure in a row, up to a day.
MAX_BACKOFF = datetime.timedelta(hours=24)


def feed_sources_due(*, now: datetime.datetime | None = None) -> QuerySet[FeedSource]:
    """Active sources whose next poll time has come (or was never set)."""
    now = now or timezone.now()
    return FeedSource.objects.filter(active=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )


def feed_sources_claim_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the due sources for one poll each and return their ids.

    Each claim is a compare-and-set on ``next_poll_at``: two ticks running at once (beat
    fired twice) never claim the same source.
    """
    now = now or timezone.now()
    claimed = []
    for pk, next_poll_at in feed_sources_due(now=now).values_list("pk", "next_poll_at")[:limit]:
        won = FeedSource.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=now + CLAIM_LEASE
        )
        if won:
            claimed.append(pk)
    return claimed


def feed_source_saved(*, source: FeedSource) -> None:
    """An edited source is polled at the next tick, not after its back-off: the editor
    who fixed its address wants to see at once whether it works now."""
    if source.active:
        FeedSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())


def backoff(source: FeedSource, failures: int) -> datetime.timedelta:
    """How long to wait after ``failures`` failures in a row."""
    interval = datetime.timedelta(minutes=source.interval_minutes)
    return min(interval * (2 ** min(failures, 10)), max(MAX_BACKOFF, interval))


@dataclass
class PollOutcome:
    """What one poll did: the HTTP result, entries new to the inbox, new sightings."""

    status: str
    new_entries: int = 0
    new_sightings: int = 0
    error: str = ""
    warning: str = ""
    notes: list[str] = field(default_factory=list)


def feed_source_poll(*, source_id: int) -> PollOutcome | None:
    """Fetch one source (conditionally), parse it and file its entries; record its health.

    Every failure, from DNS to a hostile document, ends as a worded error on the source
    and a backed-off next poll; nothing here raises for bad input. Returns ``None`` for a
    source that is gone or inactive.
    """
    source = FeedSource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return None
    started = timezone.now()
    try:
        result = fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        if result.not_modified:
            outcome = PollOutcome(status="304")
        else:
            parsed = parse_feed(
                result.content, url=result.url, content_type=result.headers.get("content-type", "")
            )
            outcome = PollOutcome(status="200", warning=parsed.warning)
            entries = parsed.entries
            if len(entries) > MAX_ENTRIES_PER_POLL:
                outcome.warning = _("订阅源一次给出 %(n)d 条，只收取了前 %(max)d 条。") % {
                    "n": len(entries),
                    "max": MAX_ENTRIES_PER_POLL,
                }
                entries = entries[:MAX_ENTRIES_PER_POLL]
            outcome.new_entries, outcome.new_sightings = entries_file(
                source=source, entries=entries
            )
    except (FetchError, FeedError) as error:
        outcome = PollOutcome(status="error", error=str(error))
    except Exception as error:  # the poller must go on whatever a feed throws at it
        logger.exception("feed source %s: unexpected error", source.pk)
        outcome = PollOutcome(
            status="error",
            error=_("处理订阅源时出现意外错误：%(error)s") % {"error": type(error).__name__},
        )
    _record_health(source, outcome, started, result if outcome.status == "200" else None)
    return outcome


def _record_health(source: FeedSource, outcome: PollOutcome, now, result) -> None:
    fields = {"last_polled_at": now}
    if outcome.error:
        failures = source.consecutive_failures + 1
        fields.update(
            last_status=_("失败"),
            last_error=outcome.error,
            last_error_at=now,
            consecutive_failures=failures,
            next_poll_at=now + backoff(source, failures),
        )
        logger.info("feed source %s failed (%d in a row): %s", source.pk, failures, outcome.error)
    else:
        fields.update(
            last_status=_("未更新（304）") if outcome.status == "304" else _("成功"),
            last_success_at=now,
            consecutive_failures=0,
            next_poll_at=now + datetime.timedelta(minutes=source.interval_minutes),
            entries_seen=F("entries_seen") + outcome.new_sightings,
        )
        if outcome.warning:
            fields.update(last_error=outcome.warning, last_error_at=now)
        if result is not None:
            fields.update(
                etag=result.headers.get("etag", "")[:500],
                last_modified=result.headers.get("last-modified", "")[:100],
            )
    FeedSource.objects.filter(pk=source.pk).update(**fields)


# Any constant: the key of the PostgreSQL advisory lock that serialises filing.
_FILING_LOCK = 0x1B0C5


def _lock_filing() -> None:
    """Two workers filing the same syndicated item at once would both find it unknown and
    make two entries; filing takes a few milliseconds, so it is done one source at a time.
    SQLite already runs one writing transaction at a time (they begin IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FILING_LOCK])


def entries_file(*, source: FeedSource, entries: list[ParsedEntry]) -> tuple[int, int]:
    """File parsed entries under ``source``: an entry already known by any of its keys
    (from this source or another) gains a sighting; the rest become new inbox entries.
    Returns (new entries, new sightings)."""
    keyed = [
        (
            entry,
            entry_keys(
                source_id=source.pk,
                guid=entry.guid,
                link=entry.link,
                title=entry.title,
                published_at=entry.published_at,
            ),
        )
        for entry in entries
    ]
    if not keyed:
        return 0, 0
    wanted = {
        name: {keys[name] for _e, keys in keyed if keys[name]}
        for name in ("guid_key", "link_key", "content_key")
    }
    with transaction.atomic():
        _lock_filing()
        known = list(
            FeedEntry.objects.filter(
                Q(guid_key__in=wanted["guid_key"])
                | Q(link_key__in=wanted["link_key"])
                | Q(content_key__in=wanted["content_key"])
            ).only("pk", "guid_key", "link_key", "content_key")
        )
        index: dict[tuple[str, str], FeedEntry] = {}
        for row in known:
            for name in ("guid_key", "link_key", "content_key"):
                if getattr(row, name):
                    index.setdefault((name, getattr(row, name)), row)
        created: list[FeedEntry] = []
        matched: dict[int, tuple[FeedEntry, ParsedEntry]] = {}
        for entry, keys in keyed:
            row = next((index[(n, k)] for n, k in keys.items() if k and (n, k) in index), None)
            if row is None:
                row = FeedEntry(
                    title=entry.title,
                    link=entry.link,
                    summary=entry.summary,
                    content_html=entry.content_html,
                    author=entry.author,
                    published_at=entry.published_at,
                    **keys,
                )
                created.append(row)
            else:
                # A key the first sighting lacked (say, a link) recognises later ones.
                for name, key in keys.items():
                    if key and not getattr(row, name) and row.pk:
                        FeedEntry.objects.filter(pk=row.pk, **{name: ""}).update(**{name: key})
            for name, key in keys.items():
                if key:
                    index.setdefault((name, key), row)
            matched.setdefault(id(row), (row, entry))
        FeedEntry.objects.bulk_create(created)
        already = set(
            EntrySighting.objects.filter(
                source=source, entry_id__in=[row.pk for row, _e in matched.values()]
            ).values_list("entry_id", flat=True)
        )
        sightings = [
            EntrySighting(entry=row, source=source, guid=entry.guid, link=entry.link)
            for row, entry in matched.values()
            if row.pk not in already
        ]
        EntrySighting.objects.bulk_create(sightings)
    return len(created), len(sightings)


class InboxError(Exception):
    """An inbox action that cannot be done, worded for an editor."""


def entries_ignore(*, entries: QuerySet[FeedEntry], user) -> int:
    """Mark new entries as ignored; imported ones stay as they are. Returns the count."""
    return entries.filter(status=FeedEntry.Status.NEW).update(
        status=FeedEntry.Status.IGNORED, handled_by=user, handled_at=timezone.now()
    )


def entries_restore(*, entries: QuerySet[FeedEntry], user) -> int:
    """Put ignored entries back among the new ones."""
    return entries.filter(status=FeedEntry.Status.IGNORED).update(
        status=FeedEntry.Status.NEW, handled_by=user, handled_at=timezone.now()
    )
