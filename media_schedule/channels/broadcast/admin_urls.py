"""Admin URLs of radio and TV (mounted under /admin/broadcast/ by wagtail_hooks)."""

from django.urls import path

from . import admin_views

app_name = "broadcast_admin"
urlpatterns = [
    path("", admin_views.station_index, name="index"),
    path("slot-preview/", admin_views.slot_preview, name="slot_preview"),
    path("stations/<int:outlet_id>/<str:day>/", admin_views.day_view, name="day"),
    path("stations/<int:outlet_id>/<str:day>/place/", admin_views.place, name="place"),
    path("stations/<int:outlet_id>/<str:day>/fill/", admin_views.fill, name="fill"),
    path(
        "stations/<int:outlet_id>/<str:day>/rundown.<str:kind>",
        admin_views.rundown_download,
        name="rundown",
    ),
    path(
        "stations/<int:outlet_id>/<str:day>/confirmation-link/",
        admin_views.confirmation_link,
        name="confirmation_link",
    ),
    path(
        "stations/<int:outlet_id>/<str:day>/as-run/",
        admin_views.asrun_upload_view,
        name="asrun_upload",
    ),
    path("bookings/<int:booking_id>/", admin_views.booking_edit, name="booking"),
    path("bookings/<int:booking_id>/cancel/", admin_views.booking_cancel, name="booking_cancel"),
]
