"""The platform's bulk signatures: report mail as the provider, look a message up, take a report back (docs/checks.md).

Provider staff report what their spam traps and abuse desk collect, and the
check flags copies of it at every customer at once:

    manage.py fuzzy spam FILE...     report messages (RFC 5322 files: their text and attachments) as spam
    manage.py fuzzy ham FILE...      report them as wanted mail, for every customer
    manage.py fuzzy check FILE...    print the closest stored text and who reported it
    manage.py fuzzy forget FILE...   drop every report of these texts
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailflow.checks import fuzzy
from mailflow.spam.fuzzy import MIN_WORDS, Sketch, file_digests, sketch_view
from mailflow.spam.view import parsed_view


class Command(BaseCommand):
    help = "Report mail to the platform's bulk signatures as the provider, look messages up, or forget reports."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("spam", "ham", "check", "forget"))
        parser.add_argument("files", nargs="+", type=Path, help="messages, one RFC 5322 file each")

    def handle(self, *args, **opts) -> None:
        found: list[tuple[Path, Sketch | None, dict[str, str]]] = []
        for path in opts["files"]:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
            parsed, view = parsed_view(raw)
            sketch, files = sketch_view(view), dict(file_digests(parsed))
            if sketch is None and not files:
                self.stdout.write(f"{path}: fewer than {MIN_WORDS} words of text and no attachment (not recorded)")
                continue
            found.append((path, sketch, files))
        action = opts["action"]
        try:
            if action in ("spam", "ham"):
                sketches = [(s, action) for _, s, _ in found if s is not None]
                files = [(d, action) for _, _, f in found for d in f]
                fuzzy.report(sketches, fuzzy.PROVIDER, files=files)
                self.stdout.write(f"reported {len(found)} message(s) as {action} for every customer "
                                  f"({len(sketches)} texts, {len(files)} attachments)")
            elif action == "forget":
                for path, sketch, files in found:
                    gone = fuzzy.forget(sketch, files)
                    self.stdout.write(f"{path}: {'forgotten' if gone else 'was not stored'}")
            else:
                for path, sketch, files in found:
                    self._check(path, sketch, files)
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"cannot reach the bulk signatures in Redis: {exc}") from exc

    def _check(self, path: Path, sketch: Sketch | None, files: dict[str, str]) -> None:
        matches = fuzzy.lookup(sketch) if sketch is not None else []
        if sketch is not None and not matches:
            self.stdout.write(f"{path}: no stored text resembles it ({sketch.digest})")
        for match in matches + fuzzy.lookup_files(list(files)):
            spam, ham = ", ".join(sorted(match.spam)) or "-", ", ".join(sorted(match.ham)) or "-"
            what = f"attachment {files[match.digest]}" if match.digest in files else "text"
            self.stdout.write(
                f"{path}: {what} {match.digest} resemblance {match.resemblance:.2f}  spam: {spam}  ham: {ham}"
            )
