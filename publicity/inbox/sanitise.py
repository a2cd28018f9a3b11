"""Every HTML field of a feed through nh3, down to what the site's article paragraphs allow
(``publicity.blocks.ArticleBodyBlock``: h2, h3, bold, italic, lists, links, hr).

feedparser's own sanitiser keeps ``form``, ``input`` and ``img`` with any ``src`` and leaves
text/plain alone; here links and images keep only http(s) addresses, no attribute but
``href``/``title`` and ``src``/``alt`` survives (so no ``on*`` handler or ``style``), and
plain text is escaped. Images stay in the stored HTML only so that an import can download
them; the inbox never shows them from their source (:func:`preview_html`).
"""

import html
import re

import nh3
from django.utils.translation import gettext as _

# What a paragraph block of an article body holds, in Wagtail's stored form.
SITE_TAGS = {"p", "br", "h2", "h3", "b", "i", "ol", "ul", "li", "a", "hr"}
# Kept through cleaning and then renamed to a site tag (see _RENAMES).
_RENAMED = {"strong", "em", "h1", "h4", "h5", "h6"}
# Removed with everything inside them, not just unwrapped.
_DROPPED_WITH_CONTENT = {
    "script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math",
    "form", "select", "textarea", "button", "title", "head",
}  # fmt: skip
_RENAMES = [
    (re.compile(r"<(/?)strong>"), r"<\1b>"),
    (re.compile(r"<(/?)em>"), r"<\1i>"),
    (re.compile(r"<(/?)h1>"), r"<\1h2>"),
    (re.compile(r"<(/?)h[456]>"), r"<\1h3>"),
]
_IMG = re.compile(r"<img\b[^>]*>")
_LINK_WITHOUT_ADDRESS = re.compile(r"<a>(.*?)</a>", re.DOTALL)
_IMG_WITHOUT_SOURCE = re.compile(r"<img\b(?![^>]*\bsrc=)[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def clean_html(value: str, *, base_url: str = "", images: bool = True) -> str:
    """``value`` reduced to the site's tags (plus ``img`` with ``images``); relative links
    resolved against ``base_url``, anything but http(s) dropped."""
    tags = SITE_TAGS | _RENAMED | ({"img"} if images else set())
    attributes = {"a": {"href", "title"}}
    if images:
        attributes["img"] = {"src", "alt"}
    relative = ("rewrite_with_base", base_url) if base_url.startswith("http") else "deny"
    try:
        cleaned = nh3.clean(
            value,
            tags=tags,
            clean_content_tags=_DROPPED_WITH_CONTENT,
            attributes=attributes,
            url_schemes={"http", "https"},
            url_relative=relative,
            link_rel=None,
            strip_comments=True,
        )
    except ValueError:
        # A base address nh3 cannot parse: relative links are dropped instead.
        return clean_html(value, images=images)
    for pattern, replacement in _RENAMES:
        cleaned = pattern.sub(replacement, cleaned)
    # A link or image whose address was not http(s) lost it: keep the link's words only,
    # and drop the image, as nothing is left to show or download.
    cleaned = _LINK_WITHOUT_ADDRESS.sub(r"\1", cleaned)
    return _IMG_WITHOUT_SOURCE.sub("", cleaned).strip()


def plain_text(value: str) -> str:
    """Text with every tag removed and entities decoded, whitespace collapsed.

    Cleaning repeats until nothing changes, so text that was escaped twice in the feed
    (``&amp;lt;script&amp;gt;``) cannot decode into markup.
    """
    text = value or ""
    for _round in range(4):
        stripped = html.unescape(
            nh3.clean(text, tags=set(), clean_content_tags=_DROPPED_WITH_CONTENT)
        )
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


def text_to_html(value: str) -> str:
    """Plain text as escaped paragraphs: blank lines part them, single newlines break."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value or "") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def image_sources(content_html: str) -> list[tuple[str, str]]:
    """``(src, alt)`` of every image in sanitised HTML, in order."""
    found = []
    for tag in _IMG.findall(content_html):
        attributes = {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(tag)}
        if attributes.get("src"):
            found.append((attributes["src"], attributes.get("alt", "")))
    return found


def preview_html(content_html: str) -> str:
    """Sanitised HTML for the inbox: each image replaced by a note naming it, so the
    editor's browser never asks the source's server for it."""

    def note(match):
        attributes = dict(_ATTRIBUTE.findall(match.group(0)))
        alt = attributes.get("alt", "")
        label = (
            _("〔图片：%(alt)s，导入时下载〕") % {"alt": alt} if alt else _("〔图片，导入时下载〕")
        )
        return f'<span class="inbox-image-note">{html.escape(html.unescape(label))}</span>'

    return _IMG.sub(note, content_html)


def split_at_images(content_html: str) -> list[tuple[str, str]]:
    """The content as ``("html", fragment)`` and ``("image", src)`` pieces in order, each
    fragment balanced again (and free of images) by a second cleaning."""
    pieces = []
    position = 0
    for match in _IMG.finditer(content_html):
        fragment = clean_html(content_html[position : match.start()], images=False)
        if fragment:
            pieces.append(("html", fragment))
        attributes = {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(match.group(0))}
        if attributes.get("src"):
            pieces.append(("image", attributes["src"]))
        position = match.end()
    tail = clean_html(content_html[position:], images=False)
    if tail:
        pieces.append(("html", tail))
    return pieces
