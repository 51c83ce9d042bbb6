"""Rules on HTML structure: HTML-only bodies, hidden text, forms, image-only mail.

See docs/spam.md.
"""

from __future__ import annotations

from mailflow.spam.heuristics.base import rule
from mailflow.spam.view import MessageView


@rule("HTML_ONLY", "Message has HTML body parts and no plain-text alternative", 0.4)
def html_only(view: MessageView) -> bool:
    return bool(view.html) and not view.text.strip()


PREHEADER_CHARS = 300  # a preview line longer than this is filler


@rule("HTML_HIDDEN_TEXT", "HTML contains text styled to be invisible (display:none, tiny or white font)", 0.8)
def html_hidden_text(view: MessageView) -> bool:
    """Invisible text besides the preview line (preheader) that almost every sender's template hides first."""
    return any(len(doc.hidden_text) - min(doc.preheader_chars, PREHEADER_CHARS) >= 30 for doc in view.html_docs)


@rule("HTML_FORM", "HTML body contains a form", 1.2)
def html_form(view: MessageView) -> bool:
    return any(doc.forms for doc in view.html_docs)


@rule("HTML_PASSWORD_FORM", "HTML body contains a form asking for a password", 3.0)
def html_password_form(view: MessageView) -> bool:
    return any(doc.password_inputs for doc in view.html_docs)


@rule("HTML_IMAGE_ONLY", "HTML body is images with almost no text", 1.0)
def html_image_only(view: MessageView) -> bool:
    if not view.html or view.text.strip():
        return False
    images = sum(doc.images for doc in view.html_docs)
    words = len(view.html_text.split())
    return images >= 1 and words < 25


@rule("HTML_SCRIPT", "HTML body contains script or iframe elements", 0.5)
def html_script(view: MessageView) -> bool:
    return any(doc.tags.get("script") or doc.tags.get("iframe") for doc in view.html_docs)
