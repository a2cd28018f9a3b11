"""Login throttling (django-axes): whose address a login comes from, and the lockout page."""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the one the trusted proxies saw.

    Each of the ``TRUSTED_PROXY_COUNT`` proxies appends the address it was called from to
    X-Forwarded-For, so the client is that many entries from the right; anything further
    left was written by the client and proves nothing. A header shorter than that, or not
    an address, means the request did not come through the proxies: the socket's peer is
    used then.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def lockout_message(request: HttpRequest | None = None) -> str:
    """What a locked-out login is told, with the lockout's length in minutes."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    return ngettext(
        "登录失败次数过多，该账号或本机地址已被暂时锁定。请 %(minutes)d 分钟后再试，或请系统管理员解锁。",
        "登录失败次数过多，该账号或本机地址已被暂时锁定。请 %(minutes)d 分钟后再试，或请系统管理员解锁。",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The admin login page again, saying the login is locked (HTTP 429 with Retry-After).

    The password just typed is dropped; the user name stays filled in.
    """
    context = dict(getattr(original_response, "context_data", None) or {})
    form = context.get("form")
    form_class = type(form) if isinstance(form, LoginForm) else LoginForm
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context["form"] = form_class(request=request, initial={"username": username})
    context["lockout_message"] = lockout_message(request)
    response = render(request, "outreach_site/login_locked.html", context, status=429)
    response["Retry-After"] = str(int(get_cool_off(request).total_seconds()))
    return response
