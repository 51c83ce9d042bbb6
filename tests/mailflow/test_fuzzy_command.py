"""``manage.py fuzzy``: the provider reports mail to the bulk signatures, looks messages up, takes reports back."""

from __future__ import annotations

import io
import uuid
from email.policy import SMTP

import pytest
from django.core.management import CommandError, call_command

from tests.mailflow.checks.samples import mail

TEXT = (
    "Dear customer,\n\nyour parcel {mark} could not be delivered because the customs fee of 2.99 EUR was not paid. "
    "Pay the fee today at the link below and the parcel will be delivered tomorrow between nine and five.\n\n"
    "Parcel Service\n"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("fuzzy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trap(tmp_path):
    """A spam trap's message and a copy of it with another greeting and fee, as files."""
    mark = uuid.uuid4().hex[:10]
    original, copy = tmp_path / "trap.eml", tmp_path / "copy.eml"
    original.write_bytes(mail("Parcel", body=TEXT.format(mark=mark)).as_bytes(policy=SMTP))
    copy.write_bytes(mail("Parcel", body=TEXT.format(mark=mark).replace("2.99", "3.49")).as_bytes(policy=SMTP))
    yield original, copy
    run("forget", str(original))


def test_report_check_and_forget(trap):
    original, copy = trap
    assert "no stored text resembles it" in run("check", str(copy))
    assert "reported 1 message(s) as spam for every customer" in run("spam", str(original))
    found = run("check", str(copy))
    assert "resemblance" in found and "spam: provider  ham: -" in found
    assert "forgotten" in run("forget", str(original))
    assert "no stored text resembles it" in run("check", str(copy))
    assert "was not stored" in run("forget", str(original))


def test_ham_reports_and_short_mail(trap, tmp_path):
    original, copy = trap
    run("ham", str(original))
    assert "spam: -  ham: provider" in run("check", str(copy))
    short = tmp_path / "short.eml"
    short.write_bytes(mail("Lunch", body="See you at noon.\n").as_bytes(policy=SMTP))
    assert "no attachment (not recorded)" in run("spam", str(short))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("spam", str(tmp_path / "absent.eml"))


def test_a_message_with_little_text_is_reported_by_its_attachment(tmp_path):
    trap = mail("Scan", body="See attached.\n")
    trap.add_attachment(b"%PDF-1.4\n" + uuid.uuid4().bytes * 300, maintype="application", subtype="pdf",
                        filename="scan.pdf")
    path = tmp_path / "scan.eml"
    path.write_bytes(trap.as_bytes(policy=SMTP))
    try:
        assert "(0 texts, 1 attachments)" in run("spam", str(path))
        found = run("check", str(path))
        assert "attachment scan.pdf" in found and "spam: provider" in found
    finally:
        assert "forgotten" in run("forget", str(path))
