"""Export runs as a background job on a real Celery worker and reports progress."""

import time

import pytest
from django.db import transaction

from media_schedule.channels.led import services
from media_schedule.channels.led.models import ExportJob


@pytest.mark.worker
def test_export_job_runs_on_a_worker_to_completion(
    celery_worker, make_screen, deliver_placement, settings
):
    # The worker writes packages where the project stores media, not in this test's tmp folder.
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"
    screen = make_screen(192, 64)
    for text in [
        "军民团结一家亲",
        "强军兴军从我做起",
        "全民国防教育日主题活动在县文化广场举行，欢迎市民参加",
    ]:
        deliver_placement(screen, {"lines": [text]})

    with transaction.atomic():
        job = services.export_job_start(screen=screen)
    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.status)
        if job.status in {ExportJob.Status.DONE, ExportJob.Status.FAILED}:
            break
        time.sleep(0.2)

    assert job.status == ExportJob.Status.DONE, job.error or celery_worker.log_tail()
    assert job.progress == 100 and job.package.item_count == 3
    with job.package.archive.open("rb") as handle:
        assert handle.read(2) == b"PK"
