"""Train the shipped default model from a labelled corpus.

Usage: ``python -m mailflow.spam.train [CORPUS_DIR] [--output PATH] [--supplement DIR | --no-supplement]``.
CORPUS_DIR defaults to ``../shared/corpus`` beside the repository; the
modern supplement (``mailflow/spam/data/modern``) is learnt from as well
unless ``--no-supplement`` is given.  See docs/spam.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mailflow.spam import DEFAULT_MODEL_PATH
from mailflow.spam.corpus import SUPPLEMENT_WEIGHT, CorpusError, default_corpus_dir, iter_corpus, supplement_dir
from mailflow.spam.training import train_views
from mailflow.spam.view import view_from_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus_dir())
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--supplement", type=Path, help="extra labelled messages to learn (default: the shipped one)")
    parser.add_argument("--no-supplement", action="store_true", help="learn from CORPUS_DIR alone")
    parser.add_argument("--supplement-weight", type=float, default=SUPPLEMENT_WEIGHT,
                        help=f"weight of a supplement message against a corpus one (default {SUPPLEMENT_WEIGHT})")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        samples = list(iter_corpus(args.corpus))
        supplement = args.supplement or (supplement_dir() if supplement_dir().is_dir() else None)
        extra = [] if args.no_supplement or supplement is None else list(iter_corpus(supplement))
    except (CorpusError, OSError) as exc:
        sys.stderr.write(f"cannot read the corpus: {exc}\n")
        return 1
    if not samples:
        sys.stderr.write(f"no messages found in {args.corpus}\n")
        return 1
    weights = [1.0] * len(samples) + [args.supplement_weight] * len(extra)
    samples += extra
    views = [view_from_bytes(s.raw) for s in samples]
    content_only = [False] * (len(samples) - len(extra)) + [True] * len(extra)
    model = train_views(views, [s.is_spam for s in samples], weights=weights, content_only=content_only)
    spam = sum(s.is_spam for s in samples)
    model.meta.update({"spam": spam, "ham": len(samples) - spam, "corpus": args.corpus.name, "supplement": len(extra)})
    args.output.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.output)
    sys.stdout.write(
        f"trained on {len(samples)} messages ({spam} spam) in {time.monotonic() - started:.1f}s; "
        f"{len(model.weights)} features; wrote {args.output} ({args.output.stat().st_size} bytes)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
