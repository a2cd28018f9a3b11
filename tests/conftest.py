"""Shared fixtures: a real Celery worker bound to the test database."""

import shutil

import pytest

from tests.support.worker import WorkerProcess


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
