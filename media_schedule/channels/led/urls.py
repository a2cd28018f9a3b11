"""Public pull endpoints of the LED screens."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "led/screens/<int:screen_id>/manifest.json",
        views.pull_manifest,
        name="led_pull_manifest",
    ),
    path("led/screens/<int:screen_id>/files/<path:name>", views.pull_file, name="led_pull_file"),
    path("led/screens/<int:screen_id>/plays", views.report_plays, name="led_report_plays"),
]
