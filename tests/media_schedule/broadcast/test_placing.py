"""Placing items into occurrences (capacity, duplicates, cancelled occurrences), filling from a
pool (never over capacity, rotation) and spoken durations."""

import datetime

import pytest
import time_machine

from media_schedule.channels.broadcast.adapter import RadioChannel, version_seconds
from media_schedule.channels.broadcast.models import SlotBooking, SlotException
from media_schedule.channels.broadcast.occurrences import occurrence_of
from media_schedule.channels.broadcast.script import (
    integer_words,
    radio_script,
    speakable,
    spoken_seconds,
)
from media_schedule.channels.broadcast.services import (
    BookingError,
    best_fit,
    booking_place,
    slot_fill,
)
from media_schedule.models import Placement
from media_schedule.services import TransitionError, placement_cancel, placement_retry

from .conftest import local

NOW = local(2026, 11, 29, 9, 0)
OCCURRENCE = local(2026, 11, 30, 7, 30)


def radio_version(seconds: int, title="稿件") -> dict:
    # Four characters a second at the default pace.
    return {"title": title, "script": "双" * (seconds * 4), "item_type": "live_read"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_booking_makes_a_placement_due_before_the_occurrence(radio, make_slot, make_article):
    slot = make_slot(radio)
    article = make_article()

    booking = booking_place(
        page=article, slot=slot, original_start=OCCURRENCE, version=radio_version(30)
    )

    assert booking.planned_seconds == 30
    assert booking.position == 1
    placement = booking.placement
    assert placement.outlet == radio
    assert placement.status == Placement.Status.PLANNED
    assert placement.due_at == local(2026, 11, 30, 5, 30)
    assert placement.version["seconds"] == 30
    assert occurrence_of(slot, OCCURRENCE).booked_seconds == 30


def test_over_capacity_names_the_slot_the_date_and_the_seconds_over(radio, make_slot, make_article):
    slot = make_slot(radio, name="早间新闻", capacity_seconds=120)
    booking_place(
        page=make_article("一"), slot=slot, original_start=OCCURRENCE, version=radio_version(100)
    )

    with pytest.raises(BookingError) as error:
        booking_place(
            page=make_article("二"), slot=slot, original_start=OCCURRENCE, version=radio_version(45)
        )

    assert str(error.value) == (
        "“早间新闻”2026年11月30日 07:30 的场次超出容量 25 秒：已编排 100 秒，本条 45 秒，容量 120 秒。"
    )
    assert SlotBooking.objects.count() == 1
    assert Placement.objects.count() == 1


def test_exactly_full_is_allowed_and_a_cancelled_placement_frees_its_seconds(
    radio, make_slot, make_article
):
    slot = make_slot(radio, capacity_seconds=60)
    first = booking_place(
        page=make_article("一"), slot=slot, original_start=OCCURRENCE, version=radio_version(60)
    )
    Placement.objects.filter(pk=first.placement_id).update(status=Placement.Status.CANCELLED)

    second = booking_place(
        page=make_article("二"), slot=slot, original_start=OCCURRENCE, version=radio_version(60)
    )

    assert occurrence_of(slot, OCCURRENCE).booked_seconds == 60
    assert second.position == 2


def test_a_cancelled_item_comes_back_only_while_its_occurrence_has_room(
    radio, make_slot, make_article
):
    slot = make_slot(radio, name="早间新闻", capacity_seconds=60)
    first = booking_place(
        page=make_article("一"), slot=slot, original_start=OCCURRENCE, version=radio_version(40)
    )
    placement_cancel(placement=first.placement)
    booking_place(
        page=make_article("二"), slot=slot, original_start=OCCURRENCE, version=radio_version(30)
    )

    with pytest.raises(TransitionError) as error:
        placement_retry(placement=first.placement)

    assert str(error.value) == (
        "“早间新闻”2026年11月30日 07:30 的场次超出容量 10 秒：已编排 30 秒，本条 40 秒，容量 60 秒。"
    )
    first.placement.refresh_from_db()
    assert first.placement.status == Placement.Status.CANCELLED
    assert occurrence_of(slot, OCCURRENCE).booked_seconds == 30

    Placement.objects.exclude(pk=first.placement_id).update(status=Placement.Status.CANCELLED)
    placement_retry(placement=first.placement)
    assert first.placement.status == Placement.Status.PLANNED
    assert occurrence_of(slot, OCCURRENCE).booked_seconds == 40


def test_the_same_item_twice_in_one_occurrence_is_refused(radio, make_slot, make_article):
    slot = make_slot(radio, name="早间新闻")
    article = make_article("八一慰问")
    booking_place(page=article, slot=slot, original_start=OCCURRENCE, version=radio_version(10))

    with pytest.raises(BookingError) as error:
        booking_place(page=article, slot=slot, original_start=OCCURRENCE, version=radio_version(10))

    assert (
        str(error.value)
        == "“八一慰问”已编入“早间新闻”2026年11月30日 07:30 的场次，同一场次不重复编排。"
    )


def test_no_booking_into_a_cancelled_a_missing_or_a_past_occurrence(radio, make_slot, make_article):
    slot = make_slot(radio, name="早间新闻")
    SlotException.objects.create(slot=slot, original_start=OCCURRENCE, action="cancel")
    article = make_article()

    with pytest.raises(BookingError) as cancelled:
        booking_place(page=article, slot=slot, original_start=OCCURRENCE, version=radio_version(10))
    with pytest.raises(BookingError) as missing:
        booking_place(
            page=article,
            slot=slot,
            original_start=local(2026, 11, 30, 8, 0),
            version=radio_version(10),
        )
    with pytest.raises(BookingError) as past:
        booking_place(
            page=article,
            slot=slot,
            original_start=local(2026, 11, 29, 7, 30),
            version=radio_version(10),
        )

    assert (
        str(cancelled.value)
        == "“早间新闻”在 2026年11月30日 07:30 没有场次（规则不含此时间或已取消）。"
    )
    assert (
        str(missing.value)
        == "“早间新闻”在 2026年11月30日 08:00 没有场次（规则不含此时间或已取消）。"
    )
    assert str(past.value) == "“早间新闻”2026年11月29日 07:30 的场次已开始或已过，不能再编排。"


def test_an_empty_or_hostile_version_is_refused(radio, make_slot, make_article):
    slot = make_slot(radio)
    with pytest.raises(BookingError) as error:
        booking_place(
            page=make_article(),
            slot=slot,
            original_start=OCCURRENCE,
            version={"script": "  ", "item_type": "<script>"},
        )
    assert str(error.value) == "播音稿为空。；广播稿件类型须为口播或录音。"


def test_best_fit_is_closest_without_going_over():
    assert sorted(best_fit([70, 50, 40, 30], 120)) == [0, 1]
    assert sorted(best_fit([100, 45, 45, 30], 120)) == [1, 2, 3]
    assert best_fit([200, 130], 120) == []


def test_fill_never_goes_over_and_rotates_through_the_pool(radio, make_slot, make_article):
    slot = make_slot(radio, capacity_seconds=60)
    # 40, 30, 30 and 20 seconds of script at four characters a second.
    pool = [
        make_article(
            f"稿件{index}", body=[("paragraph", "<p>" + "双" * (seconds * 4 - 3) + "</p>")]
        )
        for index, seconds in enumerate([40, 30, 30, 20])
    ]
    lengths = {page.pk: version_seconds(RadioChannel().build_version(page), radio) for page in pool}
    assert sorted(lengths.values()) == [20, 30, 30, 40]

    aired: list[list[str]] = []
    day = OCCURRENCE
    for _round in range(4):
        bookings = slot_fill(slot=slot, original_start=day, pages=pool)
        assert sum(b.planned_seconds for b in bookings) <= 60
        aired.append(sorted(b.placement.page.title for b in bookings))
        day += datetime.timedelta(days=1)

    # Each round fills 60 seconds exactly; nobody airs a second time before all aired once.
    assert [sum(lengths[p.pk] for p in pool if p.title in titles) for titles in aired] == [60] * 4
    first_two = aired[0] + aired[1]
    assert sorted(set(first_two)) == ["稿件0", "稿件1", "稿件2", "稿件3"]


def test_fill_skips_items_already_in_the_occurrence(radio, make_slot, make_article):
    slot = make_slot(radio, capacity_seconds=60)
    article = make_article("已编排", body=[("paragraph", "<p>" + "双" * 37 + "</p>")])
    booking_place(page=article, slot=slot, original_start=OCCURRENCE)

    bookings = slot_fill(slot=slot, original_start=OCCURRENCE, pages=[article])

    assert bookings == []


def test_spoken_text_leaves_out_captions_tables_and_links_and_reads_numbers(make_article):
    article = make_article(
        "全县征兵报名人数增长3.5%",
        body=[
            (
                "paragraph",
                '<p>2026年11月29日18:30，共1200名青年报名，详见<a href="https://x.cn">通知</a>'
                " https://x.cn/a 。</p><table><tr><td>表格</td></tr></table>",
            ),
            ("quote", {"text": "参军光荣", "attribution": "标语"}),
        ],
    )

    assert radio_script(article) == (
        "全县征兵报名人数增长百分之三点五\n"
        "2026年11月29日十八点三十分，共一千二百名青年报名，详见通知 。\n"
        "参军光荣"
    )


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (105, "一百零五"),
        (1010, "一千零一十"),
        (10000, "一万"),
        (20500, "二万零五百"),
        (100000000, "一亿"),
    ],
)
def test_integers_in_words(number, words):
    assert integer_words(number) == words


def test_hostile_text_is_read_as_text():
    assert (
        speakable("<b>99%</b> 电话 010-12345678")
        == "<b>百分之九十九</b> 电话 零一零-一二三四五六七八"
    )


def test_duration_at_the_outlet_pace(radio):
    text = "我县开展走访慰问活动，向官兵致以节日问候。"
    assert spoken_seconds(text) == 5  # 19 voiced characters at 4 a second
    radio.config = {"chars_per_second": 3}
    assert version_seconds({"script": text}, radio) == 7
    radio.config = {"chars_per_second": "fast"}
    assert version_seconds({"script": text}, radio) == 5
    assert version_seconds({"lead_in": "导语四字", "clip_seconds": "12.2"}, radio) == 14
    assert version_seconds({"lead_in": "", "clip_seconds": "inf"}, radio) == 0


def test_the_general_schedule_form_sends_stations_to_their_slots(
    radio, tv, make_slot, make_article
):
    from media_schedule.services import outlet_version

    make_slot(radio)
    article = make_article()

    assert [p.message for p in outlet_version(outlet=radio, page=article).errors] == [
        "广播电台和电视台的稿件请在“广播电视”的当天页面编入播出时段，不能按任意时间排期。"
    ]
    assert [p.message for p in outlet_version(outlet=tv, page=article).errors] == [
        "“县电视台”还没有启用的播出时段，请先在“广播电视”中设置。",
        "广播电台和电视台的稿件请在“广播电视”的当天页面编入播出时段，不能按任意时间排期。",
    ]
