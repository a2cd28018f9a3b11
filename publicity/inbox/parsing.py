"""Feed bytes to clean entries: refuse entity declarations, settle the encoding, parse
with feedparser from memory and sanitise every field (``sanitise``)."""

import codecs
import datetime
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
from django.utils import timezone
from django.utils.translation import gettext as _

from .sanitise import clean_html, plain_text, text_to_html


class FeedError(Exception):
    """Bytes that are not a feed we can use, worded for an editor."""


@dataclass
class ParsedEntry:
    """One entry, every field already sanitised."""

    guid: str
    link: str
    title: str
    summary: str
    content_html: str
    author: str
    published_at: datetime.datetime | None


@dataclass
class ParsedFeed:
    title: str
    version: str
    entries: list[ParsedEntry]
    # Set when the feed was damaged but some entries could still be read.
    warning: str = ""


# Any entity declaration, or a DOCTYPE with an internal subset, may be an expansion bomb
# ("billion laughs") or reach for outside files. Feeds have no use for either; feedparser's
# own defence is a line-anchored regular expression that a one-line DOCTYPE walks past.
_ENTITY = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
# GB2312 and GBK feeds often use characters only their superset GB18030 has.
_GB_FAMILY = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "gb18030", "hz-gb-2312"}
_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def refuse_entities(data: bytes) -> None:
    """Raise :class:`FeedError` if the document declares entities or an internal DTD."""
    # UTF-16 and UTF-32 put zero bytes between ASCII letters; without them the scan sees
    # the markup in any of the encodings a feed may use.
    if _ENTITY.search(data.replace(b"\x00", b"")):
        raise FeedError(
            _("订阅源含有 XML 实体声明（DOCTYPE/ENTITY），可能是“实体扩展炸弹”，已拒绝。")
        )


def _normal(name: str) -> str:
    name = name.strip().lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return ""
    return "gb18030" if name in _GB_FAMILY else name


def decode_feed(data: bytes, content_type: str = "") -> tuple[str, str]:
    """The feed's text and the encoding it was read with.

    The byte-order mark wins, then the HTTP charset, then the XML declaration. A GB2312 or
    GBK declaration is read as GB18030 (its superset). Bytes that do not decode with what
    was declared are tried as UTF-8 and then GB18030, the usual mistakes of Chinese sites;
    what fits none is read as UTF-8 with the broken characters replaced.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    declared = []
    match = _CHARSET.search(content_type or "")
    if match:
        declared.append(_normal(match.group(1)))
    match = _XML_DECLARATION.match(data)
    if match:
        declared.append(_normal(match.group(1).decode("ascii")))
    candidates = [name for name in declared if name]
    if "gb18030" in candidates:
        # A feed declared GBK that decodes as UTF-8 is UTF-8: real GBK text almost never
        # forms valid UTF-8 sequences, while GB18030 accepts almost any bytes.
        candidates.insert(0, "utf-8")
    for name in [*candidates, "utf-8", "gb18030"]:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", "replace"), "utf-8"


def _as_datetime(parsed) -> datetime.datetime | None:
    if not parsed:
        return None
    try:
        return datetime.datetime(*parsed[:6], tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        return None


def _entry_html(entry, base_url: str) -> str:
    contents = entry.get("content") or []
    detail = contents[0] if contents else entry.get("summary_detail")
    if not detail:
        return ""
    value = detail.get("value") or ""
    if (detail.get("type") or "").startswith("text/plain"):
        return text_to_html(value)
    return clean_html(value, base_url=detail.get("base") or base_url)


def _entry(entry, base_url: str) -> ParsedEntry:
    link = clean_link(entry.get("link") or "", base_url)
    published = _as_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
    if published and published > timezone.now() + datetime.timedelta(days=1):
        published = None  # a date in the future is a feed's mistake, not a scheduling hint
    summary_detail = entry.get("summary_detail") or {}
    return ParsedEntry(
        guid=plain_text(entry.get("id") or "")[:1000],
        link=link,
        title=plain_text(entry.get("title") or "")[:255] or _("（无标题）"),
        summary=plain_text(summary_detail.get("value") or "")[:300],
        content_html=_entry_html(entry, base_url),
        author=plain_text(entry.get("author") or "")[:100],
        published_at=published,
    )


def clean_link(value: str, base_url: str = "") -> str:
    """An entry's link if it is an absolute http(s) URL of sane length, else ``""``."""
    value = plain_text(value).strip()
    if base_url:
        value = urljoin(base_url, value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 1000:
        return ""
    return value


def parse_feed(data: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse feed bytes from memory; raise :class:`FeedError` for anything that is not a
    feed (or is a hostile one). A damaged feed that still yields entries is returned with a
    ``warning``."""
    refuse_entities(data)
    text, _encoding = decode_feed(data, content_type)
    # Handed over as UTF-8 with a matching declaration, so feedparser reads what we decided.
    body = _XML_DECLARATION.sub(b'<?xml version="1.0" encoding="utf-8"', text.encode("utf-8"), 1)
    # No content-location: feedparser would resolve a source's local guid ("1") against
    # it into an address shared by every source on the host. Links are resolved here.
    headers = {"content-type": "application/xml; charset=utf-8"}
    # nh3 sanitises and resolves links below; feedparser's own pass would turn a
    # javascript: link into a link to the feed itself rather than drop it.
    result = feedparser.parse(
        body, response_headers=headers, resolve_relative_uris=False, sanitize_html=False
    )
    version = result.get("version") or ""
    entries = [_entry(entry, url) for entry in result.entries]
    if not version and not entries:
        problem = result.get("bozo_exception")
        raise FeedError(
            _("不是有效的 RSS 或 Atom 订阅源%(detail)s。")
            % {"detail": _("（%(e)s）") % {"e": str(problem)[:200]} if problem else ""}
        )
    warning = ""
    if result.get("bozo") and not isinstance(
        result.get("bozo_exception"), feedparser.CharacterEncodingOverride
    ):
        warning = _("订阅源格式有误（%(e)s），已读取其中 %(n)d 条。") % {
            "e": str(result.get("bozo_exception"))[:200],
            "n": len(entries),
        }
    return ParsedFeed(
        title=plain_text(result.feed.get("title") or "")[:200],
        version=version,
        entries=entries,
        warning=warning,
    )
