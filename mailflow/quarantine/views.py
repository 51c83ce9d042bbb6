"""Customer console pages for held mail: folders, list, item with actions (docs/quarantine.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mailflow.models import QuarantineFeedback, QuarantinePermission
from mailflow.quarantine import permissions, selectors, services
from mailflow.quarantine.render import render as render_message
from mailflow.quarantine.webutil import console_actor, console_role_required, with_csp
from mailflow.store import StoreError

PAGE_SIZE = 50
Action = QuarantinePermission.Action


@console_role_required
def item_list(request: HttpRequest, role: str) -> HttpResponse:
    folder = request.GET.get("folder", "").strip()
    recipient = request.GET.get("recipient", "").strip()
    items = selectors.held_items(category=folder, recipient=recipient)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quarantine/list.html", {
        "page": page, "folders": selectors.folders(), "folder": folder, "recipient": recipient,
    })


@console_role_required
def item_detail(request: HttpRequest, item_id: int, role: str) -> HttpResponse:
    item = selectors.get_item(item_id)
    may = permissions.allowed_actions(item.category, role)
    rendering, missing = None, ""
    if Action.VIEW in may:
        try:
            rendering = render_message(selectors.raw_message(request.tenant.schema_name, item))
        except (KeyError, StoreError) as exc:
            missing = "The stored message is no longer available." if isinstance(exc, KeyError) else str(exc)
    return with_csp(render(request, "quarantine/item.html", {
        "item": item, "may": may, "rendering": rendering, "missing": missing, "held": item.status == "held",
    }))


@require_POST
@console_role_required
def item_action(request: HttpRequest, item_id: int, action: str, role: str) -> HttpResponse:
    item = selectors.get_item(item_id)
    actor, customer = console_actor(request), request.tenant
    try:
        if action in ("release", "allow_sender"):
            services.release(customer, item, actor=actor, role=role, allow_sender=action == "allow_sender")
            messages.success(request, f"Released to {item.recipient}.")
        elif action in ("report_spam", "report_ham"):
            label = QuarantineFeedback.Label.SPAM if action == "report_spam" else QuarantineFeedback.Label.HAM
            services.report(item, label=label, actor=actor, role=role)
            messages.success(request, "Thank you, your report was recorded.")
        elif action == "delete":
            services.delete(customer, item, actor=actor, role=role)
            messages.success(request, "Deleted.")
            return redirect("quarantine:list")
        elif action == "forward":
            services.forward(customer, item, to=request.POST.get("to", ""), actor=actor, role=role)
            messages.success(request, "A copy is on its way.")
        else:
            messages.error(request, "Unknown action.")
    except services.QuarantineError as exc:
        messages.error(request, str(exc))
    except (KeyError, StoreError):
        messages.error(request, "The stored message is no longer available.")
    return redirect("quarantine:item", item_id=item.pk)


@console_role_required
def item_download(request: HttpRequest, item_id: int, role: str) -> HttpResponse:
    item = selectors.get_item(item_id)
    try:
        data = services.download(request.tenant, item, actor=console_actor(request), role=role)
    except services.QuarantineError as exc:
        return render(request, "forbidden.html", {"reason": str(exc)}, status=403)
    except (KeyError, StoreError):
        return render(request, "quarantine/message.html", {"title": "Not available",
                      "text": "The stored message is no longer available."}, status=410)
    response = HttpResponse(data, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{item.spool_id}.eml"'
    return response
