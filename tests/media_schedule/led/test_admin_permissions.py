"""Who may use the LED admin pages: each view asks for its model permission.

Reading (screens, previews) needs ``led.view_screen``; downloading a package or following an
export needs ``led.view_package``; exporting and pushing an insertion build a package
(``led.add_package``); withdrawing an insertion changes one (``led.change_package``).
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from media_schedule.channels.led import services
from media_schedule.channels.led.models import ExportJob, Package

pytestmark = pytest.mark.django_db

ROLES = {
    "operator": ["view_screen", "view_package", "add_package", "change_package"],
    "viewer": ["view_screen", "view_package"],
    "admin_only": [],
}


def login_as(client, role: str):
    group, _created = Group.objects.get_or_create(name=f"led-{role}")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="led", codename__in=ROLES[role]),
    )
    user = get_user_model().objects.create_user(username=f"led-{role}", password="x")
    user.groups.add(group)
    client.force_login(user)
    return client


@pytest.fixture
def screen_with_packages(make_screen, deliver_placement):
    screen = make_screen(128, 32)
    placement = deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    loop, _new = services.screen_package_refresh(screen=screen)
    start = timezone.now() + datetime.timedelta(minutes=5)
    insertion = services.insertion_push(
        screen=screen,
        lines=["台风预警"],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        dwell_seconds=10,
    )
    job = ExportJob.objects.create(screen=screen)
    return {
        "screen": screen,
        "placement": placement,
        "loop": loop,
        "insertion": insertion,
        "job": job,
    }


def reading_urls(data) -> dict[str, str]:
    screen, placement = data["screen"], data["placement"]
    return {
        "index": "/admin/led/",
        "screen": f"/admin/led/screens/{screen.pk}/",
        "preview": f"/admin/led/screens/{screen.pk}/preview/{placement.pk}/actual/",
        "page": f"/admin/led/pages/{placement.page_id}/",
        "export_status": f"/admin/led/export-jobs/{data['job'].pk}/",
        "download": f"/admin/led/packages/{data['loop'].pk}/download/",
    }


def insertion_fields():
    start = timezone.localtime() + datetime.timedelta(minutes=5)
    return {
        "lines": "紧急通知",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "dwell_seconds": 10,
    }


def test_admin_access_alone_reads_and_changes_nothing(client, screen_with_packages):
    data = screen_with_packages
    login_as(client, "admin_only")
    screen = data["screen"]

    answers = {name: client.get(url) for name, url in reading_urls(data).items()}
    export = client.post(f"/admin/led/screens/{screen.pk}/export/")
    insertion = client.post(f"/admin/led/screens/{screen.pk}/insertions/", insertion_fields())
    withdraw = client.post(f"/admin/led/packages/{data['insertion'].pk}/withdraw/")

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 302)
    assert {r["Location"] for r in answers.values()} == {"/admin/"}
    assert [export.status_code, insertion.status_code, withdraw.status_code] == [302, 302, 302]
    assert ExportJob.objects.count() == 1
    assert Package.objects.filter(kind=Package.Kind.INSERTION).count() == 1
    data["insertion"].refresh_from_db()
    assert data["insertion"].withdrawn_at is None


def test_progress_poll_without_permission_is_a_403(client, screen_with_packages):
    login_as(client, "admin_only")
    url = f"/admin/led/export-jobs/{screen_with_packages['job'].pk}/"
    response = client.get(url, headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 403


def test_viewer_reads_and_downloads_but_cannot_export_push_or_withdraw(
    client, screen_with_packages
):
    data = screen_with_packages
    login_as(client, "viewer")
    screen = data["screen"]

    answers = {name: client.get(url) for name, url in reading_urls(data).items()}
    detail = answers["screen"].content.decode()
    export = client.post(f"/admin/led/screens/{screen.pk}/export/")
    insertion = client.post(f"/admin/led/screens/{screen.pk}/insertions/", insertion_fields())
    withdraw = client.post(f"/admin/led/packages/{data['insertion'].pk}/withdraw/")

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 200)
    assert f"/admin/led/packages/{data['loop'].pk}/download/" in detail
    # The page offers only what this user may do.
    assert f"/admin/led/screens/{screen.pk}/export/" not in detail
    assert f"/admin/led/screens/{screen.pk}/insertions/" not in detail
    assert f"/admin/led/packages/{data['insertion'].pk}/withdraw/" not in detail
    assert f"/admin/led_screens/edit/{screen.pk}/" not in detail
    assert [export["Location"], insertion["Location"], withdraw["Location"]] == ["/admin/"] * 3
    assert ExportJob.objects.count() == 1
    assert Package.objects.filter(kind=Package.Kind.INSERTION).count() == 1


def test_operator_exports_pushes_and_withdraws(client, screen_with_packages):
    data = screen_with_packages
    login_as(client, "operator")
    screen = data["screen"]

    detail = client.get(f"/admin/led/screens/{screen.pk}/").content.decode()
    export = client.post(f"/admin/led/screens/{screen.pk}/export/")
    insertion = client.post(f"/admin/led/screens/{screen.pk}/insertions/", insertion_fields())
    withdraw = client.post(f"/admin/led/packages/{data['insertion'].pk}/withdraw/")

    assert f"/admin/led/screens/{screen.pk}/export/" in detail
    assert f"/admin/led/screens/{screen.pk}/insertions/" in detail
    assert f"/admin/led/packages/{data['insertion'].pk}/withdraw/" in detail
    assert export.status_code == insertion.status_code == withdraw.status_code == 302
    assert ExportJob.objects.count() == 2
    assert Package.objects.filter(kind=Package.Kind.INSERTION).count() == 2
    data["insertion"].refresh_from_db()
    assert data["insertion"].withdrawn_at is not None


@pytest.mark.parametrize("role, shown", [("viewer", True), ("admin_only", False)])
def test_menu_shows_screens_only_to_who_may_see_them(client, role, shown):
    login_as(client, role)
    dashboard = client.get("/admin/").content.decode()
    assert ('"/admin/led/"' in dashboard) is shown


def test_the_operator_group_made_by_migration_runs_the_screens(client, screen_with_packages):
    data = screen_with_packages
    user = get_user_model().objects.create_user(username="operator", password="x")
    user.groups.add(Group.objects.get(name="显示屏操作员"))
    client.force_login(user)
    screen = data["screen"]

    detail = client.get(f"/admin/led/screens/{screen.pk}/")
    export = client.post(f"/admin/led/screens/{screen.pk}/export/")
    withdraw = client.post(f"/admin/led/packages/{data['insertion'].pk}/withdraw/")
    outlets = client.get("/admin/schedule/outlets/")

    assert detail.status_code == 200
    assert f"/admin/led/screens/{screen.pk}/insertions/" in detail.content.decode()
    assert export.status_code == withdraw.status_code == 302
    assert ExportJob.objects.count() == 2
    assert outlets["Location"] == "/admin/", "outlets stay with the schedulers"
