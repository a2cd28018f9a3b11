"""Template helpers for the public site: Chinese dates, navigation and breadcrumbs."""

import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext, gettext_noop

from publicity import selectors

register = template.Library()

# Date formats per (language, source format). A listing formats dozens of dates, and every
# catalog miss walks the whole chain of fallback catalogs; the catalogs are read once per
# process, so their answer cannot change.
_FORMATS: dict[tuple[str | None, str], str] = {}


def _local_format(source: str) -> str:
    key = (get_language(), source)
    if key not in _FORMATS:
        _FORMATS[key] = gettext(source)
    return _FORMATS[key]


@register.filter
def cn_date(value) -> str:
    """``2025年8月1日`` for a date or (local) datetime; the English catalog spells it its way."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, _local_format(gettext_noop("Y年n月j日")))


@register.filter
def cn_datetime(value) -> str:
    """``2025年8月1日 14:30`` in Asia/Shanghai."""
    if not value:
        return ""
    return dateformat.format(
        timezone.localtime(value), _local_format(gettext_noop("Y年n月j日 H:i"))
    )


@register.filter
def cn_weekday(value) -> str:
    """``星期六`` for a date (Django's own weekday names)."""
    return dateformat.format(value, "l") if value else ""


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or ``None``."""
    return mapping.get(key) if mapping else None


@register.simple_tag
def consent_days_left(page):
    """Days until the exemplar's consent lapses (negative once lapsed), or ``None``."""
    if page.consent_review_date is None:
        return None
    return (page.consent_review_date - timezone.localdate()).days


@register.simple_tag(takes_context=True)
def site_navigation(context) -> dict:
    """The site's name, home URL and top-level live columns: the page's own copy when it
    built one, else read for this request (views outside the page tree, such as search)."""
    navigation = context.get("navigation")
    if navigation is None:
        navigation = selectors.site_navigation(selectors.PageLinks(context.get("request")))
    return navigation
