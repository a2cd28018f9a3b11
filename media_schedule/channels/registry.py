"""Which adapter class serves which outlet kind.

Projects may add or replace adapters with the ``OUTREACH_CHANNELS`` setting
(``{"kind": "dotted.path.Class"}``). Every path is loaded when the app starts
(``load_channels``), so a mistyped one stops start-up with its name instead of turning up
later as a placement that could not be sent.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import Channel

CHANNELS: dict[str, str] = {
    "website": "media_schedule.channels.website.adapter.WebsiteChannel",
    "wechat": "media_schedule.channels.wechat.adapter.WeChatChannel",
    "led_screen": "media_schedule.channels.led.adapter.LedChannel",
    "bulletin_board": "media_schedule.channels.bulletin_board.adapter.BulletinBoardChannel",
    "newspaper": "media_schedule.channels.newspaper.adapter.NewspaperChannel",
    "radio": "media_schedule.channels.broadcast.adapter.RadioChannel",
    "tv": "media_schedule.channels.broadcast.adapter.TvChannel",
}


def channel_paths() -> dict[str, str]:
    """Every outlet kind with the dotted path of its adapter class."""
    return {**CHANNELS, **getattr(settings, "OUTREACH_CHANNELS", {})}


@cache
def _channel_class(path: str) -> type[Channel]:
    return import_string(path)


def load_channels() -> dict[str, type[Channel]]:
    """Import every configured adapter; ``ImproperlyConfigured`` names a path that does not
    lead to a :class:`Channel` subclass."""
    loaded = {}
    for kind, path in channel_paths().items():
        try:
            cls = _channel_class(path)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"OUTREACH_CHANNELS: the adapter of outlet kind {kind!r}, {path!r}, "
                f"cannot be imported: {error}"
            ) from error
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            raise ImproperlyConfigured(
                f"OUTREACH_CHANNELS: {path!r} (outlet kind {kind!r}) is not a Channel subclass."
            )
        loaded[kind] = cls
    return loaded


def get_channel(kind: str) -> Channel:
    """An adapter instance for an outlet kind; ``LookupError`` names the unknown kind."""
    try:
        path = channel_paths()[kind]
    except KeyError:
        raise LookupError(f"no channel adapter for outlet kind {kind!r}") from None
    return _channel_class(path)()
