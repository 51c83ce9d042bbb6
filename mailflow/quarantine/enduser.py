"""End-user pages reached from digest links, without login (docs/quarantine.md).

Every page reads its signed token first (``links.read_token``): a tampered,
foreign or expired link gets a clear page, never a traceback. GET never
changes anything (mail scanners follow links); release and allow-sender ask
for a confirmation that POSTs back to the same link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mailflow.models import QuarantinePermission
from mailflow.quarantine import links, permissions, selectors, services
from mailflow.quarantine.digest import end_user_quarantine
from mailflow.quarantine.render import render as render_message
from mailflow.quarantine.webutil import end_user_actor, with_csp
from mailflow.store import StoreError

Role = QuarantinePermission.Role
Action = QuarantinePermission.Action


def _page(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "enduser/message.html", {"title": title, "text": text}, status=status)


def _claim(request: HttpRequest, token: str, action: str, available=None,
           unavailable: str = "Your organisation manages held mail for you.") -> links.LinkClaim | HttpResponse:
    """The link's claim, or the page that says why it cannot be used (tampered, expired, not offered)."""
    if request.tenant is None:
        return _page(request, "Link not valid", "This link is not valid.", 400)
    try:
        claim = links.read_token(token, request.tenant.schema_name)
    except links.LinkExpired:
        return _page(request, "Link expired", "This link has expired. Newer links come with your next digest.", 410)
    except links.LinkInvalid:
        return _page(request, "Link not valid", "This link is not valid. It may have been altered or copied "
                     "incompletely.", 400)
    if claim.action != action:
        return _page(request, "Link not valid", "This link is not valid.", 400)
    if not (available or end_user_quarantine)(request.tenant):
        return _page(request, "Not available", unavailable, 403)
    return claim


def _links_for(request: HttpRequest, item) -> dict:
    schema, slug = request.tenant.schema_name, request.tenant.slug
    may = permissions.allowed_actions(item.category, Role.END_USER) if item.status == "held" else set()
    token = lambda a: links.make_token(schema, item.recipient, item.pk, a)  # noqa: E731
    return {"item": item, "view": token("view") if Action.VIEW in may else "",
            "release": token("release") if Action.RELEASE in may else "",
            "allow_sender": token("allow_sender") if Action.ALLOW_SENDER in may else "", "slug": slug}


def held_list(request: HttpRequest, token: str) -> HttpResponse:
    claim = _claim(request, token, "list")
    if isinstance(claim, HttpResponse):
        return claim
    items = selectors.held_items(recipient=claim.recipient)[:200]
    return render(request, "enduser/list.html", {"recipient": claim.recipient,
                                                 "entries": [_links_for(request, i) for i in items]})


def view(request: HttpRequest, token: str) -> HttpResponse:
    claim = _claim(request, token, "view")
    if isinstance(claim, HttpResponse):
        return claim
    item = selectors.get_item(claim.item_id, recipient=claim.recipient)
    if not permissions.allowed(item.category, Role.END_USER, Action.VIEW):
        return _page(request, "Not allowed", "Your organisation does not let you view this message.", 403)
    try:
        rendering = render_message(selectors.raw_message(request.tenant.schema_name, item))
    except (KeyError, StoreError):
        return _page(request, "Not available", "This message is no longer available.", 410)
    return with_csp(render(request, "enduser/view.html", {"rendering": rendering, **_links_for(request, item)}))


def _act(request: HttpRequest, token: str, action: str) -> HttpResponse:
    claim = _claim(request, token, action)
    if isinstance(claim, HttpResponse):
        return claim
    item = selectors.get_item(claim.item_id, recipient=claim.recipient)
    label = "Release and always allow this sender" if action == "allow_sender" else "Release"
    if not permissions.allowed(item.category, Role.END_USER, action):
        return _page(request, "Not allowed", "Your organisation does not let you release this message. "
                     "Ask your administrator.", 403)
    if request.method != "POST":
        if item.status != "held":
            return _page(request, "Already done", f"This message was already {item.status}.", 200)
        return render(request, "enduser/confirm.html", {"item": item, "label": label})
    try:
        services.release(request.tenant, item, actor=end_user_actor(request, claim.recipient), role=Role.END_USER,
                         allow_sender=action == "allow_sender")
    except services.AlreadyHandled as exc:
        return _page(request, "Already done", str(exc), 409)
    except services.NotAllowed:
        return _page(request, "Not allowed", "Your organisation does not let you release this message. "
                     "Ask your administrator.", 403)
    except services.QuarantineError as exc:
        return _page(request, "Not released", str(exc), 409)
    except (KeyError, StoreError):
        return _page(request, "Not available", "This message is no longer available.", 410)
    done = "Released. The message is on its way to your mailbox."
    if action == "allow_sender":
        done += f" Mail from {item.mail_from} will no longer be held for you."
    return _page(request, "Released", done)


def release(request: HttpRequest, token: str) -> HttpResponse:
    return _act(request, token, "release")


def allow_sender(request: HttpRequest, token: str) -> HttpResponse:
    return _act(request, token, "allow_sender")


def _archive_claim(request: HttpRequest, token: str) -> links.LinkClaim | HttpResponse:
    from mailflow.quarantine.digest import end_user_archive

    return _claim(request, token, "archive", available=end_user_archive,
                  unavailable="Your organisation does not offer archive search to you.")


def archive_search(request: HttpRequest, token: str) -> HttpResponse:
    """The recipient's own archived mail (sent or received), searchable by every criterion."""
    from mailflow.archive import selectors as archive
    from mailflow.archive.views import query_from

    claim = _archive_claim(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    query, errors = query_from(request.GET)
    query.for_address = claim.recipient
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    result = None if errors else archive.page(query, number)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "enduser/archive.html", {"result": result, "errors": errors, "form": request.GET,
                                                    "params": params.urlencode(), "token": token,
                                                    "recipient": claim.recipient})


def archive_message(request: HttpRequest, token: str, message_id: int) -> HttpResponse:
    """One of the recipient's own archived messages, rendered safely; anyone else's is 404."""
    from django.http import Http404

    from mailflow.models import ArchiveMessage
    from mailflow.store import get_store

    claim = _archive_claim(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    row = ArchiveMessage.objects.filter(pk=message_id).first()
    if row is None or (claim.recipient not in row.recipients and row.mail_from.lower() != claim.recipient):
        raise Http404("No such message")
    try:
        rendering = render_message(get_store().get(request.tenant.schema_name, row.store_key))
    except (KeyError, StoreError):
        return _page(request, "Not available", "This message is no longer available.", 410)
    return with_csp(render(request, "enduser/archive_message.html", {"row": row, "rendering": rendering,
                                                                      "token": token}))
