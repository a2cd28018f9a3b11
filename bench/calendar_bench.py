"""Benchmark: the calendar's JSON endpoint for a month view (six weeks) holding 20,000
placements and about 600 broadcast slot occurrences, against a naive feed in the same run.

    .venv/bin/python bench/calendar_bench.py                  # SQLite, about a minute
    .venv/bin/python bench/calendar_bench.py --postgres       # PostgreSQL outreach_bench_cal
    .venv/bin/python bench/calendar_bench.py --placements 5000 --repeat 3

The data go to a throw-away database (SQLite under /tmp/calendar_bench/, or PostgreSQL
``outreach_bench_cal`` on 127.0.0.1:5432, created if missing): 40 outlets of every medium,
50 pages, the placements spread over the six weeks with mixed statuses, three campaigns with
targets, the demo's key dates, and 15 daily broadcast slots (630 occurrences in view).

Figures are medians of ``--repeat`` runs after one warm-up, each a real request through
Django's test client as a superuser (middleware, permission check, JSON encoding):

* feed: ``/admin/schedule/calendar/events/`` as the page asks for it;
* naive: the same events built the obvious way: placement objects with their outlet and page
  read per row, a URL reversed per row, and each campaign's gaps counted with one query per
  campaign, medium and day. Run once (it is slow), its query count reported too.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = Path("/tmp/calendar_bench")
PG_URL = "postgresql://postgres@127.0.0.1:5432/outreach_bench_cal"
START = datetime.date(2026, 11, 30)  # the Monday a December 2026 month view starts on
DAYS = 42
SLOTS = 15  # daily: 630 occurrences in view


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "outreach_site.settings"
    os.environ.setdefault("OUTREACH_VAR_DIR", str(WORK / "var"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        found = c.execute("SELECT 1 FROM pg_database WHERE datname = 'outreach_bench_cal'")
        if not found.fetchone():
            c.execute("CREATE DATABASE outreach_bench_cal")


def load(placements: int) -> None:
    """Write the month in bulk; a second run with the same size reuses it."""
    from django.utils import timezone
    from wagtail.models import Page

    from media_schedule.channels.broadcast.models import BroadcastSlot
    from media_schedule.models import Outlet, Placement
    from publicity.models import Campaign, CampaignTarget, KeyDate

    if Placement.objects.count() == placements:
        return
    Placement.objects.all().delete()
    rng = random.Random(12)
    kinds = [
        Outlet.Kind.TV,
        Outlet.Kind.RADIO,
        Outlet.Kind.NEWSPAPER,
        Outlet.Kind.WEBSITE,
        Outlet.Kind.WECHAT,
        Outlet.Kind.LED_SCREEN,
        Outlet.Kind.BULLETIN_BOARD,
    ]
    outlets = [
        Outlet.objects.get_or_create(name=f"渠道{n:02d}", defaults={"kind": kinds[n % len(kinds)]})[
            0
        ]
        for n in range(40)
    ]
    root = Page.get_first_root_node()
    pages = list(Page.objects.filter(depth=2, slug__startswith="bench-"))
    for n in range(len(pages), 50):
        pages.append(root.add_child(instance=Page(title=f"双拥稿件{n:02d}", slug=f"bench-{n}")))
    campaigns = []
    for n, (offset, length) in enumerate([(0, 14), (10, 20), (25, 17)]):
        campaign, created = Campaign.objects.get_or_create(
            slug=f"bench-{n}",
            defaults={
                "name": f"活动{n}",
                "starts_on": START + datetime.timedelta(days=offset),
                "ends_on": START + datetime.timedelta(days=offset + length),
            },
        )
        if created:
            for medium, count, per in [
                ("tv", 2, "week"),
                ("radio", 1, "day"),
                ("outdoor", 1, "continuous"),
            ]:
                CampaignTarget.objects.create(
                    campaign=campaign, medium=medium, count=count, per=per
                )
        campaigns.append(campaign)
    if not KeyDate.objects.exists():
        KeyDate.objects.create(name="国家公祭日", month=12, day=13)
        KeyDate.objects.create(name="元宵节", calendar="lunar", month=1, day=15)
        KeyDate.objects.create(name="除夕", calendar="lunar", month=12, last_day=True)
        lantern = KeyDate.objects.get(name="元宵节")
        KeyDate.objects.create(name="元旦春节走访慰问", month=1, day=1, window_end=lantern)
    broadcast = [o for o in outlets if o.kind in (Outlet.Kind.TV, Outlet.Kind.RADIO)]
    for n in range(SLOTS - BroadcastSlot.objects.count()):
        BroadcastSlot.objects.create(
            outlet=broadcast[n % len(broadcast)],
            name=f"时段{n}",
            rule="FREQ=DAILY",
            start_time=datetime.time(6 + n % 16, 0),
            length_seconds=600,
            capacity_seconds=300,
            starts_on=START - datetime.timedelta(days=15),
            ends_on=START + datetime.timedelta(days=DAYS + 15),
        )
    statuses = [Placement.Status.PLANNED] * 6 + [
        Placement.Status.DELIVERED,
        Placement.Status.FAILED,
        Placement.Status.AWAITING,
        Placement.Status.CANCELLED,
    ]
    begin = timezone.make_aware(datetime.datetime.combine(START, datetime.time()))
    rows = [
        Placement(
            page=rng.choice(pages),
            outlet=rng.choice(outlets),
            campaign=rng.choice([*campaigns, None, None]),
            due_at=begin + datetime.timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
            status=rng.choice(statuses),
        )
        for _ in range(placements)
    ]
    Placement.objects.bulk_create(rows, batch_size=2000)


def naive_feed(start, end) -> list[dict]:
    """The obvious way: objects, a lookup per related row, a URL per row, a count per cell."""
    from collections import Counter

    from django.urls import reverse
    from django.utils import timezone

    from media_schedule.calendar import selectors
    from media_schedule.models import Placement
    from media_schedule.services import EDITABLE
    from publicity.campaign_targets import assess
    from publicity.models import Campaign

    events = selectors.key_date_events(start, end)
    for campaign in Campaign.objects.filter(starts_on__lt=end.date(), ends_on__gte=start.date()):
        days = [
            campaign.starts_on + datetime.timedelta(days=n)
            for n in range((campaign.ends_on - campaign.starts_on).days + 1)
        ]
        for target in campaign.targets.all():
            planned = Counter()
            for day in days:
                planned[day] = (
                    Placement.objects.filter(
                        campaign=campaign, outlet__medium=target.medium, due_at__date=day
                    )
                    .exclude(status__in=["cancelled", "failed"])
                    .count()
                )
            result = assess(
                target.as_target(), campaign.starts_on, campaign.ends_on, planned.elements()
            )
            events += [{"id": f"g{day}", "start": day.isoformat()} for day in result.lacking_days]
    events += selectors.slot_events(start, end, selectors.Filters())
    for placement in Placement.objects.filter(due_at__gte=start, due_at__lt=end):
        events.append(
            {
                "id": f"p{placement.pk}",
                "title": f"{placement.outlet.name}：{placement.page.title}",
                "start": timezone.localtime(placement.due_at).isoformat(),
                "color": selectors.MEDIUM_COLOURS.get(placement.outlet.medium),
                "editable": placement.status in EDITABLE,
                "url": reverse("media_schedule_placement:inspect", args=[placement.pk]),
                "extendedProps": {"status": placement.get_status_display()},
            }
        )
    return events


def measure(repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from media_schedule.calendar import selectors

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    end_day = START + datetime.timedelta(days=DAYS)
    params = {
        "start": f"{START}T00:00:00",
        "end": f"{end_day}T00:00:00",
        "timeZone": "Asia/Shanghai",
    }

    def feed():
        response = client.get("/admin/schedule/calendar/events/", params)
        assert response.status_code == 200, response.content[:200]
        return response

    response = feed()
    events = json.loads(response.content)
    kinds = {}
    for event in events:
        kind = event["extendedProps"]["kind"]
        kinds[kind] = kinds.get(kind, 0) + 1
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        feed()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as feed_queries:
        feed()
    start = timezone.make_aware(datetime.datetime.combine(START, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(end_day, datetime.time()))
    naive_queries = []

    def count(execute, sql, params, many, context):
        naive_queries.append(sql)
        return execute(sql, params, many, context)

    # Counted with a wrapper: Django's query log keeps only the last 9,000.
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        json.dumps(naive_feed(start, end), ensure_ascii=False)
        naive_ms = (time.perf_counter() - started) * 1000
    # The selector alone, without the request around it, to show where the time goes.
    filters = selectors.Filters()
    selector_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        selectors.calendar_feed(start=start, end=end, filters=filters, can_move=True)
        selector_times.append((time.perf_counter() - started) * 1000)
    return {
        "events": kinds,
        "bytes": len(response.content),
        "feed_ms": statistics.median(times),
        "feed_queries": len(feed_queries.captured_queries),
        "selector_ms": statistics.median(selector_times),
        "naive_ms": naive_ms,
        "naive_queries": len(naive_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--placements", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.postgres:
        ensure_pg_database()
        setup(PG_URL)
    else:
        setup(f"sqlite:///{WORK / 'bench.sqlite3'}")
    started = time.perf_counter()
    load(args.placements)
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    result = measure(args.repeat)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\ncalendar feed, {DAYS} days from {START}, {database}")
    print("events:", ", ".join(f"{kind} {n}" for kind, n in sorted(result["events"].items())))
    print(f"response size: {result['bytes'] / 1024:.0f} KiB")
    print(f"{'':10}{'median ms':>12}{'queries':>10}")
    print(f"{'feed':10}{result['feed_ms']:>12.0f}{result['feed_queries']:>10}")
    print(f"{'naive':10}{result['naive_ms']:>12.0f}{result['naive_queries']:>10}")
    print(f"selector alone: {result['selector_ms']:.0f} ms (median)")
    print(
        f"feed / naive: {result['feed_ms'] / result['naive_ms']:.2f} of the time, "
        f"{result['feed_queries']} vs {result['naive_queries']} queries"
    )


if __name__ == "__main__":
    main()
