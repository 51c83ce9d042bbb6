"""URLs of the provider's own site (public schema)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from spe import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
