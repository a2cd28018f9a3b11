"""Celery tasks of the LED screens: thin wrappers over the services."""

from celery import shared_task

from . import services


@shared_task(name="led.export_package", acks_late=True, soft_time_limit=1800, time_limit=1900)
def export_led_package(job_id: int) -> str:
    """Run one export job (build or reuse the screen's package, reporting progress)."""
    job = services.export_job_run(job_id=job_id)
    return job.status if job else "missing"
