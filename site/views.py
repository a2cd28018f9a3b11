"""Views of the project itself (not of a content app)."""

import posixpath

from django.conf import settings
from django.http import HttpResponseNotFound
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.static import serve

# What may be fetched from MEDIA_URL: Wagtail's images and their renditions, which carry no
# privacy. Documents go through Wagtail's document view and LED packages through the token
# pull or the admin download; anything else under MEDIA_ROOT is refused.
PUBLIC_MEDIA_FOLDERS = ("original_images/", "images/")


def serve_media(request, path: str):
    """Serve a public upload from MEDIA_ROOT in embedded runs, which have no front server.

    ``serve`` refuses paths that leave MEDIA_ROOT; uploads are cached by browsers for a
    day because Wagtail gives renditions unique names.
    """
    if not posixpath.normpath(path).lstrip("/").startswith(PUBLIC_MEDIA_FOLDERS):
        # As bare as a front server's answer: a file's existence is not told either way.
        return HttpResponseNotFound(b"Not Found", content_type="text/plain")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def favicon(request):
    """The site's icon at the address browsers try by themselves."""
    response = redirect(static("publicity/img/favicon.ico"))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
