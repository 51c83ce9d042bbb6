"""K-fold accuracy and speed of the spam layers (classifier + heuristics).

Usage: ``python bench/spam_accuracy.py [CORPUS_DIR] [--folds 5] [--seed 1729] [--body-only] [--shipped] [--list]
[--supplement DIR | --no-supplement] [--bulk-signatures]``
(CORPUS_DIR in any layout ``mailflow.spam.corpus`` reads: tarballs with or
without a manifest, ``ham/`` and ``spam/`` directories, or mbox files)

Trains on k-1 folds (stratified by category), scores the held-out fold
with ``mailflow.spam.score``, and prints the share of spam caught and of
ham wrongly held at the tag and quarantine thresholds, overall and for
hard ham, then the scoring speed.  As the shipped model does, every fold
also learns from the modern supplement (``mailflow/spam/data/modern``),
which is never scored; ``--no-supplement`` trains on the corpus alone.  ``--body-only`` builds every view from
the subject and bodies alone (no headers at all).  ``--seed`` draws other
folds: a difference of a few messages should hold for more than one seed.

``--bulk-signatures`` adds a second report: every fold's messages also
get ``FUZZY_SPAM`` from a store holding the other folds' spam, as a
provider's spam traps and reports would fill it (docs/spam.md).

``--shipped`` trains nothing: it scores every message with the shipped
default model, which is how a corpus from another era or source (such as
``bench/modern``, 2020s phishing, scams and technical-list ham) tests
whether the model and rules generalise.  ``--list`` prints each
message's score and symbols, misses first.  See docs/spam.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailflow.spam import DELETE_THRESHOLD, QUARANTINE_THRESHOLD, TAG_THRESHOLD, Model, load_default_model, score
from mailflow.spam.corpus import SUPPLEMENT_WEIGHT, CorpusError, Sample, default_corpus_dir, iter_corpus, supplement_dir
from mailflow.spam.fuzzy import FUZZY_SPAM_SCORE, best_match, sketch_view
from mailflow.spam.training import train_views
from mailflow.spam.verdict import SpamVerdict
from mailflow.spam.view import MessageView, view_from_bytes


def body_only_view(view: MessageView) -> MessageView:
    """The same message with every header dropped except the subject."""
    return MessageView.from_parts(subject=view.subject, text_bodies=[view.text], html_bodies=view.html)


def make_folds(samples: list[Sample], k: int, seed: int = 1729) -> list[list[int]]:
    by_category: dict[str, list[int]] = defaultdict(list)
    for index, sample in enumerate(samples):
        by_category[sample.category].append(index)
    folds: list[list[int]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    for category in sorted(by_category):
        members = by_category[category]
        rng.shuffle(members)
        for n, index in enumerate(members):
            folds[n % k].append(index)
    return folds


def cross_validate(
    samples: list[Sample],
    views: list[MessageView],
    k: int,
    body_only: bool,
    seed: int = 1729,
    extra: tuple[list[MessageView], list[bool]] = ([], []),
    extra_weight: float = 1.0,
) -> list[SpamVerdict]:
    """Score every message with a model trained on the other folds (plus ``extra``, never scored)."""
    totals: list[SpamVerdict] = [None] * len(samples)  # type: ignore[list-item]
    for fold in make_folds(samples, k, seed):
        held = set(fold)
        train = [i for i in range(len(samples)) if i not in held]
        model = train_views(
            [views[i] for i in train] + extra[0],
            [samples[i].is_spam for i in train] + extra[1],
            body_only=body_only,
            weights=[1.0] * len(train) + [extra_weight] * len(extra[0]),
            content_only=[False] * len(train) + [True] * len(extra[0]),
        )
        for i in fold:
            totals[i] = score(views[i], model, body_only=body_only)
    return totals


def bulk_signature_scores(samples: list[Sample], views: list[MessageView], k: int, seed: int = 1729) -> list[float]:
    """``FUZZY_SPAM`` of each message, from a store of the other folds' spam (as a provider's spam traps fill it)."""
    sketches = [sketch_view(v) for v in views]
    added = [0.0] * len(samples)
    for fold in make_folds(samples, k, seed):
        held = set(fold)
        owners: dict[int, set[str]] = defaultdict(set)
        sizes: dict[str, int] = {}
        for i, sketch in enumerate(sketches):
            if i in held or sketch is None or not samples[i].is_spam:
                continue
            sizes[sketch.digest] = len(sketch.values)
            for value in sketch.values:
                owners[value].add(sketch.digest)
        for i in fold:
            sketch = sketches[i]
            if sketch is None:
                continue
            shared = Counter(d for v in sketch.values for d in owners.get(v, ()))
            found = best_match(sketch, shared, sizes)
            if found:
                added[i] = round(FUZZY_SPAM_SCORE * found[0][1], 2)
    return added


def rate(values: list[float], threshold: float) -> str:
    held = sum(v >= threshold for v in values)
    return f"{100.0 * held / max(1, len(values)):6.2f}% ({held}/{len(values)})"


def report(samples: list[Sample], totals: list[float]) -> None:
    spam = [t for s, t in zip(samples, totals, strict=True) if s.is_spam]
    ham = [t for s, t in zip(samples, totals, strict=True) if not s.is_spam]
    hard = [t for s, t in zip(samples, totals, strict=True) if s.category == "hard_ham"]
    levels = (("tag", TAG_THRESHOLD), ("quarantine", QUARANTINE_THRESHOLD), ("delete", DELETE_THRESHOLD))
    for label, threshold in levels:
        print(
            f"  at {label} threshold {threshold:4.1f}: spam caught {rate(spam, threshold)}"
            f"  ham held {rate(ham, threshold)}  hard_ham held {rate(hard, threshold)}"
        )
    ranked = sorted(ham, reverse=True)
    caught = []
    for share in (0.001, 0.002, 0.005):
        allowed = int(share * len(ham))  # ham messages allowed at or above the cut
        cut = ranked[allowed] if allowed < len(ranked) else float("-inf")
        caught.append(f"{100.0 * sum(t > cut for t in spam) / max(1, len(spam)):.1f}% at {100 * share:.1f}%")
    print("  ranking (best threshold for a given share of ham held): spam caught " + ", ".join(caught))


def score_shipped(
    samples: list[Sample], views: list[MessageView], body_only: bool, listing: bool, model_path: Path | None = None
) -> list[float]:
    """Score every view with the shipped model (or ``model_path``); with ``listing``, print each, misses first."""
    model = Model.load(model_path) if model_path else load_default_model()
    verdicts = [score(view, model, body_only=body_only) for view in views]
    if listing:
        print_listing(samples, verdicts)
    return [v.score for v in verdicts]


def print_listing(samples: list[Sample], verdicts: list[SpamVerdict]) -> None:
    """Every message's score and symbols, misses first."""
    def wrong_first(i: int) -> tuple[bool, float]:
        total = verdicts[i].score
        return ((total >= TAG_THRESHOLD) == samples[i].is_spam, total if samples[i].is_spam else -total)

    for i in sorted(range(len(samples)), key=wrong_first):
        symbols = " ".join(f"{h.name}({h.score:.1f})" for h in verdicts[i].symbols)
        label = "spam" if samples[i].is_spam else "ham"
        print(f"  {verdicts[i].score:6.2f} {label:4} {samples[i].path}  {symbols}")


def measure_speed(samples: list[Sample], views: list[MessageView], body_only: bool) -> None:
    model = train_views(views, [s.is_spam for s in samples], body_only=body_only)
    subset = samples[:: max(1, len(samples) // 600)]
    started = time.perf_counter()
    parsed = [view_from_bytes(s.raw) for s in subset]
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    for view in parsed:
        score(view, model, body_only=body_only)
    score_s = time.perf_counter() - started
    kb = sum(len(s.raw) for s in subset) / len(subset) / 1024
    print(
        f"  speed: {len(subset) / score_s:,.0f} msg/s scoring a parsed view "
        f"({1000 * score_s / len(subset):.2f} ms), {1000 * parse_s / len(subset):.2f} ms parsing; "
        f"mean message {kb:.1f} KB, one core"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="k-fold accuracy of the spam layers")
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus_dir())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1729, help="seed of the stratified folds")
    parser.add_argument("--body-only", action="store_true")
    parser.add_argument("--shipped", action="store_true", help="score with the shipped model, no training")
    parser.add_argument("--list", action="store_true", help="every message's score and symbols, misses first")
    parser.add_argument("--supplement", type=Path,
                        help="messages added to every fold's training, never scored (default: the shipped supplement)")
    parser.add_argument("--no-supplement", action="store_true", help="train on the corpus folds alone")
    parser.add_argument("--model", type=Path, help="with --shipped: score with this model file instead")
    parser.add_argument("--supplement-weight", type=float, default=SUPPLEMENT_WEIGHT)
    parser.add_argument("--bulk-signatures", action="store_true",
                        help="also report the figures with FUZZY_SPAM from a store of the other folds' spam")
    args = parser.parse_args(argv)
    if args.shipped and args.body_only:
        parser.error("--shipped scores with the shipped model, which reads headers; --body-only needs cross-validation")
    started = time.monotonic()
    try:
        samples = list(iter_corpus(args.corpus))
    except (CorpusError, OSError) as exc:
        print(f"cannot read the corpus: {exc}", file=sys.stderr)
        return 2
    views = [view_from_bytes(s.raw) for s in samples]
    if args.body_only:
        views = [body_only_view(v) for v in views]
    mode = "body only (subject + bodies)" if args.body_only else "full message"
    if args.shipped:
        print(f"{len(samples)} messages scored with the shipped model, {mode}")
        report(samples, score_shipped(samples, views, args.body_only, args.list, args.model))
        return 0
    extra: tuple[list[MessageView], list[bool]] = ([], [])
    supplement = args.supplement or (supplement_dir() if supplement_dir().is_dir() else None)
    if not args.no_supplement and supplement is not None:
        added = list(iter_corpus(supplement))
        extra_views = [view_from_bytes(s.raw) for s in added]
        if args.body_only:
            extra_views = [body_only_view(v) for v in extra_views]
        extra = (extra_views, [s.is_spam for s in added])
    trained_on = (
        f", every fold also trained on {len(extra[0])} supplement messages (weight {args.supplement_weight})"
        if extra[0] else ""
    )
    print(f"{len(samples)} messages, {args.folds}-fold cross-validation (fold seed {args.seed}), {mode}{trained_on}")
    verdicts = cross_validate(samples, views, args.folds, args.body_only, args.seed, extra, args.supplement_weight)
    if args.list:
        print_listing(samples, verdicts)
    totals = [v.score for v in verdicts]
    report(samples, totals)
    if args.bulk_signatures:
        added = bulk_signature_scores(samples, views, args.folds, args.seed)
        spam_hits = sum(1 for s, a in zip(samples, added, strict=True) if a and s.is_spam)
        ham_hits = sum(1 for s, a in zip(samples, added, strict=True) if a and not s.is_spam)
        print(f"with bulk signatures (the other folds' spam reported): FUZZY_SPAM on {spam_hits} spam, {ham_hits} ham")
        report(samples, [t + a for t, a in zip(totals, added, strict=True)])
    measure_speed(samples, views, args.body_only)
    print(f"  done in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
