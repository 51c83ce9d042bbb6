"""The platform's bulk signatures: report mail as the provider, look a message up, take a report back (docs/checks.md).

Provider staff report what their spam traps and abuse desk collect, and the
check flags copies of it at every customer at once:

    manage.py fuzzy spam FILE...     report messages (RFC 5322 files) as spam, for every customer
    manage.py fuzzy ham FILE...      report them as wanted mail, for every customer
    manage.py fuzzy check FILE...    print the closest stored text and who reported it
    manage.py fuzzy forget FILE...   drop every report of these texts
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailflow.checks import fuzzy
from mailflow.spam.fuzzy import MIN_WORDS, Sketch, sketch_view
from mailflow.spam.view import view_from_bytes


class Command(BaseCommand):
    help = "Report mail to the platform's bulk signatures as the provider, look messages up, or forget reports."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("spam", "ham", "check", "forget"))
        parser.add_argument("files", nargs="+", type=Path, help="messages, one RFC 5322 file each")

    def handle(self, *args, **opts) -> None:
        sketches: list[tuple[Path, Sketch]] = []
        for path in opts["files"]:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
            sketch = sketch_view(view_from_bytes(raw))
            if sketch is None:
                self.stdout.write(f"{path}: fewer than {MIN_WORDS} words of text, no sketch (not recorded)")
                continue
            sketches.append((path, sketch))
        action = opts["action"]
        try:
            if action in ("spam", "ham"):
                count = fuzzy.report([(s, action) for _, s in sketches], fuzzy.PROVIDER)
                self.stdout.write(f"reported {count} message(s) as {action} for every customer")
            elif action == "forget":
                for path, sketch in sketches:
                    gone = fuzzy.forget(sketch)
                    self.stdout.write(f"{path}: {'forgotten' if gone else 'was not stored'} ({sketch.digest})")
            else:
                for path, sketch in sketches:
                    matches = fuzzy.lookup(sketch)
                    if not matches:
                        self.stdout.write(f"{path}: no stored text resembles it ({sketch.digest})")
                    for match in matches:
                        spam, ham = ", ".join(sorted(match.spam)) or "-", ", ".join(sorted(match.ham)) or "-"
                        self.stdout.write(
                            f"{path}: {match.digest} resemblance {match.resemblance:.2f}  spam: {spam}  ham: {ham}"
                        )
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"cannot reach the bulk signatures in Redis: {exc}") from exc
