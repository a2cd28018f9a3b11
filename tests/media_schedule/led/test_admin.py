"""Admin pages: screen list, loop previews with warnings, export status, insertions."""

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image

from media_schedule.channels.led import services
from media_schedule.channels.led.models import ExportJob, Package

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def test_index_and_screen_page_show_previews_and_warnings(
    admin_client, make_screen, deliver_placement
):
    screen = make_screen(64, 16)
    placement = deliver_placement(screen, {"lines": ["全民国防教育日主题活动在县文化广场举行"]})

    index = admin_client.get("/admin/led/")
    page = admin_client.get(f"/admin/led/screens/{screen.pk}/")

    assert index.status_code == 200 and screen.name in index.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert "提示" in html and "滚动" in html
    assert f"/admin/led/screens/{screen.pk}/preview/{placement.pk}/dots/" in html


@pytest.mark.parametrize("view", ["actual", "dots", "gif"])
def test_previews_are_images_of_the_right_size(admin_client, make_screen, deliver_placement, view):
    screen = make_screen(128, 32)
    placement = deliver_placement(screen, {"lines": ["军民团结一家亲"]})

    response = admin_client.get(f"/admin/led/screens/{screen.pk}/preview/{placement.pk}/{view}/")

    image = Image.open(io.BytesIO(response.content))
    assert response.status_code == 200
    if view == "dots":
        assert image.size == (128 * 8, 32 * 8)
    else:
        assert image.size == (128, 32)


def test_preview_of_undrawable_text_is_a_readable_error(
    admin_client, make_screen, deliver_placement
):
    screen = make_screen()
    placement = deliver_placement(screen, {"lines": ["拥军😀"]})
    response = admin_client.get(f"/admin/led/screens/{screen.pk}/preview/{placement.pk}/actual/")
    assert response.status_code == 422 and "😀" in response.content.decode()


def test_page_previews_list_every_screen_the_item_is_placed_on(
    admin_client, make_screen, deliver_placement, article
):
    strip, wall = make_screen(64, 16), make_screen(1920, 1080, "full")
    deliver_placement(strip, {"lines": ["双拥"]})
    deliver_placement(wall, {"lines": ["双拥"]})
    html = admin_client.get(f"/admin/led/pages/{article.pk}/").content.decode()
    assert strip.name in html and wall.name in html


def test_export_status_reports_progress_and_download(admin_client, make_screen, deliver_placement):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    job = ExportJob.objects.create(screen=screen)
    queued = json.loads(admin_client.get(f"/admin/led/export-jobs/{job.pk}/").content)
    services.export_job_run(job_id=job.pk)
    done = json.loads(admin_client.get(f"/admin/led/export-jobs/{job.pk}/").content)

    assert queued["status"] == "queued" and queued["progress"] == 0
    assert done["status"] == "done" and done["progress"] == 100
    download = admin_client.get(done["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_insertion_form_pushes_or_explains(admin_client, make_screen):
    screen = make_screen(128, 32)
    start = timezone.localtime() + datetime.timedelta(minutes=5)
    fields = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "dwell_seconds": 10,
    }

    refused = admin_client.post(
        f"/admin/led/screens/{screen.pk}/insertions/", {**fields, "lines": "台风😀预警"}
    )
    pushed = admin_client.post(
        f"/admin/led/screens/{screen.pk}/insertions/", {**fields, "lines": "台风预警\n请注意安全"}
    )

    assert refused.status_code == 400
    body = refused.content.decode()
    assert "😀" in body and "台风😀预警" in body, "the typed text is kept"
    assert pushed.status_code == 302
    insertion = Package.objects.get(screen=screen, kind=Package.Kind.INSERTION)
    assert insertion.manifest["items"][0]["lines"] == ["台风预警", "请注意安全"]
