"""URL configuration: admin, documents, search, feeds, sitemap, then Wagtail's page tree."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from .views import favicon, serve_media

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Exempt from CSRF so public pages carry no per-visitor token and can be cached whole;
    # the worst a forged request can do is switch someone's display language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Browsers ask for it on pages without a <link rel="icon">: feeds, the sitemap, files.
    path("favicon.ico", favicon, name="favicon"),
    path("", include("publicity.urls")),
    path("", include("media_schedule.urls")),
    path("", include("media_schedule.channels.broadcast.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded run has no front server: Django serves uploads itself, DEBUG on or off.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{prefix}(?P<path>.*)$", serve_media))

urlpatterns.append(path("", include(wagtail_urls)))
