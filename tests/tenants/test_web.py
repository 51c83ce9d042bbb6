"""The login pages and home pages, routed by host name or by /c/<slug>/."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import ConsoleDomain
from tests.factories import ProviderStaffFactory

pytestmark = pytest.mark.django_db


def test_provider_login_page_is_served():
    response = Client().get("/login/")
    assert response.status_code == 200
    assert b"Service provider console" in response.content


def test_customer_console_by_path_shows_that_customer(world):
    response = Client().get("/c/acme/login/")
    assert response.status_code == 200
    assert b"Acme Corporation" in response.content
    assert b"Globex" not in response.content


def test_unknown_customer_path_is_404(world):
    assert Client().get("/c/nobody/login/").status_code == 404


def test_customer_admin_signs_in_and_sees_only_own_domains(world):
    client = Client()
    username, password = world.acme_admin
    response = client.post("/c/acme/login/", {"username": username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/c/acme/"
    home = client.get("/c/acme/")
    assert b"acme.test" in home.content
    assert b"globex.test" not in home.content


def test_customer_admin_cannot_sign_in_to_another_customer(world):
    username, password = world.acme_admin
    response = Client().post("/c/globex/login/", {"username": username, "password": password})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_session_of_one_customer_is_not_valid_in_another(world):
    client = Client()
    client.post("/c/acme/login/", {"username": world.acme_admin[0], "password": world.acme_admin[1]})
    response = client.get("/c/globex/")
    assert response.status_code == 302
    assert "/c/globex/login/" in response["Location"]


def test_console_hostname_routes_to_customer(world):
    ConsoleDomain.objects.create(domain="mail.globex.localhost", tenant=world.globex, is_primary=True)
    response = Client(HTTP_HOST="mail.globex.localhost").get("/login/")
    assert b"Globex Inc." in response.content


def test_provider_staff_sees_all_customers_but_customer_admin_cannot_use_provider_console(world):
    ProviderStaffFactory(username="noc")
    client = Client()
    assert client.login(username="noc", password="correct horse battery")
    page = client.get("/")
    assert b"Acme Corporation" in page.content and b"Globex Inc." in page.content
    admin_login = {"username": world.acme_admin[0], "password": world.acme_admin[1]}
    assert Client().post("/login/", admin_login).status_code == 200


def test_customer_consoles_have_no_django_admin(world):
    client = Client()
    client.post("/c/acme/login/", {"username": world.acme_admin[0], "password": world.acme_admin[1]})
    assert client.get("/c/acme/admin/").status_code == 404  # provider-wide data is never reachable from a console


def test_provider_admin_refuses_customer_credentials(world):
    client = Client()
    response = client.post("/admin/login/", {"username": world.acme_admin[0], "password": world.acme_admin[1]})
    assert response.status_code == 200  # the form again: the customer's admin is no provider user
    assert client.get("/admin/tenants/customer/").status_code == 302
