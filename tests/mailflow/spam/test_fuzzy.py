"""Fuzzy sketches: copies of one text resemble each other, different texts do not."""

from __future__ import annotations

from collections import Counter

from mailflow.spam.fuzzy import MATCH_OVERLAP, MIN_WORDS, best_match, overlap, sketch_text, sketch_view
from mailflow.spam.view import view_from_bytes
from tests.mailflow.spam.builders import build

LETTER = (
    "Dear {name}, we are pleased to tell you that your application number {number} for the business "
    "development grant has been approved by the regional committee. To receive the {amount} in funding, "
    "send a copy of your identity card and the processing fee to our agent before {day}. Funds are released "
    "within three working days of receipt. Yours sincerely, the grants office"
)


def letter(**changes: str) -> str:
    values = {"name": "Bob", "number": "4471-22", "amount": "$25,000", "day": "Friday"} | changes
    return LETTER.format(**values)


def test_a_copy_with_names_and_numbers_changed_resembles_the_original() -> None:
    original = sketch_text(letter())
    copy = sketch_text(letter(name="Carol", number="9013-87", amount="$40,500", day="Monday"))
    assert overlap(original, copy) >= 0.7
    assert overlap(original, sketch_text(letter())) == 1.0 and original.digest == sketch_text(letter()).digest


def test_numbers_are_read_by_their_shape() -> None:
    assert sketch_text(letter(number="1234-56")) == sketch_text(letter(number="9876-54"))


def test_an_unrelated_text_does_not_resemble_it() -> None:
    other = sketch_text(
        "Hi Bob, the minutes of Tuesday's meeting are attached. The budget review moves to next week and "
        "Dana will send the revised figures before then, together with the plan for the office move."
    )
    assert overlap(sketch_text(letter()), other) < MATCH_OVERLAP


def test_short_texts_get_no_sketch() -> None:
    words = " ".join(f"word{chr(97 + i)}" for i in range(MIN_WORDS - 1))
    assert sketch_text(words) is None
    assert sketch_text(words + " more") is not None


def test_plain_and_html_alternatives_are_read_together() -> None:
    # A list that puts a "your mail program cannot show HTML" stub in the plain part: two different
    # messages with the same stub are not copies of each other.
    stub = ("We attempted to deliver this message to you with HTML formatting. However, your e-mail program "
            "does not support HTML-enhanced messages. Please change your e-mail preference to text only.")
    first = build(text=stub, html=f"<p>{letter()}</p>")
    second = build(text=stub, html="<p>Our summer picnic is on the 12th by the lake: bring a blanket, a dish to "
                                   "share and your children; the club provides drinks, games and music.</p>")
    assert overlap(sketch_view(view_from_bytes(first)), sketch_view(view_from_bytes(second))) < MATCH_OVERLAP
    # the same letter as plain text alone, or as plain text and HTML, is one text
    both = build(text=letter(), html=f"<html><body><p>{letter()}</p></body></html>")
    assert overlap(sketch_view(view_from_bytes(both)), sketch_text(letter())) >= 0.9


def test_best_match_ranks_stored_sketches_and_drops_weak_ones() -> None:
    query = sketch_text(letter())
    near = sketch_text(letter(name="Carol"))
    far = sketch_text(letter(name="Dave", amount="$1", day="Sunday") + " Unrelated closing words about the weather.")
    stored = {near.digest: near, far.digest: far, "gone": near}
    shared = Counter(d for value in query.values for d, s in stored.items() if value in s.values)
    sizes = {d: len(s.values) for d, s in stored.items() if d != "gone"}
    found = best_match(query, shared, sizes)
    assert found[0][0] == near.digest
    assert all(share >= MATCH_OVERLAP for _, share in found) and "gone" not in dict(found)


def test_file_digests_remember_attachments_not_inline_images_small_files_or_archive_members() -> None:
    import base64
    import io
    import zipfile

    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import MIN_FILE_BYTES, file_digests

    invoice = b"%PDF-1.4\n" + bytes(range(256)) * 20
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner.pdf", invoice)
    logo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000
    raw = build(text="See attached.", attachments=(("invoice.pdf", "application/pdf", invoice),
                                                   ("docs.zip", "application/zip", archive.getvalue()),
                                                   ("note.txt", "text/plain", b"x" * (MIN_FILE_BYTES - 1))))
    names = [name for _, name in file_digests(parse_message(raw))]
    assert names == ["invoice.pdf", "docs.zip"]
    same = build(subject="Other", text="Another text.", attachments=(("renamed.pdf", "application/pdf", invoice),))
    assert file_digests(parse_message(same))[0][0] == file_digests(parse_message(raw))[0][0]
    # an image shown inside an HTML body (inline, no file name) is the sender's logo, not the campaign
    inline = (b"From: a@example.com\r\nTo: b@example.org\r\nSubject: News\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/related; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n"
              b"<p>News</p><img src=cid:logo>\r\n--B\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\n"
              b"Content-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n"
              + base64.encodebytes(logo).replace(b"\n", b"\r\n") + b"--B--\r\n")
    assert file_digests(parse_message(inline)) == []
