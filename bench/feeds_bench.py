"""Benchmark of feed polling: 100 sources × 50 entries served on 127.0.0.1, two workers.

Run from the repository root (about a minute; nothing outside 127.0.0.1 and a scratch
folder is touched):

    .venv/bin/python bench/feeds_bench.py
    .venv/bin/python bench/feeds_bench.py --sources 200 --entries 50 --workers 4

What it does, in one run so the figures are comparable:

1. Builds a scratch SQLite database in a temporary folder (``OUTREACH_VAR_DIR``) and runs
   the migrations; ``DATABASE_URL`` set in the environment is used instead (PostgreSQL).
2. Serves ``--sources`` RSS 2.0 feeds of ``--entries`` items each (Chinese titles, HTML
   bodies with a picture, a script and an event handler for the sanitiser to remove) from a
   threading HTTP server on 127.0.0.1 that honours ``If-None-Match`` with a 304.
3. Polls every source with ``feed_source_poll`` (guarded fetch, entity check, feedparser
   from memory, nh3, de-duplication, database writes) on ``--workers`` threads, as two
   worker threads would: the first poll files every entry, the second finds every feed
   unchanged (all 304).
4. Measures beside it, on the same threads and server, feedparser's own fetching
   (``feedparser.parse(url)``, then ``parse(url, etag=…)``), which parses and sanitises but
   stores nothing and has no timeout, size cap or host check.
5. Repeats each first poll on a fresh database state under ``tracemalloc`` for the peak of
   Python allocations (timings are taken without it, as it slows allocation down).

Goals (issue 14): first poll under 10 s, all-304 poll under 1 s.
"""

import argparse
import concurrent.futures
import datetime
import email.utils
import hashlib
import http.server
import os
import shutil
import socketserver
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = email.utils.format_datetime(datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC))


def feed_document(source: int, entries: int) -> bytes:
    items = []
    for n in range(entries):
        link = f"https://s{source}.example.gov.cn/news/{n}.html"
        body = (
            f"<p>第{source}号订阅源第{n}条：县双拥办走访慰问驻地部队官兵，送去节日问候。</p>"
            f'<p onclick="x()">军民共建<strong>示范点</strong>建设情况<script>alert(1)</script></p>'
            f'<img src="https://img.example.gov.cn/{source}/{n}.jpg" alt="现场">'
        ) * 2
        items.append(
            f"<item><title>第{source}号源新闻{n}：双拥共建新进展</title><link>{link}</link>"
            f"<guid>{link}</guid><pubDate>{PUBLISHED}</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    document = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>订阅源{source}</title><link>https://s{source}.example.gov.cn/</link>"
        f"<description>测试</description>{''.join(items)}</channel></rss>"
    )
    return document.encode("utf-8")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        body = self.server.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128


def _setup_django(scratch: Path) -> None:
    os.environ.setdefault("OUTREACH_VAR_DIR", str(scratch))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.INBOX_FETCH = {"ALLOWED_NETWORKS": ["127.0.0.1/32"]}


def _run(workers: int, function, items) -> float:
    """Seconds to run ``function`` over ``items`` on ``workers`` threads."""
    from django.db import connections

    def call(item):
        try:
            return function(item)
        finally:
            connections.close_all()

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(call, items))
    elapsed = time.perf_counter() - started
    failures = [r for r in results if getattr(r, "error", "")]
    if failures:
        raise SystemExit(f"{len(failures)} polls failed, e.g. {failures[0].error}")
    return elapsed


def _peak(function) -> float:
    """Peak of Python allocations while ``function`` runs, in MB."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    try:
        _setup_django(scratch)
        _bench(args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bench(args) -> None:
    import feedparser

    from publicity.inbox.models import FeedEntry, FeedSource
    from publicity.inbox.services import feed_source_poll

    server = _Server(("127.0.0.1", 0), _Handler)
    server.feeds = {f"/feed/{n}.xml": feed_document(n, args.entries) for n in range(args.sources)}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/feed/{n}.xml" for n in range(args.sources)]
    feed_bytes = sum(len(body) for body in server.feeds.values())
    print(
        f"{args.sources} sources × {args.entries} entries ({feed_bytes / 1e6:.1f} MB of feeds), "
        f"{args.workers} worker threads, load average {os.getloadavg()[0]:.2f}"
    )

    sources = [FeedSource.objects.create(name=f"订阅源{n}", url=url) for n, url in enumerate(urls)]
    ids = [source.pk for source in sources]

    def poll(pk):
        return feed_source_poll(source_id=pk)

    def reset():
        FeedEntry.objects.all().delete()
        FeedSource.objects.update(etag="", last_modified="", entries_seen=0)

    ours_first = _run(args.workers, poll, ids)
    stored = FeedEntry.objects.count()
    ours_304 = _run(args.workers, poll, ids)
    statuses = set(FeedSource.objects.values_list("last_status", flat=True))

    etags = {}

    def fp_first(url):
        result = feedparser.parse(url)
        etags[url] = result.get("etag")
        assert len(result.entries) == args.entries, result.get("bozo_exception")

    def fp_304(url):
        result = feedparser.parse(url, etag=etags[url])
        assert result.get("status") == 304, result.get("status")

    fp_first_time = _run(args.workers, fp_first, urls)
    fp_304_time = _run(args.workers, fp_304, urls)

    reset()
    ours_peak = _peak(lambda: _run(args.workers, poll, ids))
    fp_peak = _peak(lambda: _run(args.workers, fp_first, urls))
    server.shutdown()

    assert stored == args.sources * args.entries, stored
    rows = [
        ("first poll", ours_first, fp_first_time, 10.0),
        ("all-304 poll", ours_304, fp_304_time, 1.0),
    ]
    print(f"\n{'':14} {'inbox (s)':>10} {'feedparser (s)':>15} {'ratio':>7} {'goal':>7}  met")
    for name, ours, theirs, goal in rows:
        print(
            f"{name:14} {ours:10.2f} {theirs:15.2f} {ours / theirs:7.2f} {goal:6.1f}s  "
            f"{'yes' if ours < goal else 'NO'}"
        )
    print(
        f"\npeak Python allocations during a first poll: inbox {ours_peak:.1f} MB, "
        f"feedparser.parse(url) {fp_peak:.1f} MB"
    )
    print(
        f"entries stored: {stored}; statuses after the second poll: {sorted(statuses)}; "
        f"per source: first {ours_first / args.sources * 1000:.0f} ms, "
        f"304 {ours_304 / args.sources * 1000:.1f} ms"
    )
    print(
        "inbox = guarded fetch + entity check + feedparser from memory + nh3 + dedup + "
        "database writes; feedparser = its own fetch and parse, nothing stored"
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
