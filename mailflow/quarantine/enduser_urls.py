"""End-user digest-link URLs of a customer (``/q/``), reached without login (docs/quarantine.md)."""

from django.urls import path

from mailflow.quarantine import enduser

app_name = "enduser"
urlpatterns = [
    path("list/<str:token>/", enduser.held_list, name="list"),
    path("view/<str:token>/", enduser.view, name="view"),
    path("release/<str:token>/", enduser.release, name="release"),
    path("allow-sender/<str:token>/", enduser.allow_sender, name="allow_sender"),
]
