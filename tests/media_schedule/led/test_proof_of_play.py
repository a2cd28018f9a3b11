"""Proof of play: the token endpoint taking batches, the operator's CSV upload of a play log,
and screen-days from plays (or, without them, from pulls)."""

import datetime
import json
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from media_schedule.channels.led import proof, services
from media_schedule.channels.led.models import PlayRecord, PullLog
from media_schedule.models import DeliveryRecord

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def published(make_screen, deliver_placement):
    screen = make_screen(128, 32)
    placement = deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    package, _new = services.screen_package_refresh(screen=screen)
    return screen, package, placement


def post(client, screen, body, token=None):
    return client.post(
        f"/led/screens/{screen.pk}/plays",
        data=body if isinstance(body, bytes | str) else json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token if token is not None else screen.token}",
    )


def play(item, start, minutes=1, count=1):
    end = start + datetime.timedelta(minutes=minutes)
    return {"item": item, "start": start.isoformat(), "end": end.isoformat(), "count": count}


def at(day, hour):
    return datetime.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(at(28, 22), tick=False)


def test_a_batch_is_stored_and_a_repeat_of_it_adds_nothing(client, published, now):
    screen, package, placement = published
    key = f"placement-{placement.pk}"
    batch = {"plays": [play(key, at(28, 8)), play(key, at(28, 9), count=3)]}

    first = post(client, screen, batch)
    again = post(client, screen, batch)

    assert first.status_code == 200
    assert first.json() == {"accepted": 2, "duplicates": 0, "not_in_package": [], "rejected": []}
    assert again.json() == {"accepted": 0, "duplicates": 2, "not_in_package": [], "rejected": []}
    rows = list(
        PlayRecord.objects.order_by("started_at").values_list(
            "item_key", "count", "package", "placement_id", "in_package", "source"
        )
    )
    assert rows == [
        (key, 1, package.pk, placement.pk, True, "endpoint"),
        (key, 3, package.pk, placement.pk, True, "endpoint"),
    ]


def test_plays_out_of_order_are_all_kept(client, published, now):
    screen, _package, placement = published
    key = f"placement-{placement.pk}"
    later, earlier = play(key, at(28, 20)), play(key, at(27, 7))

    assert post(client, screen, {"plays": [later]}).json()["accepted"] == 1
    assert post(client, screen, {"plays": [earlier, later]}).json()["accepted"] == 1

    assert [p.started_at for p in PlayRecord.objects.order_by("started_at")] == [
        at(27, 7),
        at(28, 20),
    ]


def test_a_play_of_an_item_not_in_any_package_is_kept_flagged_and_reported(client, published, now):
    screen, _package, _placement = published
    response = post(client, screen, {"plays": [play("placement-99999", at(28, 8))]})

    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "not_in_package": [{"row": 0, "item": "placement-99999"}],
        "rejected": [],
    }
    assert PlayRecord.objects.get().in_package is False


def test_a_bad_token_is_refused_like_the_pull_and_stores_nothing(client, published, now):
    screen, _package, placement = published
    batch = {"plays": [play(f"placement-{placement.pk}", at(28, 8))]}

    for token in ["", "wrong", screen.token + "x"]:
        response = post(client, screen, batch, token=token)
        assert response.status_code == 404 and response.content == b"Not Found"
    assert client.get(f"/led/screens/{screen.pk}/plays", {"token": screen.token}).status_code == 405
    assert not PlayRecord.objects.exists()


HOSTILE_ROWS = [
    ("not a dict", "每条记录应为包含"),
    (
        {"item": "", "start": "2026-11-28T08:00:00+08:00", "end": "2026-11-28T08:01:00+08:00"},
        "条目",
    ),
    ({"item": "x" * 101, "start": "2026-11-28T08:00", "end": "2026-11-28T08:01"}, "100 个字符"),
    ({"item": "a\x00b", "start": "2026-11-28T08:00", "end": "2026-11-28T08:01"}, "控制字符"),
    ({"item": "a", "start": "昨天", "end": "2026-11-28T08:01"}, "不是有效的时间"),
    ({"item": "a", "start": "2026-02-30T08:00", "end": "2026-11-28T08:01"}, "不是有效的时间"),
    ({"item": "a", "start": 1732780800, "end": "2026-11-28T08:01"}, "ISO 8601"),
    ({"item": "a", "start": "2026-11-28T09:00", "end": "2026-11-28T08:00"}, "早于开始"),
    ({"item": "a", "start": "2026-12-28T09:00", "end": "2026-12-28T09:01"}, "未来"),
    ({"item": "a", "start": "2020-01-01T09:00", "end": "2020-01-01T09:01"}, "400 天"),
    ({"item": "a", "start": "2026-11-28T08:00", "end": "2026-11-28T08:01", "count": -1}, "次数"),
    ({"item": "a", "start": "2026-11-28T08:00", "end": "2026-11-28T08:01", "count": 10**9}, "次数"),
    ({"item": "a", "start": "2026-11-28T08:00", "end": "2026-11-28T08:01", "count": True}, "次数"),
]


def test_hostile_rows_are_refused_one_by_one_and_good_rows_kept(client, published, now):
    screen, _package, placement = published
    good = play(f"placement-{placement.pk}", at(28, 8))
    rows = [row for row, _reason in HOSTILE_ROWS] + [good]

    body = post(client, screen, {"plays": rows}).json()

    assert body["accepted"] == 1
    assert [entry["row"] for entry in body["rejected"]] == list(range(len(HOSTILE_ROWS)))
    for entry, (_row, reason) in zip(body["rejected"], HOSTILE_ROWS, strict=True):
        assert reason in entry["error"], entry
    assert PlayRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"\xff\xfe not json", 400),
        ("[]", 400),
        ('{"plays": "all of them"}', 400),
        (json.dumps({"plays": [{}] * (proof.MAX_BATCH + 1)}), 413),
        (b"{" + b" " * (1024 * 1024 + 1) + b"}", 413),
    ],
)
def test_malformed_batches_are_refused_whole(client, published, body, status, now):
    screen, _package, _placement = published
    assert post(client, screen, body).status_code == status
    assert not PlayRecord.objects.exists()


def test_a_time_without_offset_is_beijing_time(client, published, now):
    screen, _package, placement = published
    row = {
        "item": f"placement-{placement.pk}",
        "start": "2026-11-28 08:00:00",
        "end": "2026-11-28 08:00:10",
    }
    post(client, screen, {"plays": [row]})
    assert PlayRecord.objects.get().started_at == at(28, 8)


def test_plays_write_no_delivery_records(client, published, now):
    screen, _package, placement = published
    before = DeliveryRecord.objects.count()
    post(client, screen, {"plays": [play(f"placement-{placement.pk}", at(28, 8))]})
    assert DeliveryRecord.objects.count() == before


def login(client, codenames):
    group = Group.objects.create(name=f"plays-{len(codenames)}-{'-'.join(codenames)}")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="led", codename__in=codenames),
    )
    user = get_user_model().objects.create_user(username=group.name[:150], password="x")
    user.groups.add(group)
    client.force_login(user)


def upload(client, screen, data: bytes, name="log.csv"):
    return client.post(
        f"/admin/led/screens/{screen.pk}/plays/",
        {"log": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_operator_uploads_a_play_log_and_sees_every_refused_row(client, published, now):
    screen, _package, placement = published
    login(client, ["view_screen", "view_playrecord", "add_playrecord"])
    key = f"placement-{placement.pk}"
    log = "\r\n".join(
        [
            "条目,开始,结束,次数",
            f"{key},2026-11-28 08:00:00,2026-11-28 08:00:10,2",
            f"{key},2026-11-27 08:00:00,2026-11-27 08:00:10,1",
            '=HYPERLINK("http://evil"),2026-11-28 08:00:00,2026-11-28 08:00:10,1',
            f"{key},not a time,2026-11-28 08:00:10,1",
            f"{key},2026-11-28 09:00:00",
            f"{key},2026-11-28 08:00:00,2026-11-28 08:00:10,2",
            "",
        ]
    ).encode("gb18030")

    response = upload(client, screen, log)

    assert response.status_code == 200
    page = response.content.decode()
    assert "读取 6 行：新记录 3 条，重复（已有）1 条。" in page
    assert "第 4 行：=HYPERLINK(&quot;http://evil&quot;)" in page  # kept, flagged, escaped
    assert "第 5 行：start 不是有效的时间" in page
    assert "第 6 行：列数与表头不符。" in page
    assert PlayRecord.objects.filter(source="upload").count() == 3
    assert PlayRecord.objects.filter(in_package=False).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空文件"),
        (b"\n\n", "表头缺少列"),
        (b"name,when\r\nx,y\r\n", "表头缺少列"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd", "不是文本文件"),
        (b"item,start,end\n" + b"a" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_a_file_that_is_no_play_log_is_refused_with_a_reason(client, published, data, message, now):
    screen, _package, _placement = published
    login(client, ["view_screen", "view_playrecord", "add_playrecord"])
    response = upload(client, screen, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlayRecord.objects.exists()


def test_who_may_see_and_upload_play_logs(client, published, now):
    screen, _package, _placement = published
    url = f"/admin/led/screens/{screen.pk}/plays/"
    login(client, [])
    assert client.get(url).status_code in (302, 403)
    login(client, ["view_screen", "view_playrecord"])
    assert client.get(url).status_code == 200
    assert "上传播放日志" not in client.get(url).content.decode()
    assert upload(
        client, screen, b"item,start,end\na,2026-11-28 08:00,2026-11-28 08:01\n"
    ).status_code in (302, 403)
    assert not PlayRecord.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_operator_group_may_upload_play_logs():
    group = Group.objects.get(name="显示屏操作员")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_playrecord", "add_playrecord"} <= codenames


def test_screen_days_come_from_plays_where_there_are_any_and_from_pulls_otherwise(
    published, make_screen, now
):
    screen, package, placement = published
    quiet = make_screen(64, 16)
    quiet_package, _new = services.screen_package_refresh(screen=quiet)
    key = f"placement-{placement.pk}"
    proof.plays_record(
        screen=screen,
        rows=[
            # 23:30 to 00:30 Beijing time: both days were played.
            play(key, at(25, 23) + datetime.timedelta(minutes=30), minutes=60),
            play("placement-99999", at(27, 9)),  # not ours: no screen-day
        ],
        source=PlayRecord.Source.ENDPOINT,
    )
    for target, moment in [(screen, at(26, 10)), (screen, at(27, 10)), (screen, at(28, 10))]:
        pull = PullLog.objects.create(
            screen=target, package=package, resource="package.zip", status_code=200
        )
        PullLog.objects.filter(pk=pull.pk).update(requested_at=moment)
    refused = PullLog.objects.create(screen=screen, resource="package.zip", status_code=404)
    PullLog.objects.filter(pk=refused.pk).update(requested_at=at(24, 10))

    days = proof.screen_days(
        [screen.outlet_id, quiet.outlet_id],
        datetime.date(2026, 11, 24),
        datetime.date(2026, 11, 27),
    )

    assert days == {
        (screen.outlet_id, datetime.date(2026, 11, 25)): "proof_of_play",
        (screen.outlet_id, datetime.date(2026, 11, 26)): "proof_of_play",
        (screen.outlet_id, datetime.date(2026, 11, 27)): "pull_log",
    }
    assert quiet_package is None
