"""Small helpers shared by the quarantine and archive views (docs/quarantine.md)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.models import AuditEvent
from audit.services import Actor
from mailflow.quarantine import permissions

# Pages that show a stored message: nothing loads from elsewhere, nothing runs.
MESSAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def console_actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user, actor_type=AuditEvent.ActorType.CUSTOMER, ip=client_ip(request))


def end_user_actor(request: HttpRequest, recipient: str) -> Actor:
    return Actor(type=AuditEvent.ActorType.END_USER, name=recipient, ip=client_ip(request))


def console_role_required(view):
    """A customer console view for administrators and sub-administrators; passes ``role``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.tenant is None:
            return render(request, "forbidden.html", status=403)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        role = permissions.console_role(request.user)
        if role is None:
            return render(request, "forbidden.html", status=403)
        return view(request, *args, role=role, **kwargs)

    return wrapped


def with_csp(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = MESSAGE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
