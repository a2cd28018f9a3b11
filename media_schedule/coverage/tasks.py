"""Celery tasks of coverage: thin wrappers over the archive service."""

from celery import shared_task

from . import archive


@shared_task(name="coverage.build_archive", acks_late=True, soft_time_limit=1800, time_limit=1900)
def build_archive(job_id: int) -> str:
    """Build one inspection archive, reporting progress on the job's row."""
    job = archive.archive_job_run(job_id=job_id)
    return job.status if job else "missing"
