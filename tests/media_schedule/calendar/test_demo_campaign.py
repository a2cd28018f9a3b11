"""``load_demo_campaign``: the next key date gets a campaign with targets and placements, once."""

import io

import pytest
import time_machine
from django.core.management import call_command

from media_schedule.models import Placement
from publicity.models import Campaign, KeyDate
from tests.support.schedule_pages import approved_article

from .conftest import beijing

pytestmark = pytest.mark.django_db


@time_machine.travel(beijing(2026, 11, 30, 9), tick=False)
def test_the_demo_plans_a_campaign_for_the_next_key_date_once():
    approved_article("国家公祭日悼念活动")
    KeyDate.objects.create(name="国家公祭日", month=12, day=13, lead_days=7)
    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    call_command(
        "load_demo_schedule", wechat_base_url="http://127.0.0.1:9911", stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command("load_demo_campaign", stdout=out)
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.starts_on.isoformat(), campaign.ends_on.isoformat()) == (
        "国家公祭日宣传（2026）",
        "2026-12-06",
        "2026-12-13",
    )
    assert [str(t) for t in campaign.targets.all()] == [
        "电视每周至少 2 条",
        "广播每天至少 1 次",
        "报纸活动期内至少 2 篇",
        "网络每周至少 3 条",
        "户外屏全程滚动",
    ]
    by_medium = {}
    for medium in Placement.objects.filter(campaign=campaign).values_list(
        "outlet__medium", flat=True
    ):
        by_medium[medium] = by_medium.get(medium, 0) + 1
    # Radio and TV items are booked into a station's slots (the broadcast demo), not placed at
    # a free time: the calendar shows the campaign short of them.
    assert by_medium == {"newspaper": 2, "online": 4, "outdoor": 6}
    assert out.getvalue() == (
        "演示宣传活动已创建 (created): 国家公祭日宣传（2026）：campaigns 1，placements 12\n"
    )
    again = io.StringIO()
    call_command("load_demo_campaign", stdout=again)
    assert (
        again.getvalue() == "演示宣传活动已存在，未作改动 (nothing new): 国家公祭日宣传（2026）\n"
    )
    assert Campaign.objects.count() == 1
