"""URLs of a customer's console (the customer's schema)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from spe import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("quarantine/", include("mailflow.quarantine.urls")),
    path("archive/", include("mailflow.archive.urls")),
    path("q/", include("mailflow.quarantine.enduser_urls")),
]
