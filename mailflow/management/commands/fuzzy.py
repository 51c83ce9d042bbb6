"""The platform's bulk signatures: report mail as the provider, look a message up, take a report back (docs/checks.md).

Provider staff report what their spam traps and abuse desk collect, and the
check flags copies of it at every customer at once:

    manage.py fuzzy spam FILE...     report messages (RFC 5322 files: their text, attachments and the text of
                                     attached pages and documents) as spam
    manage.py fuzzy ham FILE...      report them as wanted mail, for every customer
    manage.py fuzzy check FILE...    print the closest stored text and who reported it
    manage.py fuzzy forget FILE...   drop every report of these texts
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailflow.checks import fuzzy
from mailflow.spam.fuzzy import MIN_WORDS, Sketch, file_digests, file_sketches, sketch_view
from mailflow.spam.view import parsed_view


class Command(BaseCommand):
    help = "Report mail to the platform's bulk signatures as the provider, look messages up, or forget reports."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("spam", "ham", "check", "forget"))
        parser.add_argument("files", nargs="+", type=Path, help="messages, one RFC 5322 file each")

    def handle(self, *args, **opts) -> None:
        found: list[tuple[Path, Sketch | None, dict[str, str], list[tuple[Sketch, str]]]] = []
        for path in opts["files"]:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
            parsed, view = parsed_view(raw)
            sketch, files, texts = sketch_view(view), dict(file_digests(parsed)), file_sketches(parsed)
            if sketch is None and not files and not texts:
                self.stdout.write(f"{path}: fewer than {MIN_WORDS} words of text and no attachment (not recorded)")
                continue
            found.append((path, sketch, files, texts))
        action = opts["action"]
        try:
            if action in ("spam", "ham"):
                sketches = [(s, action) for _, s, _, _ in found if s is not None]
                attached = [(t, action) for _, _, _, texts in found for t, _ in texts]
                files = [(d, action) for _, _, f, _ in found for d in f]
                fuzzy.report(sketches + attached, fuzzy.PROVIDER, files=files)
                pages = f", {len(attached)} attachment texts" if attached else ""
                self.stdout.write(f"reported {len(found)} message(s) as {action} for every customer "
                                  f"({len(sketches)} texts, {len(files)} attachments{pages})")
            elif action == "forget":
                for path, sketch, files, texts in found:
                    gone = fuzzy.forget(sketch, files)
                    forgotten = [fuzzy.forget(text) for text, _ in texts]  # every one, not up to the first
                    gone = gone or any(forgotten)
                    self.stdout.write(f"{path}: {'forgotten' if gone else 'was not stored'}")
            else:
                for path, sketch, files, texts in found:
                    self._check(path, sketch, files, texts)
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"cannot reach the bulk signatures in Redis: {exc}") from exc

    def _check(self, path: Path, sketch: Sketch | None, files: dict[str, str], texts: list[tuple[Sketch, str]]) -> None:
        matches = [("text", m) for m in fuzzy.lookup(sketch)] if sketch is not None else []
        if sketch is not None and not matches:
            self.stdout.write(f"{path}: no stored text resembles it ({sketch.digest})")
        matches += [(f"attachment {files[m.digest]}", m) for m in fuzzy.lookup_files(list(files))]
        matches += [(f"text of attachment {name}", m) for text, name in texts for m in fuzzy.lookup(text)]
        for what, match in matches:
            spam, ham = ", ".join(sorted(match.spam)) or "-", ", ".join(sorted(match.ham)) or "-"
            self.stdout.write(
                f"{path}: {what} {match.digest} resemblance {match.resemblance:.2f}  spam: {spam}  ham: {ham}"
            )
