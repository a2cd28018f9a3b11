"""The scheduler's admin, in Chinese: listings, filters, export, schedule-to-outlets, actions,
history and the dashboard panel."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

Status = Placement.Status


@pytest.fixture
def website():
    return Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)


@pytest.fixture
def radio():
    return Outlet.objects.create(name="县广播电台", kind=Outlet.Kind.RADIO)


def test_schedule_preview_shows_each_outlets_version_and_problems(admin_client, website, radio):
    article = approved_article("八一建军节慰问活动")
    due = timezone.localtime() + datetime.timedelta(hours=2)
    response = admin_client.post(
        reverse("media_schedule_page", args=[article.pk]),
        {
            "outlet_0": website.pk,
            "due_at_0": due.strftime("%Y-%m-%d %H:%M"),
            "outlet_1": radio.pk,
            "due_at_1": due.strftime("%Y-%m-%d %H:%M"),
            "preview": "1",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "县政府网站双拥专栏" in html and "符合该渠道的要求。" in html
    # The station has no slot yet, and its items are booked into slots, not given a time.
    assert "2 个问题，需修改后才能保存" in html
    assert "“县广播电台”还没有启用的播出时段，请先在“广播电视”中设置。" in html
    assert (
        "广播电台和电视台的稿件请在“广播电视”的当天页面编入播出时段，不能按任意时间排期。" in html
    )
    assert not Placement.objects.exists()


def test_saving_with_a_problem_is_refused_and_saves_nothing(admin_client, website, radio):
    article = approved_article()
    due = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    response = admin_client.post(
        reverse("media_schedule_page", args=[article.pk]),
        {
            "outlet_0": website.pk,
            "due_at_0": due,
            "outlet_1": radio.pk,
            "due_at_1": due,
            "save": "1",
        },
    )

    assert response.status_code == 200
    assert (
        "县广播电台：广播电台和电视台的稿件请在“广播电视”的当天页面编入播出时段，不能按任意时间排期。"
        in response.content.decode()
    )
    assert not Placement.objects.exists()


def test_several_times_for_one_outlet_are_saved_at_once(admin_client, website):
    article = approved_article()
    times = [timezone.localtime() + datetime.timedelta(hours=h) for h in (1, 5)]
    response = admin_client.post(
        reverse("media_schedule_page", args=[article.pk]),
        {
            "outlet_0": website.pk,
            "due_at_0": times[0].strftime("%Y-%m-%d %H:%M"),
            "outlet_1": website.pk,
            "due_at_1": times[1].strftime("%Y-%m-%d %H:%M"),
            "save": "1",
        },
    )

    assert response.status_code == 302
    placements = list(Placement.objects.order_by("due_at"))
    assert [p.outlet for p in placements] == [website, website]
    assert [timezone.localtime(p.due_at).hour for p in placements] == [t.hour for t in times]
    assert placements[0].version == {"title": article.title}
    assert placements[0].created_by.username == "admin"


def test_a_half_filled_row_gets_a_clear_error(admin_client, website):
    article = approved_article()
    response = admin_client.post(
        reverse("media_schedule_page", args=[article.pk]), {"outlet_0": website.pk, "save": "1"}
    )

    assert "请填写计划时间。" in response.content.decode()
    assert not Placement.objects.exists()


def test_the_page_offers_schedule_to_outlets(admin_client):
    article = approved_article()
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    assert reverse("media_schedule_page", args=[article.pk]) in response.content.decode()


def test_listing_filters_by_status_and_date_range_and_exports(admin_client, website):
    article = approved_article()
    now = timezone.now()
    failed = Placement.objects.create(
        page=article, outlet=website, due_at=now - datetime.timedelta(days=3), status=Status.FAILED
    )
    Placement.objects.create(page=article, outlet=website, due_at=now + datetime.timedelta(days=3))
    index = reverse("media_schedule_placement:index")

    by_status = admin_client.get(index, {"status": "failed"})
    assert list(by_status.context["object_list"]) == [failed]
    day = timezone.localtime(failed.due_at).date().isoformat()
    by_date = admin_client.get(index, {"due_at_from": day, "due_at_to": day})
    assert list(by_date.context["object_list"]) == [failed]
    export = admin_client.get(index, {"export": "csv", "status": "failed"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and str(failed.idempotency_key) in body
    assert f"{timezone.localtime(failed.due_at):%Y年%m月%d日 %H:%M},失败," in body


def test_history_shows_attempts_errors_and_receipts(admin_client, website):
    article = approved_article()
    placement = Placement.objects.create(
        page=article, outlet=website, due_at=timezone.now(), status=Status.FAILED, attempts=2
    )
    for attempt, outcome, error in [
        (1, "retry", "渠道暂时不可用（HTTP 503）"),
        (2, "failed", "渠道拒绝"),
    ]:
        DeliveryRecord.objects.create(
            placement=placement,
            outlet=website,
            page=article,
            attempt=attempt,
            outcome=outcome,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            error=error,
            receipt={"status": 503},
        )

    html = admin_client.get(
        reverse("media_schedule_placement:inspect", args=[placement.pk])
    ).content.decode()
    assert "发送记录" in html
    assert "渠道暂时不可用（HTTP 503）" in html and "暂时失败，将重试" in html
    # The receipt is told in words (see test_receipts_in_words.py), never as raw keys.
    assert "status: 503" not in html
    assert reverse("media_schedule_placement_action", args=[placement.pk, "retry"]) in html


def test_retry_and_cancel_are_guarded_transitions(admin_client, website):
    article = approved_article()
    placement = Placement.objects.create(
        page=article, outlet=website, due_at=timezone.now(), status=Status.FAILED, attempts=4
    )
    action = "media_schedule_placement_action"

    admin_client.post(reverse(action, args=[placement.pk, "retry"]))
    placement.refresh_from_db()
    assert (placement.status, placement.attempts) == (Status.PLANNED, 0)

    admin_client.post(reverse(action, args=[placement.pk, "cancel"]))
    placement.refresh_from_db()
    assert placement.status == Status.CANCELLED and "已由 admin 取消" in placement.last_error

    Placement.objects.filter(pk=placement.pk).update(status=Status.DELIVERED)
    response = admin_client.post(reverse(action, args=[placement.pk, "cancel"]), follow=True)
    placement.refresh_from_db()
    assert placement.status == Status.DELIVERED
    assert "“已送达”状态的排期不能取消。" in response.content.decode()


def test_dashboard_panel_shows_failed_late_and_backlog(admin_client, website):
    article = approved_article()
    now = timezone.now()
    Placement.objects.create(
        page=article, outlet=website, due_at=now, status=Status.FAILED, last_error="渠道拒绝"
    )
    Placement.objects.create(
        page=article,
        outlet=website,
        due_at=now - datetime.timedelta(minutes=10),
        status=Status.APPROVED,
    )

    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "排期状况" in html
    assert 'data-count="failed">1<' in html
    assert 'data-count="late">1<' in html
    assert 'data-count="backlog">1<' in html
    assert "渠道拒绝" in html


def test_outlet_listing_filters_by_kind(admin_client, website, radio):
    response = admin_client.get(reverse("media_schedule_outlet:index"), {"kind": "radio"})
    assert list(response.context["object_list"]) == [radio]


def placement(page, outlet, **fields) -> Placement:
    return Placement.objects.create(
        page=page, outlet=outlet, due_at=fields.pop("due_at", timezone.now()), **fields
    )


def test_adding_a_placement_goes_through_schedule_to_outlets(admin_client):
    article = approved_article("双拥模范城创建动员会")
    add = reverse("media_schedule_placement:add")

    form = admin_client.get(add)
    assert form.status_code == 200 and "选择要排期的稿件" in form.content.decode()
    assert "下一步：选择发布渠道和时间" in form.content.decode()
    response = admin_client.post(add, {"page": article.pk})
    assert response.status_code == 302
    assert response.url == reverse("media_schedule_page", args=[article.pk])
    assert not Placement.objects.exists()

    missing = admin_client.post(add, {})
    assert missing.status_code == 200 and "必需字段" in missing.content.decode()


def test_a_placement_not_in_flight_can_be_moved_but_keeps_item_and_outlet(
    admin_client, website, radio
):
    article = approved_article()
    row = placement(article, website, status=Status.APPROVED)
    later = timezone.localtime() + datetime.timedelta(days=1)

    response = admin_client.post(
        reverse("media_schedule_placement:edit", args=[row.pk]),
        {"due_at": later.strftime("%Y-%m-%d %H:%M"), "outlet": radio.pk},
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.due_at == later.replace(second=0, microsecond=0)
    assert row.outlet == website and row.status == Status.APPROVED


def test_a_stations_item_keeps_its_slot_time_in_the_edit_form(client, radio):
    client.force_login(user_in_role("排期员"))
    row = placement(approved_article(), radio, status=Status.PLANNED)
    due = row.due_at
    later = timezone.localtime() + datetime.timedelta(days=1)

    response = client.post(
        reverse("media_schedule_placement:edit", args=[row.pk]),
        {"due_at": later.strftime("%Y-%m-%d %H:%M")},
    )

    assert response.status_code == 200
    assert (
        "广播电台和电视台的稿件在“广播电视”的当天页面调整播出时段，不能在此改时间。"
        in response.content.decode()
    )
    row.refresh_from_db()
    assert row.due_at == due


@pytest.mark.parametrize("status", [Status.QUEUED, Status.SENDING, Status.DELIVERED])
def test_a_placement_in_flight_or_sent_cannot_be_edited(admin_client, website, status):
    row = placement(approved_article(), website, status=status)
    due = row.due_at
    edit = reverse("media_schedule_placement:edit", args=[row.pk])

    shown = admin_client.get(edit, follow=True)
    assert "不能修改" in shown.content.decode()
    response = admin_client.post(edit, {"due_at": "2030-01-01 08:00"})
    assert response.status_code == 200 and "不能修改" in response.content.decode()
    row.refresh_from_db()
    assert row.due_at == due and row.status == status


def test_only_a_placement_never_sent_can_be_deleted(admin_client, website):
    article = approved_article()
    fresh = placement(article, website)
    sent = placement(article, website, status=Status.DELIVERED, attempts=1)
    retried = placement(article, website, status=Status.APPROVED, attempts=1)
    for row in (sent, retried):
        DeliveryRecord.objects.create(
            placement=row,
            outlet=website,
            page=article,
            attempt=1,
            outcome=DeliveryRecord.Outcome.RETRY,
            started_at=timezone.now(),
            finished_at=timezone.now(),
        )

    for row in (sent, retried):
        delete = reverse("media_schedule_placement:delete", args=[row.pk])
        assert "不能删除" in admin_client.get(delete, follow=True).content.decode()
        assert "不能删除" in admin_client.post(delete, follow=True).content.decode()
    response = admin_client.post(reverse("media_schedule_placement:delete", args=[fresh.pk]))

    assert response.status_code == 302
    assert set(Placement.objects.values_list("pk", flat=True)) == {sent.pk, retried.pk}
    assert DeliveryRecord.objects.count() == 2


def test_the_placement_page_shows_times_in_shanghai_and_a_dash_for_nothing(admin_client, website):
    due = datetime.datetime(2026, 8, 1, 0, 30, tzinfo=datetime.UTC)
    row = placement(approved_article(), website, due_at=due)

    html = admin_client.get(reverse("media_schedule_placement:inspect", args=[row.pk])).content
    html = html.decode()

    assert "2026年8月1日 08:30:00" in html
    assert not re.search(r">\s*None\s*<", html) and re.search(r">\s*—\s*<", html)


def test_the_listing_offers_edit_and_delete_only_where_allowed(admin_client, website):
    article = approved_article()
    planned = placement(article, website)
    sending = placement(article, website, status=Status.SENDING, attempts=1)

    html = admin_client.get(reverse("media_schedule_placement:index")).content.decode()

    assert reverse("media_schedule_placement:edit", args=[planned.pk]) in html
    assert reverse("media_schedule_placement:delete", args=[planned.pk]) in html
    assert reverse("media_schedule_placement:edit", args=[sending.pk]) not in html
    assert reverse("media_schedule_placement:delete", args=[sending.pk]) not in html
    assert reverse("media_schedule_placement:inspect", args=[sending.pk]) in html
    inspect = admin_client.get(reverse("media_schedule_placement:inspect", args=[sending.pk]))
    assert (
        reverse("media_schedule_placement:edit", args=[sending.pk]) not in inspect.content.decode()
    )


def test_the_listing_reads_a_page_of_placements_in_a_fixed_number_of_queries(
    admin_client, website, radio, django_assert_max_num_queries
):
    article = approved_article()
    index = reverse("media_schedule_placement:index")
    placement(article, website)
    admin_client.get(index)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(index)

    for n in range(30):
        placement(article, radio if n % 2 else website, status=Status.DELIVERED)
    with django_assert_max_num_queries(len(few)):
        admin_client.get(index)


def test_dashboard_panel_shows_placements_overdue_for_confirmation_not_as_late(
    admin_client, website
):
    article = approved_article()
    now = timezone.now()
    for hours_left in (-2, 5):
        Placement.objects.create(
            page=article,
            outlet=website,
            due_at=now - datetime.timedelta(hours=30),
            status=Status.AWAITING,
            handed_over_at=now - datetime.timedelta(hours=30),
            confirm_by=now + datetime.timedelta(hours=hours_left),
        )

    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "逾期未确认刊播" in html
    assert 'data-count="overdue_confirmation">1<' in html
    assert 'data-count="late">0<' in html
