"""Shared fixtures: a real Celery worker bound to the test database."""

import pytest

from tests.support.worker import WorkerProcess


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
