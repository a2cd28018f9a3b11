from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_index, name="index"),
    path("bulk/", views.inbox_bulk, name="bulk"),
    path("<int:entry_id>/", views.entry_detail, name="entry"),
    path("<int:entry_id>/import/", views.entry_import_view, name="import"),
    path("<int:entry_id>/ignore/", views.entry_ignore_view, name="ignore"),
    path("<int:entry_id>/restore/", views.entry_restore_view, name="restore"),
]
