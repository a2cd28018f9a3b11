"""Site resolution for the public pages in one query."""

import contextlib

from django.db.models import Q
from django.http.request import split_domain_port
from wagtail.models import Site

from .models import HomePage

# Wagtail's order of preference (wagtail.models.sites.get_site_for_hostname).
HOSTNAME_PORT, HOSTNAME_DEFAULT, DEFAULT, HOSTNAME = range(4)


def find_site(request) -> Site | None:
    """The site ``Site.find_for_request`` picks for ``request``, with its home page row
    already specific when it is a ``HomePage``.

    Wagtail ranks the candidate sites in SQL (an annotated, ordered query) and then reads the
    specific home page in a second query on every page view; here the candidates come with
    the home page's own row, and the same ranking runs in Python.
    """
    hostname = split_domain_port(request._get_raw_host())[0]
    try:
        port = int(request.get_port())
    except ValueError:
        port = None
    sites = list(
        Site.objects.filter(Q(hostname=hostname) | Q(is_default_site=True))
        .select_related("root_page__homepage")
        .order_by("pk")
    )

    def rank(site: Site) -> int:
        if site.hostname == hostname and site.port == port:
            return HOSTNAME_PORT
        if site.hostname == hostname and site.is_default_site:
            return HOSTNAME_DEFAULT
        return DEFAULT if site.is_default_site else HOSTNAME

    sites.sort(key=rank)
    if not sites:
        return None
    best = rank(sites[0])
    if len(sites) == 1 or best in (HOSTNAME_PORT, HOSTNAME_DEFAULT):
        site = sites[0]
    elif best == DEFAULT:
        # The default site, unless exactly one other site has this host name.
        site = sites[len(sites) == 2]
    else:
        return None
    # Another page type at the root keeps the plain row: Wagtail fetches its specific row.
    with contextlib.suppress(HomePage.DoesNotExist):
        site.root_page = site.root_page.homepage
    return site


class PublicSiteMiddleware:
    """Resolve the site of public page views with ``find_site``, where Wagtail looks for it
    first (``request._wagtail_site``, see ``Site.find_for_request``)."""

    PUBLIC_VIEWS = {"wagtail_serve", "publicity:search"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is not None
            and match.view_name in self.PUBLIC_VIEWS
            and not hasattr(request, "_wagtail_site")
        ):
            request._wagtail_site = find_site(request)
