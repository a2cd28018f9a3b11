"""``load_demo_schedule``: every outlet kind, a few placements, idempotent, with a dry run; the
demo screens' delivered slogans, with their history."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from media_schedule.channels.led.demo import load_demo_screens
from media_schedule.models import DeliveryRecord, Outlet, Placement
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db


def test_demo_schedule_is_created_once(capsys):
    articles = [approved_article(f"演示稿件{n}") for n in range(2)]

    call_command("load_demo_schedule", wechat_base_url="http://127.0.0.1:9911")
    call_command("load_demo_schedule", wechat_base_url="http://127.0.0.1:9911")

    out = capsys.readouterr().out
    assert "演示排期已创建 (created): outlets 7，placements 4" in out
    assert "演示排期已存在，未作改动" in out
    assert set(Outlet.objects.values_list("kind", flat=True)) == set(Outlet.Kind.values)
    wechat = Outlet.objects.get(kind=Outlet.Kind.WECHAT)
    assert wechat.config["base_url"] == "http://127.0.0.1:9911"
    assert Placement.objects.count() == 4
    assert set(Placement.objects.values_list("page_id", flat=True)) == {a.pk for a in articles}


def test_dry_run_creates_nothing(capsys):
    approved_article()

    call_command("load_demo_schedule", dry_run=True)

    assert "将创建 (would create): outlets 7，placements 2" in capsys.readouterr().out
    assert not Outlet.objects.exists()
    assert not Placement.objects.exists()


def test_demo_screens_have_a_delivery_history_like_the_dispatcher_leaves():
    approved_article("演示稿件")

    load_demo_screens(build_packages=False)
    load_demo_screens(build_packages=False)

    delivered = Placement.objects.filter(outlet__kind=Outlet.Kind.LED_SCREEN)
    assert delivered.exists()
    assert set(delivered.values_list("status", "attempts")) == {(Placement.Status.DELIVERED, 1)}
    records = DeliveryRecord.objects.filter(placement__in=delivered)
    assert records.count() == delivered.count()
    assert set(records.values_list("outcome", flat=True)) == {DeliveryRecord.Outcome.DELIVERED}


def test_demo_screens_come_with_an_operator_in_the_operator_group():
    load_demo_screens(build_packages=False)
    load_demo_screens(build_packages=False)

    operator = get_user_model().objects.get(username="yunwei")
    assert list(operator.groups.values_list("name", flat=True)) == ["显示屏操作员"]
    assert operator.get_full_name() == "运维小张"
    assert not operator.has_usable_password()


def test_demo_screens_show_a_picture_where_the_demo_articles_have_covers(settings, tmp_path):
    from media_schedule.channels.led import services
    from media_schedule.channels.led.models import Screen
    from tests.support.wechat_pages import make_article, make_image

    settings.MEDIA_ROOT = tmp_path / "media"
    cover = make_image("演示封面", size=(800, 450))
    make_article(cover=cover)

    load_demo_screens(build_packages=False)

    screen = Screen.objects.get(outlet__name="人民广场公告屏")
    versions = list(
        Placement.objects.filter(outlet=screen.outlet)
        .order_by("due_at")
        .values_list("version", flat=True)
    )
    assert len(versions) == 5
    assert versions[-1]["picture_id"] == cover.pk
    package, _is_new = services.screen_package_refresh(screen=screen)
    last = package.manifest["items"][-1]
    assert [segment["kind"] for segment in last["segments"]] == ["text", "picture"]
    assert last["segments"][1]["conversion"] in {"threshold", "ordered", "diffusion"}
