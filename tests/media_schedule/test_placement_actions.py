"""Retry and cancel from the placement page, as the scheduler who uses them: every page a
button links to answers, an unknown action is a 404, a user without the permission is refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from media_schedule.models import Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

Status = Placement.Status
ACTION = "media_schedule_placement_action"


@pytest.fixture
def failed_placement():
    outlet = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    return Placement.objects.create(
        page=approved_article("八一走访慰问"),
        outlet=outlet,
        due_at=timezone.now() - datetime.timedelta(minutes=5),
        status=Status.FAILED,
        attempts=8,
        last_error="渠道拒绝（HTTP 400）",
    )


@pytest.fixture
def scheduler_client(client):
    client.force_login(user_in_role("排期员"))
    return client


def test_every_button_on_a_failed_placement_leads_to_a_page(scheduler_client, failed_placement):
    inspect = scheduler_client.get(
        reverse("media_schedule_placement:inspect", args=[failed_placement.pk])
    )
    html = inspect.content.decode()
    retry_url = reverse(ACTION, args=[failed_placement.pk, "retry"])
    cancel_url = reverse(ACTION, args=[failed_placement.pk, "cancel"])
    assert retry_url in html and cancel_url in html

    retry_page = scheduler_client.get(retry_url)
    cancel_page = scheduler_client.get(cancel_url)

    assert retry_page.status_code == 200
    assert "重试排期" in retry_page.content.decode()
    assert "发送前先向渠道核实此前是否已发出" in retry_page.content.decode()
    assert cancel_page.status_code == 200
    assert "取消后该排期不会再发送" in cancel_page.content.decode()


def test_confirming_retry_then_cancel_changes_the_placement(scheduler_client, failed_placement):
    response = scheduler_client.post(
        reverse(ACTION, args=[failed_placement.pk, "retry"]), follow=True
    )
    failed_placement.refresh_from_db()
    assert failed_placement.status == Status.PLANNED and failed_placement.attempts == 0
    assert "重试排期：已完成。" in response.content.decode()

    scheduler_client.post(reverse(ACTION, args=[failed_placement.pk, "cancel"]))
    failed_placement.refresh_from_db()
    assert failed_placement.status == Status.CANCELLED
    assert failed_placement.last_error == "已由 user-排期员 取消。"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_action_is_not_found_and_changes_nothing(
    scheduler_client, failed_placement, method
):
    response = getattr(scheduler_client, method)(
        reverse(ACTION, args=[failed_placement.pk, "publish"])
    )
    assert response.status_code == 404
    failed_placement.refresh_from_db()
    assert failed_placement.status == Status.FAILED


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_a_user_without_the_permission_is_refused(client, failed_placement, action):
    client.force_login(user_in_role("仅后台访问"))
    url = reverse(ACTION, args=[failed_placement.pk, action])

    assert client.get(url).status_code in (302, 403)
    assert client.post(url).status_code in (302, 403)
    failed_placement.refresh_from_db()
    assert failed_placement.status == Status.FAILED


def test_an_unconfirmed_placement_can_be_retried_from_its_page(scheduler_client, failed_placement):
    Placement.objects.filter(pk=failed_placement.pk).update(
        status=Status.UNCONFIRMED, external_id="2247483647"
    )
    inspect = scheduler_client.get(
        reverse("media_schedule_placement:inspect", args=[failed_placement.pk])
    )
    assert reverse(ACTION, args=[failed_placement.pk, "retry"]) in inspect.content.decode()

    scheduler_client.post(reverse(ACTION, args=[failed_placement.pk, "retry"]))

    failed_placement.refresh_from_db()
    # Back in the schedule with its outlet id, which the dispatcher looks up before sending.
    assert failed_placement.status == Status.PLANNED
    assert failed_placement.external_id == "2247483647"
