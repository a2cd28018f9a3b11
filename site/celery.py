"""The Celery application: broker and schedule come from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import worker_shutting_down

from .broker import register_transport, stop_waiting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach_site.settings")
# Before any connection: filesystem:// URLs are served by the embedded broker of broker.py.
register_transport()
worker_shutting_down.connect(stop_waiting)

app = Celery("outreach")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="outreach.health.ping", ignore_result=False, acks_late=False)
def ping() -> dict:
    """Answer a health probe with the worker's host name and the database's state."""
    import socket

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": True, "host": socket.gethostname(), "database": connection.vendor}
