"""Customer console pages for the archive: search, open, forward to oneself, export (docs/archive.md).

Customer administrators search everything; sub-administrators too. (End
users search their own mail through ``ArchiveQuery.for_address`` once the
end-user portal has a login.)
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mailflow.archive import selectors, services
from mailflow.archive.selectors import ArchiveQuery
from mailflow.quarantine.render import render as render_message
from mailflow.quarantine.services import QuarantineError
from mailflow.quarantine.webutil import console_actor, console_role_required, with_csp
from mailflow.store import StoreError, get_store

CRITERIA = ("sender", "recipient", "date_from", "date_to", "subject", "size_min", "size_max", "attachment", "text")


def query_from(params) -> tuple[ArchiveQuery, list[str]]:
    q, errors = ArchiveQuery(), []
    for name in CRITERIA:
        value = params.get(name, "").strip()
        if not value:
            continue
        try:
            if name.startswith("date_"):
                setattr(q, name, date.fromisoformat(value))
            elif name.startswith("size_"):
                setattr(q, name, int(value))
            else:
                setattr(q, name, value)
        except ValueError:
            errors.append(f"{name.replace('_', ' ')}: {value!r} is not valid")
    return q, errors


@console_role_required
def search(request: HttpRequest, role: str) -> HttpResponse:
    query, errors = query_from(request.GET)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    result = None if errors or (query.is_empty() and "go" not in request.GET) else selectors.page(query, number)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "archive/search.html", {"result": result, "errors": errors, "form": request.GET,
                                                   "params": params.urlencode()})


@console_role_required
def message(request: HttpRequest, message_id: int, role: str) -> HttpResponse:
    row = selectors.get_message(message_id)
    try:
        rendering = render_message(get_store().get(request.tenant.schema_name, row.store_key))
    except (KeyError, StoreError):
        rendering = None
    return with_csp(render(request, "archive/message.html", {"row": row, "rendering": rendering}))


@console_role_required
def download(request: HttpRequest, message_id: int, role: str) -> HttpResponse:
    row = selectors.get_message(message_id)
    try:
        data = services.download(request.tenant, row, actor=console_actor(request))
    except (KeyError, StoreError):
        return render(request, "quarantine/message.html", {"title": "Not available",
                      "text": "The stored message is no longer available."}, status=410)
    response = HttpResponse(data, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{row.spool_id}.eml"'
    return response


@require_POST
@console_role_required
def forward(request: HttpRequest, message_id: int, role: str) -> HttpResponse:
    row = selectors.get_message(message_id)
    to = request.user.email or request.user.get_username()
    try:
        services.forward(request.tenant, row, to=to, actor=console_actor(request))
        messages.success(request, f"A copy is on its way to {to}.")
    except QuarantineError as exc:
        messages.error(request, str(exc))
    except (KeyError, StoreError):
        messages.error(request, "The stored message is no longer available.")
    return redirect("archive:message", message_id=row.pk)


@console_role_required
def export(request: HttpRequest, role: str) -> HttpResponse:
    query, errors = query_from(request.GET)
    fmt = request.GET.get("format", "mbox")
    if errors or fmt not in ("mbox", "zip"):
        return render(request, "quarantine/message.html", {"title": "Export refused",
                      "text": "; ".join(errors) or "Unknown format."}, status=400)
    out, _count = services.export(request.tenant, query, fmt=fmt, actor=console_actor(request))
    name = f"archive-export.{fmt}"
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/mbox" if fmt == "mbox" else "application/zip")
