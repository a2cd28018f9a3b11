"""Benchmark: the coverage matrix over a year of 1,000,000 delivery records on 300 outlets, on
PostgreSQL and on SQLite, against the naive GROUP BY over the delivery log in the same run;
and the inspection archive for 10,000 records with 2,000 evidence pictures.

    .venv/bin/python bench/coverage_bench.py                       # both databases + archive
    .venv/bin/python bench/coverage_bench.py --only sqlite --records 200000
    .venv/bin/python bench/coverage_bench.py --only archive

Each case runs in its own child process with its own throw-away database: PostgreSQL
``outreach_bench`` on 127.0.0.1:5432 (user postgres, created if missing) and SQLite files under
/tmp/coverage_bench/. Data are written in bulk (placements, their delivery records, 1% of them
corrected by a superseding record a few minutes later) and the roll-up is rebuilt once with
``rollup.rebuild``; a second run with the same ``--records`` reuses the loaded data. Loading a
million records takes a few minutes per database.

Figures are medians of ``--repeat`` runs after one warm-up:

* rollup: ``coverage_matrix`` as the report page calls it (delivered from the day roll-up,
  planned and missed from the schedule, links, targets and gaps for the campaign);
* naive: the delivered counts straight from the log — records delivered and not superseded,
  grouped by Beijing day and outlet in SQL, folded into buckets in Python;
* write: ``rollup.placement_refresh`` for one placement, the cost each new record pays.

Goals (issue 13): year-by-week under 100 ms on PostgreSQL and 300 ms on SQLite; the archive
under 60 s and 500 MB.
"""

import argparse
import datetime
import functools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = Path("/tmp/coverage_bench")
PG_URL = "postgresql://postgres@127.0.0.1:5432/outreach_bench"
GOALS_MS = {"postgres": 100.0, "sqlite": 300.0}
ARCHIVE_GOAL_SECONDS, ARCHIVE_GOAL_MB = 60.0, 500.0
YEAR = 2026


def _setup(database_url: str, private: Path | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "outreach_site.settings"
    if private is not None:
        os.environ["PRIVATE_MEDIA_ROOT"] = str(private)
        os.environ["MEDIA_ROOT"] = str(private.parent / "media")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = 'outreach_bench'").fetchone()
        if not exists:
            c.execute("CREATE DATABASE outreach_bench")


def _median_ms(function, repeat: int) -> float:
    started = time.perf_counter()
    function()
    # A query that takes seconds (the naive one on SQLite) is timed three times, not seven.
    if time.perf_counter() - started > 2:
        repeat = min(repeat, 3)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _clear(cursor) -> None:
    # Bench-only database: tables are emptied directly (the delivery log refuses deletes).
    for table in (
        "coverage_coverageday", "coverage_coverageplacement", "coverage_itemevidence",
        "coverage_standarditem", "coverage_archivejob", "media_schedule_deliveryevidence",
        "media_schedule_deliveryrecord", "media_schedule_placement", "media_schedule_outlet",
        "publicity_campaigntarget", "publicity_campaign",
    ):  # fmt: skip
        cursor.execute(f"DELETE FROM {table}")


def _insert_generated(cursor, vendor: str, records: int, page_id: int, outlets, campaigns):
    """Placements and their delivered records made by the database itself (INSERT … SELECT
    over a generated series): random outlet, 40% in one of the campaigns, a random moment of
    the year in Beijing; then 1% of the records corrected three minutes later."""
    start = int(
        datetime.datetime(
            YEAR, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
        ).timestamp()
    )
    span = 365 * 86400
    first_outlet, n_outlets = outlets[0], len(outlets)
    first_campaign, n_campaigns = campaigns[0], len(campaigns)
    if vendor == "postgresql":
        cursor.execute(
            f"""
            INSERT INTO media_schedule_placement (version, due_at, status, attempts, last_error,
                idempotency_key, external_id, result_url, delivered_at, created_at, updated_at,
                campaign_id, outlet_id, page_id, checks)
            SELECT '{{"duration_seconds": 60}}'::jsonb, t, 'delivered', 1, '',
                gen_random_uuid(), '', '', t, now(), now(),
                CASE WHEN random() < 0.4
                     THEN {first_campaign} + floor(random() * {n_campaigns})::bigint END,
                {first_outlet} + floor(random() * {n_outlets})::bigint, {page_id}, 0
            FROM (SELECT to_timestamp({start} + floor(random() * {span})) AS t
                  FROM generate_series(1, {records})) AS g
            """
        )
        receipt = """'{"duration_seconds": 45}'::jsonb"""
        later = "finished_at + interval '3 minutes'"
        chance = "random() < 0.01"
    else:
        cursor.execute(
            f"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {records})
            INSERT INTO media_schedule_placement (version, due_at, status, attempts, last_error,
                idempotency_key, external_id, result_url, delivered_at, created_at, updated_at,
                campaign_id, outlet_id, page_id, checks)
            SELECT '{{"duration_seconds": 60}}', t, 'delivered', 1, '',
                lower(hex(randomblob(16))), '', '', t, t, t,
                CASE WHEN abs(random()) % 10 < 4
                     THEN {first_campaign} + abs(random()) % {n_campaigns} END,
                {first_outlet} + abs(random()) % {n_outlets}, {page_id}, 0
            FROM (SELECT datetime({start} + abs(random()) % {span}, 'unixepoch') AS t FROM g)
            """
        )
        receipt = """'{"duration_seconds": 45}'"""
        later = "datetime(finished_at, '+3 minutes')"
        chance = "abs(random()) % 100 = 0"
    cursor.execute(
        f"""
        INSERT INTO media_schedule_deliveryrecord (attempt, outcome, started_at, finished_at,
            url, receipt, error, page_id, outlet_id, placement_id, note, recorded_by_name, source)
        SELECT 1, 'delivered', due_at, due_at, '', {receipt}, '', page_id, outlet_id, id, '', '',
            'receipt'
        FROM media_schedule_placement
        """
    )
    cursor.execute(
        f"""
        INSERT INTO media_schedule_deliveryrecord (attempt, outcome, started_at, finished_at,
            url, receipt, error, page_id, outlet_id, placement_id, note, recorded_by_name, source,
            supersedes_id)
        SELECT 1, 'delivered', started_at, {later}, '', receipt, '', page_id, outlet_id,
            placement_id, '', '', 'editor', id
        FROM media_schedule_deliveryrecord WHERE {chance}
        """
    )


def load(records: int, outlets: int) -> dict:
    """Load ``records`` delivered placements over ``YEAR`` (unless already there) and rebuild
    the roll-up."""
    from django.db import connection, transaction
    from wagtail.models import Page

    from media_schedule.coverage import rollup
    from media_schedule.coverage.models import CoverageDay
    from media_schedule.models import DeliveryRecord, Medium, Outlet
    from publicity.models import Campaign, CampaignTarget

    existing = DeliveryRecord.objects.filter(supersedes__isnull=True).count()
    if existing == records and CoverageDay.objects.exists():
        return {"loaded": False, "seconds": 0.0, "rebuild_seconds": 0.0}
    started = time.perf_counter()
    kinds = (
        [(Outlet.Kind.TV, Medium.TV)] * 20
        + [(Outlet.Kind.RADIO, Medium.RADIO)] * 20
        + [(Outlet.Kind.NEWSPAPER, Medium.NEWSPAPER)] * 20
        + [(Outlet.Kind.WEBSITE, Medium.ONLINE)] * 50
        + [(Outlet.Kind.WECHAT, Medium.ONLINE)] * 50
        + [(Outlet.Kind.LED_SCREEN, Medium.OUTDOOR)] * 100
        + [(Outlet.Kind.BULLETIN_BOARD, Medium.OUTDOOR)] * 40
    )[:outlets]
    with transaction.atomic(), connection.cursor() as cursor:
        _clear(cursor)
        outlet_rows = Outlet.objects.bulk_create(
            [Outlet(name=f"渠道{n:03d}", kind=k, medium=m) for n, (k, m) in enumerate(kinds)]
        )
        campaigns = Campaign.objects.bulk_create(
            [
                Campaign(
                    name=f"活动{n}",
                    slug=f"bench-{n}",
                    starts_on=datetime.date(YEAR, 2 * n + 1, 1),
                    ends_on=datetime.date(YEAR, 2 * n + 2, 28),
                )
                for n in range(5)
            ]
        )
        CampaignTarget.objects.bulk_create(
            [
                CampaignTarget(campaign=campaigns[0], medium="tv", count=40, per="week"),
                CampaignTarget(campaign=campaigns[0], medium="outdoor", count=1, per="continuous"),
            ]
        )
        outlet_ids = sorted(o.pk for o in outlet_rows)
        campaign_ids = sorted(c.pk for c in campaigns)
        # The generator picks ids by offset from the first: they must be consecutive.
        assert outlet_ids == list(range(outlet_ids[0], outlet_ids[0] + len(outlet_ids)))
        assert campaign_ids == list(range(campaign_ids[0], campaign_ids[0] + len(campaign_ids)))
        page_id = Page.get_first_root_node().pk
        _insert_generated(cursor, connection.vendor, records, page_id, outlet_ids, campaign_ids)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    rollup.rebuild()
    return {"loaded": True, "seconds": loaded, "rebuild_seconds": time.perf_counter() - started}


def naive_matrix(start, end, granularity, campaign=None):
    """Delivered counts straight from the log: the latest record standing, by Beijing day."""
    from zoneinfo import ZoneInfo

    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from media_schedule.coverage.columns import column_of
    from media_schedule.coverage.matrix import _local_bounds
    from media_schedule.coverage.periods import bucket_index, buckets
    from media_schedule.models import DeliveryRecord

    begin, stop = _local_bounds(start, end)
    rows = DeliveryRecord.objects.filter(
        outcome=DeliveryRecord.Outcome.DELIVERED,
        finished_at__gte=begin,
        finished_at__lt=stop,
        superseded_by__isnull=True,
    )
    if campaign is not None:
        rows = rows.filter(placement__campaign=campaign)
    rows = (
        rows.annotate(day=TruncDate("finished_at", tzinfo=ZoneInfo("Asia/Shanghai")))
        .values("day", "outlet__kind", "outlet__medium")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = buckets(start, end, granularity)
    index = bucket_index(found)
    cells: dict[tuple[str, int], int] = {}
    for row in rows:
        key = (column_of(medium=row["outlet__medium"], kind=row["outlet__kind"]), index[row["day"]])
        cells[key] = cells.get(key, 0) + row["n"]
    return cells


def run_matrix(database: str, records: int, outlets: int, repeat: int) -> dict:
    if database == "postgres":
        _ensure_pg_database()
        _setup(PG_URL)
    else:
        WORK.mkdir(parents=True, exist_ok=True)
        _setup(f"sqlite:///{WORK / 'matrix.sqlite3'}")
    from django.db import connection

    from media_schedule.coverage import rollup
    from media_schedule.coverage.matrix import coverage_matrix
    from media_schedule.coverage.periods import DAY, WEEK
    from media_schedule.models import DeliveryRecord, Placement
    from publicity.models import Campaign

    loading = load(records, outlets)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    campaign = Campaign.objects.order_by("pk").first()
    year = (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    month = (datetime.date(YEAR, 7, 1), datetime.date(YEAR, 7, 31))
    now = datetime.datetime(YEAR + 1, 1, 2, tzinfo=datetime.UTC)
    cases = {
        "year by week, everything": (year, WEEK, None),
        "year by week, one campaign": (year, WEEK, campaign),
        "month by day, everything": (month, DAY, None),
    }
    results = {}
    for name, ((start, end), granularity, chosen) in cases.items():
        rolled = _median_ms(
            functools.partial(
                coverage_matrix,
                start=start, end=end, granularity=granularity, campaign=chosen, now=now,
            ),
            repeat,
        )  # fmt: skip
        naive = _median_ms(functools.partial(naive_matrix, start, end, granularity, chosen), repeat)
        matrix = coverage_matrix(
            start=start, end=end, granularity=granularity, campaign=chosen, now=now
        )
        total = sum(row.delivered for row in matrix.rows)
        naive_total = sum(naive_matrix(start, end, granularity, chosen).values())
        results[name] = {
            "rollup_ms": rolled, "naive_ms": naive, "ratio": naive / rolled,
            "delivered": total, "naive_delivered": naive_total,
        }  # fmt: skip
    ids = list(Placement.objects.order_by("?").values_list("pk", flat=True)[:200])

    def refresh_all():
        for pk in ids:
            # Force a recount: the fact is cleared so the refresh rewrites it and its buckets.
            from django.db import transaction

            from media_schedule.coverage.models import CoveragePlacement

            with transaction.atomic():
                CoveragePlacement.objects.filter(pk=pk).update(counted=False)
                rollup.placement_refresh(placement_id=pk)

    started = time.perf_counter()
    refresh_all()
    write_ms = (time.perf_counter() - started) * 1000 / len(ids)
    return {
        "database": database,
        "records": DeliveryRecord.objects.count(),
        "outlets": outlets,
        "load": loading,
        "cases": results,
        "write_ms_per_record": write_ms,
    }


def run_archive(records: int, pictures: int) -> dict:
    import shutil
    import zipfile

    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / "archive.sqlite3"
    private = WORK / "archive-private"
    if database.exists():
        database.unlink()
    shutil.rmtree(private, ignore_errors=True)
    _setup(f"sqlite:///{database}", private)
    import io

    from django.db import connection
    from PIL import Image

    from media_schedule.coverage.archive import build_archive, collect
    from media_schedule.models import DeliveryEvidence, DeliveryRecord

    load(records, 60)
    rng = random.Random(7)
    # 50 distinct phone-sized photos (noise compresses badly, like real ones), each stored
    # 40 times under its own name: the archive reads and hashes every file.
    photos = []
    for n in range(50):
        image = Image.effect_noise((1280, 960), 40 + n).convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        photos.append(out.getvalue())
    chosen = list(
        DeliveryRecord.objects.filter(superseded_by__isnull=True).values_list("pk", flat=True)
    )
    rng.shuffle(chosen)
    evidence = []
    folder = private / "evidence" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for n, record_id in enumerate(chosen[:pictures]):
        content = photos[n % len(photos)]
        name = f"evidence/bench/{n:05d}.jpg"
        (private / name).write_bytes(content)
        evidence.append(
            DeliveryEvidence(
                record_id=record_id,
                kind="picture",
                file=name,
                file_format="jpeg",
                original_name=f"{n}.jpg",
                size=len(content),
                width=1280,
                height=960,
            )
        )
    DeliveryEvidence.objects.bulk_create(evidence)
    connection.close()
    size = sum(len(photos[n % len(photos)]) for n in range(pictures))
    # Baseline: the same files into a plain ZIP with zipfile.write (no ledger, PDF or hashes).
    started = time.perf_counter()
    with zipfile.ZipFile(WORK / "baseline.zip", "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    baseline = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    data = collect(start=datetime.date(YEAR, 1, 1), end=datetime.date(YEAR, 12, 31), campaign=None)
    collected = time.perf_counter() - started
    build_archive(data, WORK / "archive.zip")
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "records": records,
        "pictures": pictures,
        "evidence_mb": size / 1024 / 1024,
        "baseline_seconds": baseline,
        "collect_seconds": collected,
        "seconds": seconds,
        "zip_mb": (WORK / "archive.zip").stat().st_size / 1024 / 1024,
        "rss_before_mb": rss_before,
        "peak_rss_mb": rss_after,
    }


def _child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=REPO, capture_output=True, text=True
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(result.returncode)
    return json.loads(result.stdout.strip().splitlines()[-1])


def report_matrix(result: dict) -> None:
    goal = GOALS_MS[result["database"]]
    load_info = result["load"]
    print(
        f"\n== {result['database']}: {result['records']:,} records, {result['outlets']} outlets =="
    )
    if load_info["loaded"]:
        print(
            f"loaded in {load_info['seconds']:.0f} s, roll-up rebuilt in {load_info['rebuild_seconds']:.0f} s"
        )
    print(
        f"{'case':<30}{'rollup ms':>11}{'naive ms':>11}{'naive/rollup':>14}{'delivered':>12}{'naive':>10}"
    )
    for name, c in result["cases"].items():
        print(
            f"{name:<30}{c['rollup_ms']:>11.1f}{c['naive_ms']:>11.1f}{c['ratio']:>13.1f}x"
            f"{c['delivered']:>12,}{c['naive_delivered']:>10,}"
        )
    year = result["cases"]["year by week, everything"]["rollup_ms"]
    campaign = result["cases"]["year by week, one campaign"]["rollup_ms"]
    verdict = "met" if max(year, campaign) < goal else "NOT met"
    print(f"goal year-by-week < {goal:.0f} ms: {verdict}")
    print(f"roll-up refresh per record written: {result['write_ms_per_record']:.2f} ms")


def report_archive(result: dict) -> None:
    print(
        f"\n== archive: {result['records']:,} records, {result['pictures']:,} pictures "
        f"({result['evidence_mb']:.0f} MB) =="
    )
    print(f"baseline (files into a plain ZIP): {result['baseline_seconds']:.1f} s")
    print(
        f"archive: {result['seconds']:.1f} s (collect {result['collect_seconds']:.1f} s), "
        f"ZIP {result['zip_mb']:.0f} MB, ratio to baseline {result['seconds'] / result['baseline_seconds']:.1f}x"
    )
    print(
        f"peak RSS {result['peak_rss_mb']:.0f} MB (before the build {result['rss_before_mb']:.0f} MB)"
    )
    ok = result["seconds"] < ARCHIVE_GOAL_SECONDS and result["peak_rss_mb"] < ARCHIVE_GOAL_MB
    print(
        f"goal < {ARCHIVE_GOAL_SECONDS:.0f} s and < {ARCHIVE_GOAL_MB:.0f} MB: {'met' if ok else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["postgres", "sqlite", "archive"])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--outlets", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--archive-records", type=int, default=10_000)
    parser.add_argument("--pictures", type=int, default=2_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.only == "archive":
            result = run_archive(args.archive_records, args.pictures)
        else:
            result = run_matrix(args.only, args.records, args.outlets, args.repeat)
        print(json.dumps(result, default=str))
        return
    common = [f"--records={args.records}", f"--outlets={args.outlets}", f"--repeat={args.repeat}",
              f"--archive-records={args.archive_records}", f"--pictures={args.pictures}"]  # fmt: skip
    for case in [args.only] if args.only else ["postgres", "sqlite", "archive"]:
        result = _child([f"--only={case}", *common])
        (report_archive if case == "archive" else report_matrix)(result)


if __name__ == "__main__":
    main()
