"""Celery tasks of the scheduler: thin entry points that call the dispatcher's services."""

import time

from celery import shared_task
from celery.signals import task_postrun
from django.db import connections

from .dispatch import dispatch_tick, placement_deliver


@shared_task(name="media_schedule.tick_dispatcher", ignore_result=True, acks_late=False)
def tick_dispatcher() -> None:
    """Beat's trigger: claim what is due and enqueue deliveries (see ``dispatch_tick``)."""
    dispatch_tick()


@shared_task(name="media_schedule.deliver_placement", ignore_result=True)
def deliver_placement(placement_id: int, claim_token: str | None = None) -> str:
    """Deliver or reconcile one claimed placement; a stale or repeated message does nothing."""
    return placement_deliver(placement_id=placement_id, claim_token=claim_token)


@task_postrun.connect
def close_unusable_connections(**kwargs) -> None:
    """Drop a connection that saw an error or outlived ``CONN_MAX_AGE``.

    Workers keep their connection between tasks (``CELERY_DB_REUSE_MAX``); this keeps a
    database restart or a broken transaction from reaching the next task. Unlike Django's
    ``close_old_connections`` it leaves a healthy connection alone, without the ``SELECT 1``
    health check that would otherwise precede every task's first query.
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        aged = conn.close_at is not None and time.monotonic() >= conn.close_at
        left_open = conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]
        if conn.errors_occurred or aged or left_open:
            conn.close()
