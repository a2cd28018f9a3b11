"""Benchmark: placements falling due within one minute, delivered by the dispatcher, against
Wagtail's scheduled publishing (``publish_scheduled`` run once a minute) in the same run.

Needs PostgreSQL and Redis (the figures mean nothing on SQLite and the file-system broker):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/outreach_ci \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/dispatch_bench.py [--count 10000] [--baseline-count N]

Dispatcher side: ``--workers`` Celery worker processes (``--concurrency`` pool children each),
a real ``celery beat`` firing the dispatcher tick every ``--tick`` seconds, and a stand-in HTTP
outlet on 127.0.0.1 that stamps the moment it accepts each item. Baseline side: pages whose
approved revision is scheduled (``go_live_at``) over the same one-minute window, published by
Wagtail's own ``publish_scheduled`` command at each minute boundary, as a cron job would.
Lateness is acceptance time (or ``last_published_at``) minus the due time. Everything runs in a
private, throw-away database and queue. Goal: p99 lateness under 2 s and every item delivered
within 60 s of the last due time.
"""

import argparse
import datetime
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_P99_SECONDS, GOAL_DRAIN_SECONDS = 2.0, 60.0


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"median": float("nan"), "p99": float("nan"), "max": float("nan")}
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"median": statistics.median(ordered), "p99": p99, "max": ordered[-1]}


def setup(args) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "outreach_site.test_settings"
    os.environ["DISPATCH_TICK_SECONDS"] = str(args.tick)
    os.environ["OUTREACH_CHANNELS"] = "radio=tests.support.outlet_standin.StandinChannel"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        sys.exit("dispatch_bench needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).")
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original_name


def bench_worker_class():
    """``WorkerProcess`` with a choice of pool, as the production worker command has."""
    from tests.support.worker import REPO as WORKER_REPO
    from tests.support.worker import WorkerProcess, child_environment

    class BenchWorker(WorkerProcess):
        def __init__(self, *, pool: str, **kwargs):
            super().__init__(**kwargs)
            self.pool = pool

        def start(self, timeout: float = 60.0) -> "BenchWorker":
            command = [
                sys.executable, "-m", "celery", "-A", "outreach_site", "worker",
                "--loglevel=WARNING", f"--concurrency={self.concurrency}", f"--pool={self.pool}",
                f"--hostname={self.name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
            ]  # fmt: skip
            self.process = subprocess.Popen(
                command, cwd=WORKER_REPO, env=child_environment(),
                stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            self.wait_ready(timeout)
            return self

    return BenchWorker


def run_dispatcher(args) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from media_schedule.models import Outlet, Placement
    from tests.support.outlet_standin import OutletStandin
    from tests.support.schedule_pages import approved_article
    from tests.support.worker import child_environment

    BenchWorker = bench_worker_class()
    standin = OutletStandin().start()
    outlet = Outlet.objects.create(
        name="基准测试电台", kind=Outlet.Kind.RADIO, config={"base_url": standin.base_url}
    )
    pages = [approved_article(f"基准稿件{n}", slug=f"bench-{n}") for n in range(args.pages)]
    workers = [
        BenchWorker(name=f"bench{n}", concurrency=args.concurrency, pool=args.pool).start()
        for n in range(args.workers)
    ]
    start = timezone.now() + datetime.timedelta(seconds=args.lead)
    step = args.window / args.count
    Placement.objects.bulk_create(
        (
            Placement(
                page=pages[n % len(pages)],
                outlet=outlet,
                due_at=start + datetime.timedelta(seconds=n * step),
                version={"title": f"第{n}条"},
            )
            for n in range(args.count)
        ),
        batch_size=2000,
    )
    due = {str(key): at for key, at in Placement.objects.values_list("idempotency_key", "due_at")}
    last_due = max(due.values())
    beat_log = Path(workers[0].log_path).with_name("beat.log").open("ab")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "outreach_site", "beat", "--loglevel=WARNING",
         "-s", str(Path(workers[0].log_path).with_name("beat-schedule"))],
        cwd=REPO, env=child_environment(), stdout=beat_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = last_due.timestamp() + GOAL_DRAIN_SECONDS + args.grace
    try:
        while time.time() < deadline and len(standin.accepted) < args.count:
            time.sleep(0.5)
    finally:
        beat.terminate()
        beat.wait(timeout=30)
        for worker in workers:
            worker.stop()
        standin.stop()
    accepted_at = dict(standin.accepted_at)
    lateness = [accepted_at[key] - due[key].timestamp() for key in accepted_at]
    first_due = min(due.values()).timestamp()
    finished = max(accepted_at.values()) if accepted_at else float("nan")
    return {
        "name": (
            f"dispatcher ({args.workers} workers, --pool {args.pool} × {args.concurrency}, "
            f"tick {args.tick} s)"
        ),
        "count": args.count,
        "delivered": len(accepted_at),
        "duplicates": len(standin.duplicates()),
        "per_second": len(accepted_at) / max(finished - first_due, 1e-9),
        "drain": finished - last_due.timestamp(),
        **percentiles(lateness),
        "statuses": dict(Placement.objects.values_list("status").annotate(n=Count("pk"))),
    }


def run_baseline(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Page, Revision

    from publicity.models import ArticlePage
    from tests.support.schedule_pages import news_column

    count = args.baseline_count or args.count
    column = news_column()
    made_at = time.monotonic()
    # Creating and scheduling the pages takes minutes: schedule them a day ahead first, then
    # move every go-live time into the window at once, in the page and in its revision.
    placeholder = timezone.now() + datetime.timedelta(days=1)
    pages = []
    for n in range(count):
        page = ArticlePage(title=f"定时上线稿件{n}", slug=f"scheduled-{n}", live=False)
        column.add_child(instance=page)
        page.go_live_at = placeholder
        # Publishing a revision whose go_live_at is ahead only schedules it (approved_go_live_at).
        page.save_revision().publish()
        pages.append(page)
    start = timezone.now() + datetime.timedelta(seconds=args.lead)
    step = args.window / count
    due_by_page = {
        str(page.pk): start + datetime.timedelta(seconds=n * step) for n, page in enumerate(pages)
    }
    revisions = list(
        Revision.page_revisions.filter(object_id__in=due_by_page, approved_go_live_at__isnull=False)
    )
    for revision in revisions:
        due = due_by_page[revision.object_id]
        revision.approved_go_live_at = due
        revision.content["go_live_at"] = due.isoformat()
    Revision.objects.bulk_update(revisions, ["approved_go_live_at", "content"], batch_size=500)
    for page in pages:
        page.go_live_at = due_by_page[str(page.pk)]
    Page.objects.bulk_update(pages, ["go_live_at"], batch_size=500)
    assert len(revisions) == count, "every page must have one scheduled revision"
    setup_seconds = time.monotonic() - made_at
    ids = [page.pk for page in pages]
    last_due = max(due_by_page.values())
    runs, busy = 0, 0.0
    executed = [0]

    def counter(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    # A cron job "once a minute": the first boundary after the window opens, then every 60 s.
    next_run = start.timestamp() + 60 - start.timestamp() % 60
    deadline = last_due.timestamp() + GOAL_DRAIN_SECONDS + args.grace
    while time.time() < deadline:
        time.sleep(max(0.0, next_run - time.time()))
        began = time.monotonic()
        with connection.execute_wrapper(counter):
            call_command("publish_scheduled", stdout=io.StringIO())
        busy += time.monotonic() - began
        runs += 1
        next_run += 60
        if not Page.objects.filter(pk__in=ids, live=False).exists():
            break
    published = list(
        Page.objects.filter(pk__in=ids, live=True).values_list("last_published_at", "go_live_at")
    )
    lateness = [(at - due).total_seconds() for at, due in published]
    finished = max((at for at, _due in published), default=None)
    return {
        "name": "baseline (publish_scheduled once a minute)",
        "count": count,
        "delivered": len(published),
        "duplicates": 0,
        "per_second": len(published) / busy if busy else float("nan"),
        "drain": (finished - last_due).total_seconds() if finished else float("nan"),
        **percentiles(lateness),
        "runs": runs,
        "ms_per_object": 1000 * busy / max(len(published), 1),
        "queries_per_object": executed[0] / max(len(published), 1),
        "setup_seconds": setup_seconds,
    }


def report(result: dict) -> None:
    print(f"\n{result['name']}")
    print(f"  delivered          {result['delivered']} / {result['count']}")
    print(f"  duplicates         {result['duplicates']}")
    print(f"  delivered per s    {result['per_second']:.1f}")
    print(
        "  lateness (s)       median {median:.3f}   p99 {p99:.3f}   max {max:.3f}".format(**result)
    )
    print(f"  last item after the last due time: {result['drain']:.1f} s")
    for key in ("statuses", "runs", "ms_per_object", "queries_per_object", "setup_seconds"):
        if key in result:
            value = result[key]
            print(
                f"  {key:<18} {value:.1f}" if isinstance(value, float) else f"  {key:<18} {value}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="placements (default 10000)")
    parser.add_argument("--baseline-count", type=int, default=0, help="pages (default --count)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the due times span")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--pool", default="threads", choices=["threads", "prefork"], help="worker pool (threads)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="pool size per worker (8)")
    parser.add_argument("--tick", type=int, default=1, help="dispatcher tick in seconds")
    parser.add_argument("--pages", type=int, default=20, help="articles the placements share")
    parser.add_argument("--lead", type=float, default=15.0, help="seconds before the window")
    parser.add_argument("--grace", type=float, default=120.0, help="extra wait before giving up")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-dispatcher", action="store_true")
    args = parser.parse_args()

    original_name = setup(args)
    from django.db import connection

    results = []
    try:
        if not args.skip_dispatcher:
            results.append(run_dispatcher(args))
            report(results[-1])
        if not args.skip_baseline:
            results.append(run_baseline(args))
            report(results[-1])
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)
    ours = next((r for r in results if r["name"].startswith("dispatcher")), None)
    base = next((r for r in results if r["name"].startswith("baseline")), None)
    if ours:
        on_time = ours["p99"] < GOAL_P99_SECONDS
        drained = ours["delivered"] == ours["count"] and ours["drain"] <= GOAL_DRAIN_SECONDS
        print(
            f"\ngoal: p99 < {GOAL_P99_SECONDS} s -> {'met' if on_time else 'NOT met'}; "
            f"all delivered within {GOAL_DRAIN_SECONDS:.0f} s of the last due time -> "
            f"{'met' if drained else 'NOT met'}"
        )
    if ours and base:
        print(
            f"p99 lateness: dispatcher {ours['p99']:.2f} s vs publish_scheduled {base['p99']:.2f} s"
        )


if __name__ == "__main__":
    main()
