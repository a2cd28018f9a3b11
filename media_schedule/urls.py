"""Public endpoints of the scheduler (outlet callbacks, screen pulls)."""

from django.urls import include, path

urlpatterns: list = [path("", include("media_schedule.channels.led.urls"))]
