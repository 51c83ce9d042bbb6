"""End-user digest-link URLs of a customer (``/q/``), reached without login (docs/quarantine.md)."""

from django.urls import path

from mailflow.quarantine import enduser

app_name = "enduser"
urlpatterns = [
    path("list/<str:token>/", enduser.held_list, name="list"),
    path("archive/<str:token>/", enduser.archive_search, name="archive"),
    path("archive/<str:token>/<int:message_id>/", enduser.archive_message, name="archive_message"),
    path("view/<str:token>/", enduser.view, name="view"),
    path("release/<str:token>/", enduser.release, name="release"),
    path("allow-sender/<str:token>/", enduser.allow_sender, name="allow_sender"),
]
