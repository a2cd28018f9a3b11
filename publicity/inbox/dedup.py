"""Keys that recognise one item across polls and across sources.

Three keys, any one of which matching makes two sightings the same entry: the entry's id
(scoped to its source unless it is a URL, URN or tag URI, which name the item globally),
its canonical link, and a hash of its normalised title and publication day (Beijing time),
which catches a story republished by a neighbour under its own id and address.
"""

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils import timezone

# Query parameters that track a click, not name a page.
_TRACKING = re.compile(r"^(utm_\w+|spm|from|isappinstalled|scene|share_\w+)$", re.IGNORECASE)
_GLOBAL_ID = re.compile(r"^(https?://|urn:|tag:)", re.IGNORECASE)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def canonical_link(url: str) -> str:
    """The link with scheme and host lower-cased, the default port, fragment, tracking
    parameters and a trailing slash removed, and the query sorted; http and https are
    one address."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host:
        return ""
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("http", host, path, urlencode(query), ""))


def normalised_title(title: str) -> str:
    """The title in NFKC, lower case, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def entry_keys(*, source_id: int, guid: str, link: str, title: str, published_at) -> dict:
    """The three de-duplication keys of an entry (empty where it lacks the part)."""
    if guid and not _GLOBAL_ID.match(guid):
        guid = f"{source_id}:{guid}"
    content = ""
    title_part = normalised_title(title)
    if title_part and published_at is not None:
        content = f"{title_part}|{timezone.localtime(published_at).date().isoformat()}"
    return {
        "guid_key": _digest(guid),
        "link_key": _digest(canonical_link(link)),
        "content_key": _digest(content),
    }
