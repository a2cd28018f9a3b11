"""Language selection for the public site, and the security headers of every response."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Activate the visitor's chosen language (cookie), else the site's default (zh-hans).

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored: a
    government column is Chinese unless the visitor picks English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to the request: a thread that serves an English page must not go on to
        # write English into rows (delivery errors, log entries) for other work.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Browser features no page of the site uses; video players may still go full screen.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "payment=()",
        "usb=()",
        "fullscreen=(self)",
    ]
)
# Wagtail's admin relies on inline scripts and styles: no policy there.
UNGUARDED_PREFIXES = ("/admin/",)
# Feeds and the sitemap are data: nothing may load or run in them, but a browser that shows
# one as a tree styles it with inline styles of its own.
XML_TYPES = {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml"}
XML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _origin(url: str) -> str | None:
    """The scheme and host of an absolute URL, for a policy's source list."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy() -> str:
    """The public pages' policy: everything from the site itself, no inline script or style.

    Uploads served from another host (an absolute ``MEDIA_URL``) and the players listed in
    ``CSP_FRAME_SRC`` are added to the sources that need them.
    """
    media = [origin] if (origin := _origin(settings.MEDIA_URL)) else []
    directives = {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *media],
        "media-src": ["'self'", *media],
        "frame-src": ["'self'", *settings.CSP_FRAME_SRC],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response outside the admin, Permissions-Policy on all.

    It sits outside the page cache, so a cached copy gets the same headers as a fresh page.
    A response that brings its own policy (Wagtail's document and image views) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()
        self.policy_header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A 304 carries no body and no type: the browser keeps the policy it stored with the
        # page, which a page policy sent here would replace (a feed would get the HTML one).
        if response.status_code == 304:
            return response
        if not request.path.startswith(UNGUARDED_PREFIXES) and not (
            "Content-Security-Policy" in response.headers
            or "Content-Security-Policy-Report-Only" in response.headers
        ):
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            xml = content_type in XML_TYPES
            response.headers[self.policy_header] = XML_POLICY if xml else self.policy
        return response
