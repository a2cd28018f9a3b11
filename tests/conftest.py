"""Shared fixtures: a real Celery worker bound to the test database."""

import shutil

import pytest

from tests.support.worker import WorkerProcess

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "celery_worker"}


def pytest_collection_modifyitems(config, items):
    """Give every transactional test serialized rollback.

    A transactional test empties the database when it ends, taking with it what migrations
    created (Wagtail's root page and locale, the 三审 workflow and its groups). Serialized
    rollback restores those rows; it only works if every transactional test uses it, since
    one that does not would let content types be recreated under the restored ones' ids.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))
        if marker is not None and marker.kwargs.get("transaction"):
            transactional = True
        if transactional:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            # Prepended, so it is the closest marker even where the test carries its own.
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's private folder (test database file, task queue)."""
    from django.conf import settings

    run_dir = getattr(settings, "TEST_RUN_DIR", None)
    if run_dir is not None and run_dir.exists():
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def _purged_broker():
    from outreach_site.celery import app

    app.control.purge()


@pytest.fixture
def celery_worker(transactional_db, _purged_broker):
    """A real worker process; the test's data must be committed for it to see (hence
    ``transactional_db``)."""
    worker = WorkerProcess().start()
    yield worker
    worker.stop()
