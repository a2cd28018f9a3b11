"""Admin URLs of the LED screens (mounted under /admin/led/ by wagtail_hooks)."""

from django.urls import path

from . import admin_views

app_name = "led_admin"
urlpatterns = [
    path("", admin_views.screen_index, name="index"),
    path("screens/<int:screen_id>/", admin_views.screen_detail, name="screen"),
    path(
        "screens/<int:screen_id>/preview/<int:placement_id>/<str:view>/",
        admin_views.placement_preview,
        name="preview",
    ),
    path("screens/<int:screen_id>/plays/", admin_views.play_log, name="plays"),
    path("screens/<int:screen_id>/token/", admin_views.token_rotate, name="token_rotate"),
    path("screens/<int:screen_id>/export/", admin_views.export_start, name="export"),
    path("screens/<int:screen_id>/insertions/", admin_views.insertion_create, name="insertion"),
    path("export-jobs/<int:job_id>/", admin_views.export_status, name="export_status"),
    path(
        "packages/<int:package_id>/download/", admin_views.package_download, name="package_download"
    ),
    path(
        "packages/<int:package_id>/withdraw/",
        admin_views.insertion_withdraw,
        name="insertion_withdraw",
    ),
    path("pages/<int:page_id>/", admin_views.page_previews, name="page"),
]
