"""Template helpers for the public site: Chinese dates, navigation and breadcrumbs."""

import datetime

from django import template
from django.core.cache import cache
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from publicity.cache import current_generation

register = template.Library()

DEFAULT_SITE_NAME = _("双拥专栏")
# The generation in the key already retires the entry on every publish.
NAVIGATION_CACHE_SECONDS = 600


@register.filter
def cn_date(value) -> str:
    """``2025年8月1日`` for a date or (local) datetime; the English catalog spells it its way."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, gettext("Y年n月j日"))


@register.filter
def cn_datetime(value) -> str:
    """``2025年8月1日 14:30`` in Asia/Shanghai."""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value), gettext("Y年n月j日 H:i"))


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
    """The site's name, home URL and top-level live columns, cached until the next publish."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return {"site_name": DEFAULT_SITE_NAME, "home_url": "/", "items": []}
    key = f"publicity:nav:{current_generation()}:{site.pk}"
    navigation = cache.get(key)
    if navigation is None:
        home = site.root_page
        columns = home.get_children().live().in_menu().order_by("path")
        items = [{"title": column.title, "url": column.get_url(request)} for column in columns]
        home_url = home.get_url(request)
        navigation = {
            "site_name": site.site_name or DEFAULT_SITE_NAME,
            "home_url": home_url,
            "items": [{"title": _("首页"), "url": home_url}, *items],
        }
        cache.set(key, navigation, NAVIGATION_CACHE_SECONDS)
    return navigation
