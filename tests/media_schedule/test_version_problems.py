"""Errors in an outlet's version stop scheduling; warnings are shown and let it through."""

import datetime

import pytest
from django.utils import timezone, translation

from media_schedule.channels import Channel, VersionProblem
from media_schedule.models import Outlet, Placement
from media_schedule.services import TransitionError, outlet_version, placements_schedule
from tests.support.schedule_pages import draft_article


class WarningChannel(Channel):
    """Builds a version in whatever language is active and always warns."""

    kind = "website"

    def build_version(self, page):
        return {"label": translation.gettext("发布渠道")}

    def validate(self, version, page=None, outlet=None):
        return [VersionProblem("label", "标语较长，小屏上将滚动显示。", severity="warning")]


class ErrorChannel(WarningChannel):
    def validate(self, version, page=None, outlet=None):
        return [
            *super().validate(version, page, outlet),
            VersionProblem("label", "标题超出 5 字"),
        ]


@pytest.fixture
def outlet(db):
    return Outlet.objects.create(name="门户网站", kind=Outlet.Kind.WEBSITE)


def due():
    return timezone.now() + datetime.timedelta(hours=1)


def test_a_warning_does_not_stop_scheduling(settings, outlet):
    settings.OUTREACH_CHANNELS = {"website": f"{__name__}.WarningChannel"}
    page = draft_article()

    preview = outlet_version(outlet=outlet, page=page)
    placements = placements_schedule(page=page, entries=[(outlet, due())])

    assert preview.ok and preview.errors == [] and len(preview.warnings) == 1
    assert [placement.outlet for placement in placements] == [outlet]


def test_an_error_stops_scheduling_and_saves_nothing(settings, outlet):
    settings.OUTREACH_CHANNELS = {"website": f"{__name__}.ErrorChannel"}
    page = draft_article()

    with pytest.raises(TransitionError, match="标题超出 5 字"):
        placements_schedule(page=page, entries=[(outlet, due())])

    assert not Placement.objects.exists()


def test_the_outgoing_version_is_in_the_site_language_for_an_english_editor(settings, outlet):
    settings.OUTREACH_CHANNELS = {"website": f"{__name__}.WarningChannel"}
    page = draft_article()

    with translation.override("en"):
        preview = outlet_version(outlet=outlet, page=page)

    assert preview.version == {"label": "发布渠道"}
