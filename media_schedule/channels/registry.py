"""Which adapter class serves which outlet kind.

Projects may add or replace adapters with the ``OUTREACH_CHANNELS`` setting
(``{"kind": "dotted.path.Class"}``).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel

CHANNELS: dict[str, str] = {
    "website": "media_schedule.channels.website.WebsiteChannel",
    "wechat": "media_schedule.channels.wechat.WeChatChannel",
    "led_screen": "media_schedule.led.channel.LedChannel",
}


def channel_paths() -> dict[str, str]:
    return {**CHANNELS, **getattr(settings, "OUTREACH_CHANNELS", {})}


def get_channel(kind: str) -> Channel:
    """An adapter instance for an outlet kind; ``LookupError`` names the unknown kind."""
    try:
        path = channel_paths()[kind]
    except KeyError:
        raise LookupError(f"no channel adapter for outlet kind {kind!r}") from None
    return import_string(path)()
