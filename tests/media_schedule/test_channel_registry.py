"""The adapter registry: a mistyped adapter path stops start-up with its name."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from media_schedule.channels.led.adapter import LedChannel
from media_schedule.channels.registry import get_channel, load_channels
from media_schedule.channels.website.adapter import WebsiteChannel
from media_schedule.channels.wechat.adapter import WeChatChannel
from tests.support.worker import REPO, child_environment


def test_every_built_in_kind_has_its_adapter():
    loaded = load_channels()

    assert loaded["website"] is WebsiteChannel
    assert loaded["wechat"] is WeChatChannel
    assert loaded["led_screen"] is LedChannel


def test_a_path_to_nothing_is_a_configuration_error_naming_kind_and_path(settings):
    settings.OUTREACH_CHANNELS = {"wechat": "media_schedule.channels.wechat.adapter.WeChatChanel"}

    with pytest.raises(ImproperlyConfigured) as raised:
        load_channels()

    assert "'wechat'" in str(raised.value)
    assert "'media_schedule.channels.wechat.adapter.WeChatChanel'" in str(raised.value)


def test_a_path_to_something_that_is_no_adapter_is_refused(settings):
    settings.OUTREACH_CHANNELS = {"radio": "django.utils.timezone.now"}

    with pytest.raises(ImproperlyConfigured, match="is not a Channel subclass"):
        load_channels()


def test_an_unknown_kind_is_a_lookup_error():
    with pytest.raises(LookupError, match="'carrier_pigeon'"):
        get_channel("carrier_pigeon")


def test_the_system_does_not_start_with_a_mistyped_adapter_path():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=child_environment(OUTREACH_CHANNELS="tv=media_schedule.channels.tv.adapter.TvChannel"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert (
        "配置错误 (configuration error): OUTREACH_CHANNELS: the adapter of outlet kind 'tv', "
        "'media_schedule.channels.tv.adapter.TvChannel', cannot be imported"
    ) in result.stderr
