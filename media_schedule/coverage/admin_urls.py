"""Admin URLs of coverage (mounted under /admin/coverage/ by wagtail_hooks)."""

from django.urls import path

from . import views

app_name = "coverage"
urlpatterns = [
    path("", views.report, name="report"),
    path("export/", views.export, name="export"),
    path("cell/", views.cell, name="cell"),
    path("standard/", views.standard_index, name="standard"),
    path("standard/<int:standarditem_id>/", views.standard_item, name="item"),
    path(
        "standard/evidence/<int:itemevidence_id>/",
        views.item_evidence_file,
        name="item_evidence_file",
    ),
    path("archive/", views.archive_index, name="archive"),
    path("archive/start/", views.archive_start, name="archive_start"),
    path("archive/<int:archivejob_id>/status/", views.archive_status, name="archive_status"),
    path("archive/<int:archivejob_id>/download/", views.archive_download, name="archive_download"),
]
