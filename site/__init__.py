"""Project configuration for the 双拥 publicity system (imported as ``outreach_site``)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
