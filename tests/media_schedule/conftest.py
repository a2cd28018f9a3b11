"""Fixtures for the dispatcher tests: a stand-in outlet, fast dispatcher settings, a worker."""

import time

import pytest

from media_schedule import dispatch
from media_schedule.dispatch import dispatch_tick
from media_schedule.models import Outlet, Placement
from tests.support.outlet_standin import OutletStandin

STANDIN_ADAPTER = "tests.support.outlet_standin.StandinChannel"

# Short backoff and lease so retries and re-claims happen within a test; the same values go
# to the worker process through the environment it inherits.
FAST_DISPATCH = {
    "TICK_SECONDS": 1,
    "LEASE_SECONDS": 15,
    "MAX_ATTEMPTS": 4,
    "RETRY_BASE_MS": 300,
    "RETRY_CAP_SECONDS": 2,
    "BATCH": 500,
    "APPROVAL_RECHECK_SECONDS": 1,
    "CONFIRM_INTERVAL_SECONDS": 1,
    "MAX_CHECKS": 10,
}
ENVIRONMENT = {
    "OUTREACH_CHANNELS": f"radio={STANDIN_ADAPTER}",
    "DISPATCH_TICK_SECONDS": "1",
    "DISPATCH_LEASE_SECONDS": "15",
    "DISPATCH_MAX_ATTEMPTS": "4",
    "DISPATCH_RETRY_BASE_MS": "300",
    "DISPATCH_RETRY_CAP_SECONDS": "2",
}


@pytest.fixture
def outlet_standin():
    standin = OutletStandin().start()
    yield standin
    standin.stop()


@pytest.fixture
def dispatch_settings(monkeypatch, settings):
    """Route the ``radio`` kind to the stand-in adapter, here and in workers started later."""
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    settings.OUTREACH_CHANNELS = {"radio": STANDIN_ADAPTER}
    settings.OUTREACH_DISPATCH = dict(FAST_DISPATCH)
    return settings.OUTREACH_DISPATCH


@pytest.fixture
def dispatch_worker(dispatch_settings, celery_worker):
    """A real worker started after the dispatcher settings are in its environment."""
    return celery_worker


@pytest.fixture
def standin_outlet(outlet_standin, dispatch_settings):
    return Outlet.objects.create(
        name="县广播电台", kind=Outlet.Kind.RADIO, config={"base_url": outlet_standin.base_url}
    )


@pytest.fixture
def outlet(standin_outlet):
    """The stand-in radio outlet, under the short name the in-process dispatcher tests use."""
    return standin_outlet


@pytest.fixture
def enqueued(monkeypatch):
    """Record what the dispatcher would publish to the broker, (placement id, claim token)
    pairs in order, instead of publishing it."""
    published: list[tuple[int, str]] = []

    def record(claimed, *, token, report=None):
        published.extend((pk, str(token)) for pk, _due in claimed)
        return len(claimed)

    monkeypatch.setattr(dispatch.claim, "enqueue_deliveries", record)
    return published


def run_dispatcher(until, *, timeout: float = 60.0, interval: float = 0.2) -> bool:
    """Tick the dispatcher, as beat would, until ``until()`` holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dispatch_tick()
        if until():
            return True
        time.sleep(interval)
    return until()


def all_final(*ids) -> bool:
    open_ids = Placement.objects.filter(pk__in=ids).exclude(status__in=Placement.FINAL_STATUSES)
    return not open_ids.exists()
