"""The WeChat version as readers see it: the message card in the subscription list, the card
a forwarded article makes in a chat, and the article page at phone width.

The cover is shown through the 2.35:1 and 1:1 crop boxes the version sends to the platform,
so the editor sees what the platform will cut off. Body images are shown from this site's
storage, where the platform will show its own uploaded copies.
"""

import html
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .version import sanitise

# The version's crop names, and what the template calls them: the card's wide cover and the
# square thumbnail of a forwarded article.
CROPS = {"2.35_1": "wide", "1_1": "square"}


def crop_style(box: list[int], width: int, height: int) -> str:
    """CSS that shows only ``box`` of a ``width`` × ``height`` image inside a frame of the
    box's proportions: the image is enlarged and shifted; percentages of margins are of the
    frame's width, so one rule serves every frame size."""
    left, top, right, _bottom = box
    box_width = max(1, right - left)
    return (
        f"width: {width / box_width * 100:.4f}%; "
        f"margin-left: -{left / box_width * 100:.4f}%; "
        f"margin-top: -{top / box_width * 100:.4f}%;"
    )


def _cover(cover: dict[str, Any] | None) -> dict[str, Any] | None:
    if not cover or not cover.get("file") or not cover.get("width") or not cover.get("height"):
        return None
    shown = {"url": default_storage.url(cover["file"])}
    for name, key in CROPS.items():
        box = ((cover.get("crops") or {}).get(name) or {}).get("box")
        if box and len(box) == 4:
            shown[key] = crop_style(box, cover["width"], cover["height"])
    return shown


def _content(version: dict[str, Any]) -> SafeString:
    """The body, sanitised again (a stored version may have been edited), with each listed
    image pointing at this site's copy."""
    content = sanitise(version.get("content") or "")
    for image in version.get("images") or []:
        if image.get("src") and image.get("file"):
            local = default_storage.url(image["file"])
            content = content.replace(
                f'src="{html.escape(image["src"])}"', f'src="{html.escape(local)}"'
            )
    # Sanitised once more after the replacement, so nothing unsanitised is marked safe.
    return mark_safe(sanitise(content))


def render_preview(version: dict[str, Any], *, outlet=None) -> str:
    """The message card, the forwarded card and the article page, as safe HTML."""
    config = outlet.config if outlet is not None else {}
    account = config.get("account_name") or (outlet.name if outlet is not None else "")
    source = version.get("content_source_url") or ""
    return render_to_string(
        "media_schedule/channels/wechat/preview.html",
        {
            "account": account,
            "title": version.get("title") or "",
            "digest": version.get("digest") or "",
            "author": version.get("author") or config.get("author") or "",
            "cover": _cover(version.get("cover")),
            "content": _content(version),
            "source_url": source if source.startswith(("http://", "https://")) else "",
        },
    )
