"""The periodic poll through a real Celery worker: the beat task claims due sources and
the worker polls each one."""

import time

import pytest

from publicity.inbox.models import FeedEntry, FeedSource
from publicity.inbox.tasks import poll_due_feed_sources
from tests.support.worker import WorkerProcess

from .conftest import rss, rss_item

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, _purged_broker, monkeypatch):
    # The worker inherits the environment: it may fetch from the test server on 127.0.0.1.
    monkeypatch.setenv("INBOX_ALLOWED_NETWORKS", "127.0.0.1/32")
    process = WorkerProcess(name="inbox").start()
    yield process
    process.stop()


def test_the_beat_task_enqueues_one_poll_per_due_source(feed_server, worker):
    sources = [
        FeedSource.objects.create(
            name=f"订阅源{n}",
            url=feed_server.add(f"/{n}", rss([rss_item(n), rss_item(100 + n)]).encode()),
        )
        for n in range(3)
    ]
    FeedSource.objects.create(name="停用", url=feed_server.add("/off", b""), active=False)

    assert poll_due_feed_sources() == 3
    assert poll_due_feed_sources() == 0  # a doubled tick claims nothing

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if FeedSource.objects.filter(last_polled_at__isnull=False).count() == 3:
            break
        time.sleep(0.2)
    polled = {
        s.name: (s.last_status, s.entries_seen) for s in FeedSource.objects.filter(active=True)
    }
    assert polled == {s.name: ("成功", 2) for s in sources}, worker.log_tail()
    assert FeedEntry.objects.count() == 6
    assert [path for path, _headers in feed_server.requests].count("/off") == 0
