"""Benchmark: a year of slot occurrences for 200 stations with 3 slots each, and one day's
rundown of every station as XLSX and as PDF, with time and peak memory.

    .venv/bin/python bench/broadcast_bench.py [--outlets 200] [--repeat 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/outreach_bench_broadcast \
        .venv/bin/python bench/broadcast_bench.py

Baselines measured in the same run:

* occurrences: ``recurrence.expand_naively``, the same rules parsed anew for every slot and
  walked from their first occurrence, keeping what falls in the window (what code without
  compiled-rule caching or ``between`` does). ``recurrence.expand`` is the same expansion as
  the system does it; ``occurrences_between`` adds aware times, occurrence objects and the
  booked seconds read from the database. All three must find the same occurrences.
* XLSX: the same rows dumped with openpyxl's write-only mode, no widths, header, print set-up
  or styles, so the ratio is the cost of a rundown that prints well.
* PDF: against the XLSX of the same rundowns (WeasyPrint lays out and subsets CJK fonts).

Times are medians of ``--repeat`` runs; memory is tracemalloc's peak of Python allocations
during one run of the phase (WeasyPrint's and fontconfig's C allocations are not in it), and
the process's peak RSS is printed at the end. Without DATABASE_URL a fresh SQLite file under
/tmp is used (migrations take a minute the first time).
"""

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=MONTHLY;BYDAY=-1FR"]
TIMES = [datetime.time(7, 30), datetime.time(12, 20), datetime.time(18, 55)]


def setup() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/broadcast-bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "outreach_site.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load(outlets: int, day: datetime.date) -> None:
    """Stations with three slots each (started a year ago, so rules are walked a year in),
    three items booked into the day's morning occurrence of each."""
    from django.db import transaction
    from wagtail.models import Page

    from media_schedule.channels.broadcast.models import BroadcastSlot, SlotBooking
    from media_schedule.channels.broadcast.recurrence import local_zone
    from media_schedule.models import Outlet, Placement

    existing = Outlet.objects.filter(name__startswith="基准电台").count()
    page = Page.objects.filter(depth=1).first()
    start = datetime.datetime.combine(day, TIMES[0], tzinfo=local_zone())
    with transaction.atomic():
        for number in range(existing, outlets):
            outlet = Outlet.objects.create(name=f"基准电台{number:03d}", kind=Outlet.Kind.RADIO)
            slots = [
                BroadcastSlot.objects.create(
                    outlet=outlet,
                    name=f"时段{index}",
                    rule=rule,
                    start_time=at,
                    length_seconds=300,
                    capacity_seconds=240,
                    starts_on=day - datetime.timedelta(days=365),
                    presenter="王芳",
                )
                for index, (rule, at) in enumerate(zip(RULES, TIMES, strict=True))
            ]
            for position in range(3):
                title = f"双拥新闻第{position + 1}条：县领导走访慰问驻地部队官兵"
                placement = Placement.objects.create(
                    page=page,
                    outlet=outlet,
                    due_at=start,
                    version={"title": title, "script": "双拥" * 60, "item_type": "live_read"},
                )
                SlotBooking.objects.create(
                    placement=placement,
                    slot=slots[0],
                    occurrence_start=start,
                    position=position + 1,
                    planned_seconds=30,
                    item_type="live_read",
                )


def measure(function, repeat: int):
    """(median seconds, peak MB of Python allocations, result of the last run)."""
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def measure_alternating(functions: dict, repeat: int) -> dict:
    """``measure`` for several functions run in turn, round after round, so that a machine
    shared with other work slows them alike."""
    times = {name: [] for name in functions}
    results = {}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            results[name] = function()
            times[name].append(time.perf_counter() - started)
    measured = {}
    for name, function in functions.items():
        tracemalloc.start()
        function()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        measured[name] = (statistics.median(times[name]), peak / 2**20, results[name])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outlets", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    setup()

    from django.utils import timezone
    from openpyxl import Workbook

    from media_schedule.channels.broadcast.exports import rundown_pdf, rundown_rows, rundown_xlsx
    from media_schedule.channels.broadcast.models import BroadcastSlot
    from media_schedule.channels.broadcast.occurrences import occurrences_between
    from media_schedule.channels.broadcast.recurrence import expand, expand_naively, to_local_naive
    from media_schedule.channels.broadcast.rundown import rundown_for
    from media_schedule.models import Outlet

    day = timezone.localdate() + datetime.timedelta(days=1)
    load(arguments.outlets, day)
    outlets = list(Outlet.objects.filter(name__startswith="基准电台").order_by("name"))[
        : arguments.outlets
    ]
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=365)
    slots = list(BroadcastSlot.objects.filter(outlet__in=outlets))

    def naive():
        return sum(
            len(
                expand_naively(
                    rule=slot.rule,
                    first_day=slot.starts_on,
                    last_day=slot.ends_on,
                    start_time=slot.start_time,
                    window_start=to_local_naive(start),
                    window_end=to_local_naive(end),
                )
            )
            for slot in slots
        )

    def expansion():
        return sum(
            sum(
                1
                for _pair in expand(
                    rule=slot.rule,
                    first_day=slot.starts_on,
                    last_day=slot.ends_on,
                    start_time=slot.start_time,
                    window_start=to_local_naive(start),
                    window_end=to_local_naive(end),
                )
            )
            for slot in slots
        )

    def ours():
        return len(occurrences_between(start, end, outlets))

    def rundowns():
        return [rundown_for(outlet, day) for outlet in outlets]

    def bare_xlsx(all_rundowns):
        for rundown in all_rundowns:
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            for row in rundown_rows(rundown):
                sheet.append(row)
            book.save(io.BytesIO())

    print(f"{len(outlets)} stations, {len(slots)} slots, a year from {day:%Y-%m-%d}")
    measured = measure_alternating(
        {"naive": naive, "expand": expansion, "ours": ours}, arguments.repeat
    )
    base_time, base_peak, base_count = measured["naive"]
    expand_time, expand_peak, expand_count = measured["expand"]
    our_time, our_peak, our_count = measured["ours"]
    assert base_count == expand_count == our_count, (base_count, expand_count, our_count)
    print(f"occurrences: {our_count} (every way)")
    print(f"  naive expansion        {base_time:8.3f} s  peak {base_peak:7.1f} MB")
    print(
        f"  expand (rule cache)    {expand_time:8.3f} s  peak {expand_peak:7.1f} MB  ratio {expand_time / base_time:.2f} to naive"
    )
    print(
        f"  occurrences_between    {our_time:8.3f} s  peak {our_peak:7.1f} MB  "
        f"ratio {our_time / base_time:.2f} to naive (aware times, occurrence objects, "
        "booked seconds from the database)"
    )

    build_time, build_peak, built = measure(rundowns, arguments.repeat)
    items = sum(len(r.items) for r in built)
    print(f"rundowns of {day:%Y-%m-%d}: {len(built)} stations, {items} items")
    print(f"  assemble               {build_time:8.3f} s  peak {build_peak:7.1f} MB")
    bare_time, bare_peak, _ = measure(lambda: bare_xlsx(built), arguments.repeat)
    xlsx_time, xlsx_peak, _ = measure(lambda: [rundown_xlsx(r) for r in built], arguments.repeat)
    rss_before_pdf = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pdf_time, pdf_peak, pdfs = measure(lambda: [rundown_pdf(r) for r in built], 1)
    print(f"  XLSX bare dump         {bare_time:8.3f} s  peak {bare_peak:7.1f} MB")
    print(
        f"  XLSX rundowns          {xlsx_time:8.3f} s  peak {xlsx_peak:7.1f} MB  ratio {xlsx_time / bare_time:.2f} to bare"
    )
    print(
        f"  PDF rundowns           {pdf_time:8.3f} s  peak {pdf_peak:7.1f} MB  ratio {pdf_time / xlsx_time:.2f} to XLSX"
        f"  ({sum(len(p) for p in pdfs) / len(pdfs) / 1024:.0f} KB each)"
    )
    print(
        f"  per station: XLSX {xlsx_time / len(built) * 1000:.1f} ms, PDF {pdf_time / len(built) * 1000:.1f} ms"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss_before_pdf:.0f} MB before the PDFs, {rss:.0f} MB at the end")


if __name__ == "__main__":
    main()
