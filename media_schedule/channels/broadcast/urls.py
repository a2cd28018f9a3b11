"""Public endpoints of the stations: as-run confirmation and the calendar feed."""

from django.urls import path

from . import views

urlpatterns = [
    path("broadcast/as-run/<str:token>/", views.asrun_page, name="broadcast_asrun"),
    path(
        "broadcast/as-run/<str:token>/clips/<int:clip_id>/",
        views.asrun_clip,
        name="broadcast_asrun_clip",
    ),
    path(
        "broadcast/calendar/<int:outlet_id>/<str:token>.ics",
        views.calendar_feed,
        name="broadcast_calendar",
    ),
]
