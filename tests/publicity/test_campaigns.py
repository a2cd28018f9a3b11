"""Campaign targets as people say them, their arithmetic, the JSON migration and the form."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from publicity.campaign_targets import Target, assess, describe, parse_target, weekly_quota
from publicity.models import Campaign, CampaignTarget

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电视每周至少 2 条", Target("tv", 2, "week")),
        ("广播每天 1 次", Target("radio", 1, "day")),
        ("报纸活动期内 3 篇", Target("newspaper", 3, "campaign")),
        ("网络每周 3 条", Target("online", 3, "week")),
        ("户外屏全程滚动", Target("outdoor", 1, "continuous")),
        ("  电视台 每日 不少于 两 条。", Target("tv", 2, "day")),
        ("新媒体活动期间共十二条", Target("online", 12, "campaign")),
        ("LED屏每天至少3条", Target("outdoor", 3, "day")),
        ("广播每周二十次", Target("radio", 20, "week")),
    ],
)
def test_targets_are_read_as_people_say_them(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写目标，例如“电视每周至少 2 条”。"),
        ("每周 2 条", "“每周 2 条”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。"),
        (
            "电视 2 条",
            "“电视 2 条”没有说明期间：请写每天、每周、活动期内或全程滚动，例如“电视每周至少 2 条”。",
        ),
        ("电视每周若干条", "“电视每周若干条”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。"),
        ("电视每周 0 条", "“电视每周 0 条”的条数至少为 1。"),
        ("电视每周 5000 条", "“电视每周 5000 条”的条数超过 1000，请检查。"),
        ("电视每周 -2 条", "“电视每周 -2 条”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。"),
        (
            "电视每周 2 条<script>",
            "“电视每周 2 条<script>”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。",
        ),
        (
            "电视全程滚动起来",
            "“电视全程滚动起来”没有说明期间：请写每天、每周、活动期内或全程滚动，例如“电视每周至少 2 条”。",
        ),
    ],
)
def test_bad_targets_say_what_is_wrong(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_target(text)
    assert caught.value.messages == [message]


def test_describe_writes_targets_back_the_way_they_are_read():
    assert describe(Target("tv", 2, "week")) == "电视每周至少 2 条"
    assert describe(Target("radio", 1, "day")) == "广播每天至少 1 次"
    assert describe(Target("newspaper", 3, "campaign")) == "报纸活动期内至少 3 篇"
    assert describe(Target("outdoor", 1, "continuous")) == "户外屏全程滚动"
    for medium in ("tv", "radio", "newspaper", "online", "outdoor"):
        for per in ("day", "week", "campaign"):
            for count in (1, 7, 99, 1000):
                target = Target(medium, count, per)
                assert parse_target(describe(target)) == target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TV (items): at least 2 per week", Target("tv", 2, "week")),
        ("radio 1 per day", Target("radio", 1, "day")),
        ("Newspaper (articles): at least 3 over the campaign", Target("newspaper", 3, "campaign")),
        ("online 3 items weekly", Target("online", 3, "week")),
        ("Outdoor screens: throughout the campaign", Target("outdoor", 1, "continuous")),
    ],
)
def test_targets_typed_in_english_are_read_too(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "at least 2 per week",
            "“at least 2 per week”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。",
        ),
        (
            "TV 2 or 3 per week",
            "“TV 2 or 3 per week”的条数看不懂：请写成“每周至少 2 条”这样的数字加单位。",
        ),
        ("radio 0 per day", "“radio 0 per day”的条数至少为 1。"),
        ("TV 5000 per day", "“TV 5000 per day”的条数超过 1000，请检查。"),
    ],
)
def test_english_targets_that_cannot_be_read_are_refused_with_the_reason(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_target(text)
    assert caught.value.messages == [message]


def test_the_english_admin_reads_back_the_targets_it_writes():
    with translation.override("en"):
        assert describe(Target("tv", 2, "week")) == "TV (items): at least 2 per week"
        for medium in ("tv", "radio", "newspaper", "online", "outdoor"):
            for per in ("day", "week", "campaign", "continuous"):
                target = Target(medium, 1 if per == "continuous" else 7, per)
                assert parse_target(describe(target)) == target


def test_campaign_target_counts_items_over_the_window():
    target = Target("newspaper", 3, "campaign")
    short = assess(target, D(2026, 9, 1), D(2026, 9, 5), [D(2026, 9, 2), D(2026, 9, 9)])
    assert (short.planned, short.required, short.met) == (1, 3, False)
    assert short.lacking_days == [D(2026, 9, 1), D(2026, 9, 3), D(2026, 9, 4), D(2026, 9, 5)]
    done = assess(target, D(2026, 9, 1), D(2026, 9, 5), [D(2026, 9, 2)] * 3)
    assert (done.planned, done.required, done.met, done.lacking_days) == (3, 3, True, [])


def test_daily_and_continuous_targets_count_days():
    dates = [D(2026, 9, 1), D(2026, 9, 1), D(2026, 9, 2)]
    daily = assess(Target("radio", 2, "day"), D(2026, 9, 1), D(2026, 9, 3), dates)
    assert (daily.planned, daily.required) == (1, 3)
    assert daily.lacking_days == [D(2026, 9, 2), D(2026, 9, 3)]
    rolling = assess(Target("outdoor", 1, "continuous"), D(2026, 9, 1), D(2026, 9, 3), dates)
    assert (rolling.planned, rolling.required, rolling.lacking_days) == (2, 3, [D(2026, 9, 3)])


def test_weekly_targets_ask_a_share_of_partial_weeks():
    assert [weekly_quota(2, days) for days in range(1, 8)] == [1, 1, 1, 2, 2, 2, 2]
    assert weekly_quota(3, 2) == 1
    # 2026-09-04 is a Friday: three days of its week, then a full week, then two days.
    start, end = D(2026, 9, 4), D(2026, 9, 15)
    target = Target("tv", 2, "week")
    result = assess(target, start, end, [D(2026, 9, 5), D(2026, 9, 8), D(2026, 9, 14)])
    assert (result.planned, result.required, result.met) == (2, 3, False)
    assert result.lacking_days == [D(2026, 9, 7)] + [D(2026, 9, n) for n in range(9, 14)]


@pytest.mark.django_db
def test_the_migration_turns_json_targets_into_rows():
    # The function of migration 0006, given an old campaign row; migrating the shared test
    # database back and forth would also undo the apps that build on publicity.
    migration = importlib.import_module(
        "publicity.migrations.0006_campaign_targets_and_key_date_rules"
    )
    campaign = Campaign.objects.create(
        name="八一", slug="bayi", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 1)
    )
    campaign.coverage_targets = {"tv": 3, "radio": 5, "mars": 2, "online": "很多", "outdoor": 0}
    old_rows = SimpleNamespace(exclude=lambda **kwargs: [campaign])
    models = {"Campaign": SimpleNamespace(objects=old_rows), "CampaignTarget": CampaignTarget}
    apps = SimpleNamespace(get_model=lambda app, name: models[name])
    migration.targets_from_json(apps, None)
    rows = CampaignTarget.objects.filter(campaign=campaign).order_by("medium")
    assert [(t.medium, t.count, t.per) for t in rows] == [
        ("radio", 5, "campaign"),
        ("tv", 3, "campaign"),
    ]


@pytest.mark.django_db
def test_campaign_form_saves_targets_typed_one_per_line():
    from wagtail.admin.panels import ObjectList

    from publicity.forms import CampaignForm
    from publicity.models import Campaign as Model

    form_class = (
        ObjectList(Model.panels, base_form_class=CampaignForm).bind_to_model(Model).get_form_class()
    )
    data = {
        "name": "国防教育日宣传",
        "slug": "guofang",
        "starts_on": "2026-09-05",
        "ends_on": "2026-09-19",
        "targets_text": "电视每周至少 2 条\n\n广播每天 1 次\n户外屏全程滚动\n",
        "description": "",
    }
    form = form_class(data=data, instance=Model())
    assert form.is_valid(), form.errors
    campaign = form.save()
    assert [str(t) for t in campaign.targets.all()] == [
        "电视每周至少 2 条",
        "广播每天至少 1 次",
        "户外屏全程滚动",
    ]
    edit = form_class(instance=campaign)
    assert edit.initial["targets_text"] == "电视每周至少 2 条\n广播每天至少 1 次\n户外屏全程滚动"
    bad = form_class(
        data=data | {"targets_text": "电视每周至少 2 条\n电视每周 3 条\n火星每天 1 条"},
        instance=campaign,
    )
    assert not bad.is_valid()
    assert bad.errors["targets_text"] == [
        "第 2 行与第 1 行是同一媒介、同一期间的目标，请合并。",
        "第 3 行：“火星每天 1 条”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。",
    ]
    assert campaign.targets.count() == 3


@pytest.mark.django_db
def test_campaigns_and_key_dates_are_entered_through_admin_forms(client):
    from tests.support.roles import user_in_role

    client.force_login(user_in_role("宣传策划"))
    lantern = client.post(
        "/admin/snippets/publicity/keydate/add/",
        {
            "name": "元宵节",
            "calendar": "lunar",
            "month": 1,
            "day": 15,
            "offset_days": 0,
            "lead_days": 7,
        },
    )
    # The 宣传策划 role may add key dates; the new one is a lunar rule.
    assert lantern.status_code == 302, lantern.context["form"].errors if lantern.context else ""
    from publicity.models import KeyDate

    rule = KeyDate.objects.get(name="元宵节")
    assert (rule.calendar, rule.rule_display) == ("lunar", "农历1月15日")
    response = client.post(
        "/admin/snippets/publicity/campaign/add/",
        {
            "name": "元宵宣传",
            "slug": "yuanxiao",
            "starts_on": "2027-02-10",
            "ends_on": "2027-02-20",
            "key_date": rule.pk,
            "targets_text": "电视每周至少 2 条\n户外屏全程滚动",
            "description": "",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="yuanxiao")
    assert [str(t) for t in campaign.targets.all()] == ["电视每周至少 2 条", "户外屏全程滚动"]
    edit = client.get(f"/admin/snippets/publicity/campaign/edit/{campaign.pk}/").content.decode()
    assert "电视每周至少 2 条\n户外屏全程滚动</textarea>" in edit
    refused = client.post(
        f"/admin/snippets/publicity/campaign/edit/{campaign.pk}/",
        {
            "name": "元宵宣传",
            "slug": "yuanxiao",
            "starts_on": "2027-02-10",
            "ends_on": "2027-02-20",
            "targets_text": "电视<script>每周</script>",
            "description": "",
        },
    )
    assert refused.status_code == 200
    assert (
        "第 1 行：“电视&lt;script&gt;每周&lt;/script&gt;”没有说明期间" in refused.content.decode()
    )
    assert campaign.targets.count() == 2


@pytest.mark.django_db
def test_the_campaign_listing_shows_targets_as_people_say_them(client):
    from tests.support.roles import user_in_role

    campaign = Campaign.objects.create(
        name="八一宣传", slug="bayi", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 1)
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=2, per="week")
    CampaignTarget.objects.create(campaign=campaign, medium="outdoor", count=1, per="continuous")
    client.force_login(user_in_role("宣传策划"))
    html = client.get("/admin/snippets/publicity/campaign/").content.decode()
    assert "宣传目标" in html and "电视每周至少 2 条；户外屏全程滚动" in html


def test_several_lines_are_read_and_every_bad_one_reported():
    from publicity.campaign_targets import parse_targets

    assert parse_targets("电视每周至少 2 条\n\n  \n户外屏全程滚动") == [
        Target("tv", 2, "week"),
        Target("outdoor", 1, "continuous"),
    ]
    assert parse_targets("") == []
    with pytest.raises(ValidationError) as caught:
        parse_targets("电视每周2条\n电视每周 9 条\n报纸\n" + "网" * 5000)
    assert caught.value.messages[:3] == [
        "第 2 行与第 1 行是同一媒介、同一期间的目标，请合并。",
        "第 3 行：“报纸”没有说明期间：请写每天、每周、活动期内或全程滚动，例如“电视每周至少 2 条”。",
        "第 4 行：“" + "网" * 40 + "…”没有说明媒介：请以电视、广播、报纸、网络或户外屏开头。",
    ]
