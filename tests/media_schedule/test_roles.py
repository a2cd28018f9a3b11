"""The groups migrations create give each role what its work needs: editors schedule,
reviewers look at the schedule, operators run the screens; none gets the others' work."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from media_schedule.models import Outlet, Placement
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db


def member(client, group: str):
    user = get_user_model().objects.create_user(username=f"member-{group}")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def failed():
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    return Placement.objects.create(
        page=approved_article(),
        outlet=outlet,
        due_at=timezone.now() - datetime.timedelta(hours=1),
        status=Placement.Status.FAILED,
    )


def test_an_editor_schedules_retries_and_reads_the_log(client, failed):
    editor = member(client, "编辑")

    assert editor.get(reverse("media_schedule_placement:index")).status_code == 200
    assert editor.get(reverse("media_schedule_page", args=[failed.page_id])).status_code == 200
    retry = reverse("media_schedule_placement_action", args=[failed.pk, "retry"])
    assert editor.get(retry).status_code == 200
    editor.post(retry)
    failed.refresh_from_db()
    assert failed.status == Placement.Status.PLANNED
    # Outlets, with their secrets, stay with the administrators.
    edit_outlet = reverse("media_schedule_outlet:edit", args=[failed.outlet_id])
    assert editor.get(edit_outlet).status_code in (302, 403)


@pytest.mark.parametrize("group", ["初审", "复审", "终审"])
def test_a_reviewer_sees_the_schedule_but_does_not_change_it(client, failed, group):
    reviewer = member(client, group)

    assert reviewer.get(reverse("media_schedule_placement:index")).status_code == 200
    retry = reverse("media_schedule_placement_action", args=[failed.pk, "retry"])
    assert reviewer.post(retry).status_code in (302, 403)
    failed.refresh_from_db()
    assert failed.status == Placement.Status.FAILED


def test_an_operator_runs_the_screens_but_not_the_schedule(client, failed):
    operator = member(client, "显示屏操作员")

    assert operator.get(reverse("led_admin:index")).status_code == 200
    assert operator.get(reverse("media_schedule_placement:index")).status_code in (302, 403)
