"""Celery tasks of the scheduler: thin entry points that call the dispatcher's services."""

from celery import shared_task

from .dispatch import dispatch_tick, placement_deliver


@shared_task(name="media_schedule.tick_dispatcher", ignore_result=True, acks_late=False)
def tick_dispatcher() -> None:
    """Beat's trigger: claim what is due and enqueue deliveries (see ``dispatch_tick``)."""
    dispatch_tick()


@shared_task(name="media_schedule.deliver_placement", ignore_result=True)
def deliver_placement(placement_id: int, claim_token: str | None = None) -> str:
    """Deliver or reconcile one claimed placement; a stale or repeated message does nothing."""
    return placement_deliver(placement_id=placement_id, claim_token=claim_token)
