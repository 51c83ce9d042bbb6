"""Quarantine URLs of a customer console (``/quarantine/``) (docs/quarantine.md)."""

from django.urls import path

from mailflow.quarantine import views

app_name = "quarantine"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("<int:item_id>/", views.item_detail, name="item"),
    path("<int:item_id>/download/", views.item_download, name="download"),
    path("<int:item_id>/<slug:action>/", views.item_action, name="action"),
]
