"""A whole-response cache for anonymous visitors, and its invalidation.

Pages mark themselves cacheable with ``Cache-Control: public`` (``PublicPage.serve``); the
middleware stores such responses for visitors without a session, keyed by host, language and
full path, and serves them without touching the database.

Publishing anything, or setting or lifting a view restriction, changes a generation that is
part of every key, so the next request renders afresh. The generation has two parts, each
shared where it needs to be: a counter in the cache (shared by every process and machine when
``CACHE_URL`` points at Redis) and a stamp file (``PUBLICITY_PAGE_CACHE_STAMP``, under
``var/``) that every process on the machine sees, so that with the default per-process memory
cache a change made in the admin, or by the worker's scheduled publishing, retires the other
processes' copies at once instead of when they expire. Reading the stamp is one ``stat``.
"""

import hashlib
import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

logger = logging.getLogger(__name__)

GENERATION_KEY = "publicity:page-cache:generation"
SKIPPED_PREFIXES = ("/admin/", "/documents/", "/i18n/", "/django-admin/")


def cache_seconds() -> int:
    return getattr(settings, "PUBLICITY_PAGE_CACHE_SECONDS", 120)


def stamp_path() -> Path:
    """The file whose identity every process on this machine reads as the generation."""
    return Path(settings.PUBLICITY_PAGE_CACHE_STAMP)


def invalidate_page_cache() -> None:
    """Make every cached page stale in every process (called when content is published or
    changed, or a view restriction is set or lifted)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    path = stamp_path()
    # A new file renamed over the old one: readers see a new inode, never a half-made file.
    fresh = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh.touch()
        os.replace(fresh, path)
    except OSError as error:
        logger.warning("Page cache stamp %s not renewed: %s", path, error)


def current_generation() -> str:
    """A value that changes whenever published content changes."""
    try:
        stat = os.stat(stamp_path())
        stamp = f"{stat.st_ino}-{stat.st_mtime_ns}"
    except OSError:
        stamp = "0"
    return f"{cache.get_or_set(GENERATION_KEY, 0, None)}.{stamp}"


class AnonymousPageCacheMiddleware:
    """Serve stored copies of public pages to visitors who are not logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # With the cache switched off (a lifetime of 0) it is not read, and nothing is
        # stored only to expire at once.
        if cache_seconds() <= 0 or not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable_response(response):
            # The ETag travels with the copy so conditional requests never re-hash it.
            response.headers.setdefault("ETag", f'"{hashlib.md5(response.content).hexdigest()}"')
            headers = [(name, value) for name, value in response.headers.items()]
            cache.set(key, (response.status_code, headers, response.content), cache_seconds())
            response.headers["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(SKIPPED_PREFIXES)
        )

    @staticmethod
    def _cacheable_response(response) -> bool:
        cache_control = response.headers.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and "public" in cache_control
            and "private" not in cache_control
            and not response.cookies
        )

    @staticmethod
    def _key(request) -> str:
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
        digest = hashlib.sha1(raw.encode()).hexdigest()
        return f"publicity:page:{current_generation()}:{digest}"
