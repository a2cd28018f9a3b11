"""Views of the project itself (not of a content app)."""

from django.conf import settings
from django.views.static import serve


def serve_media(request, path: str):
    """Serve an upload from MEDIA_ROOT in embedded runs, which have no front server.

    ``serve`` refuses paths that leave MEDIA_ROOT; uploads are cached by browsers for a
    day because Wagtail gives renditions unique names.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
