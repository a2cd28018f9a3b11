"""The dispatcher's tunables, read from ``settings.OUTREACH_DISPATCH`` with safe defaults."""

import datetime

from django.conf import settings

DEFAULTS = {
    "TICK_SECONDS": 2,
    "LEASE_SECONDS": 240,
    "MAX_ATTEMPTS": 8,
    "RETRY_BASE_MS": 30_000,
    "RETRY_CAP_SECONDS": 3600,
    "BATCH": 500,
    # Cap on claimed rows waiting in the broker; more would only wait there until their lease
    # ran out (several minutes of work for the workers at hand).
    "MAX_QUEUED": 5000,
    # How long to wait before asking again whether held-back content has passed review.
    "APPROVAL_RECHECK_SECONDS": 30,
    # How often, and how many times, to ask an outlet about an unanswered delivery.
    "CONFIRM_INTERVAL_SECONDS": 15,
    "MAX_CHECKS": 40,
}


def dispatch_setting(name: str):
    """One tunable; a project overrides any of them in ``OUTREACH_DISPATCH``."""
    return {**DEFAULTS, **getattr(settings, "OUTREACH_DISPATCH", {})}[name]


def seconds(name: str) -> datetime.timedelta:
    return datetime.timedelta(seconds=dispatch_setting(name))
