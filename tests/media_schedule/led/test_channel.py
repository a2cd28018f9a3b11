"""The led_screen adapter: default version, problems per screen, delivery receipts."""

import pytest

from media_schedule.channels import get_channel
from media_schedule.channels.base import DeliveryRequest, PermanentDeliveryError
from media_schedule.channels.led.adapter import LedChannel, shorten
from media_schedule.channels.led.models import Package
from media_schedule.models import Placement

pytestmark = pytest.mark.django_db


def request_for(placement) -> DeliveryRequest:
    return DeliveryRequest(
        placement_id=placement.pk,
        idempotency_key=str(placement.idempotency_key),
        attempt=1,
        page_id=placement.page_id,
        version=placement.version,
        outlet_config={},
        outlet_id=placement.outlet_id,
        outlet_name=placement.outlet.name,
    )


def test_registry_serves_the_led_adapter():
    assert isinstance(get_channel("led_screen"), LedChannel)


def test_default_version_shortens_title_and_summary(article):
    version = LedChannel().build_version(article)
    assert version["lines"][0] == "全民国防教育日主题活动在县文化广场举行"
    assert version["lines"][1] == "活动吸引了上千名群众参与"
    assert all(len(line) <= 24 for line in version["lines"])
    assert 6 <= version["dwell_seconds"] <= 20 and version["priority"] == 0


def test_shorten_cuts_at_a_comma_and_drops_trailing_punctuation():
    assert (
        shorten("驻地官兵与社区居民同台演出，二十余个节目展示军民鱼水情深", 20)
        == "驻地官兵与社区居民同台演出"
    )
    assert shorten("拥军优属，", 20) == "拥军优属"


def test_validate_reports_problems_for_each_screen(make_screen):
    strip = make_screen(64, 16)
    make_screen(1920, 1080, "full")
    channel = LedChannel()

    long_text = channel.validate({"lines": ["全民国防教育日主题活动在县文化广场举行"]})
    glyphs = channel.validate({"lines": ["拥军😀"], "outlet_id": strip.outlet_id})
    broken = channel.validate({"lines": [], "priority": 42})

    assert [(p.severity, p.screen_id) for p in long_text] == [("warning", strip.pk)]
    assert "滚动" in long_text[0].message and strip.name in long_text[0].message
    assert [(p.severity, p.field) for p in glyphs] == [("error", "lines")]
    assert "😀" in glyphs[0].message
    assert {p.field for p in broken} == {"lines", "priority"}


def test_validate_flags_a_missing_picture(make_screen):
    make_screen(1920, 1080, "full")
    problems = LedChannel().validate({"lines": ["双拥"], "picture_id": 987654})
    assert [(p.severity, p.field) for p in problems] == [("error", "picture_id")]
    assert "987654" in problems[0].message


def test_deliver_builds_the_package_and_names_the_version(make_screen, deliver_placement):
    screen = make_screen()
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    sending = deliver_placement(
        screen, {"lines": ["强军兴军从我做起"]}, status=Placement.Status.SENDING
    )

    receipt = LedChannel().deliver(request_for(sending))
    repeat = LedChannel().deliver(request_for(sending))

    package = Package.objects.get(screen=screen)
    assert receipt.external_id == f"led-{screen.pk}-v1"
    assert receipt.details["new_version"] and not repeat.details["new_version"]
    assert receipt.details["package_sha256"] == package.checksum
    assert [item["placement_id"] for item in package.manifest["items"]][-1] == sending.pk


def test_deliver_refuses_text_the_screen_cannot_draw(make_screen, deliver_placement):
    screen = make_screen()
    sending = deliver_placement(screen, {"lines": ["拥军😀"]}, status=Placement.Status.SENDING)
    with pytest.raises(PermanentDeliveryError, match="😀"):
        LedChannel().deliver(request_for(sending))
    assert not Package.objects.exists()


def test_deliver_to_an_outlet_without_a_screen_is_permanent(article):
    from media_schedule.models import Outlet

    outlet = Outlet.objects.create(name="未登记的屏", kind=Outlet.Kind.LED_SCREEN)
    placement = Placement.objects.create(
        page=article, outlet=outlet, version={"lines": ["双拥"]}, due_at="2025-08-01T08:00+08:00"
    )
    with pytest.raises(PermanentDeliveryError, match="没有关联显示屏"):
        LedChannel().deliver(request_for(placement))
