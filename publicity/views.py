"""Public views outside the page tree: search."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .search import search as run_search


def search(request):
    """The site search: Chinese substrings, title matches first, ten a page."""
    results = run_search(request.GET.get("q", ""), request.GET.get("page") or 1, request=request)
    response = TemplateResponse(
        request,
        "publicity/search.html",
        {"results": results, "page_title": _("搜索")},
        status=400 if results.error and results.query else 200,
    )
    patch_cache_control(
        response, public=True, max_age=getattr(settings, "PUBLICITY_PAGE_MAX_AGE", 300)
    )
    return response
