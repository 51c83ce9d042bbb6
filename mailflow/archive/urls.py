"""Archive URLs of a customer console (``/archive/``) (docs/archive.md)."""

from django.urls import path

from mailflow.archive import views

app_name = "archive"
urlpatterns = [
    path("", views.search, name="search"),
    path("export/", views.export, name="export"),
    path("<int:message_id>/", views.message, name="message"),
    path("<int:message_id>/download/", views.download, name="download"),
    path("<int:message_id>/forward/", views.forward, name="forward"),
]
