"""Benchmark TextCensor: 20 scripts x 100 terms over realistic 5 KB messages.

Run: ``.venv/bin/python bench/textcensor_bench.py [--messages N] [--seconds S]``.
Prints compile time and messages per second for evaluating all scripts on
each message (one core). See docs/textcensor.md ("Performance").
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policy.textcensor import TextcensorInput, compile_scripts

COMMON_TEXT = """
the of and to in a is that for it as was with be by on not he this are or his from at which but have
an they you were their one all we can her has there been if more when will would who so no our
please meeting project report team customer order invoice payment delivery schedule update review
contract budget quarter sales market product service support account manager office client proposal
agenda attached document request approval deadline follow call week month today tomorrow thanks
regards information details question issue plan price quote shipment status network system server
data release version feature training policy process change risk board director finance legal hr
staff
"""
COMMON = COMMON_TEXT.split()
BUSINESS = COMMON[COMMON.index("meeting") :]
FUNCTION_WORDS = COMMON[: COMMON.index("meeting")]
FILLER_SYLLABLES = [
    "an",
    "be",
    "co",
    "di",
    "ex",
    "fa",
    "gu",
    "hi",
    "im",
    "jo",
    "lu",
    "ma",
    "no",
    "pi",
    "re",
    "si",
    "ta",
    "un",
    "ve",
    "wa",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "zi",
    "bar",
    "den",
    "fol",
    "gan",
    "hul",
    "jet",
    "kin",
    "lor",
    "mun",
    "pes",
    "quin",
    "rat",
    "sol",
    "tur",
    "vek",
    "wix",
]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def term(rng: random.Random) -> str:
    """One script line body in the mix a customer's scripts typically have."""
    word = pseudo_word(rng) if rng.random() < 0.97 else rng.choice(BUSINESS)
    roll = rng.random()
    if roll < 0.55:
        return word
    if roll < 0.70:
        return f'"{word} {pseudo_word(rng)}"'
    if roll < 0.80:
        return word[:5] + "*"
    if roll < 0.87:
        return f"{word} NEAR/5 ({pseudo_word(rng)} OR {rng.choice(BUSINESS)})"
    if roll < 0.92:
        return f"{word} FOLLOWEDBY/10 {pseudo_word(rng)}"
    if roll < 0.95:
        return f"{word} AND NOT {pseudo_word(rng)}"
    if roll < 0.98:
        return f"/{word[:4]}[0-9]{{2,4}}/"
    return f"'{word.capitalize()}'"


def make_scripts(rng: random.Random, count: int = 20, lines: int = 100) -> dict[str, str]:
    scripts = {}
    for index in range(count):
        body = [
            f"{rng.choice(['+', '-']) if rng.random() < 0.1 else '+'}{rng.randint(1, 10)} {term(rng)}"
            for _ in range(lines)
        ]
        body.append(f"THRESHOLD {rng.randint(10, 30)}")
        scripts[f"script{index:02d}"] = "\n".join(body)
    return scripts


def vocabulary(rng: random.Random, size: int = 3000) -> tuple[list[str], list[float]]:
    """Content words with Zipf-like weights: business words are among the frequent ones."""
    filler = ["".join(rng.choice(FILLER_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)]
    words = BUSINESS + filler
    rng.shuffle(words)
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def make_message(
    rng: random.Random, scripts: dict[str, str], vocab: tuple[list[str], list[float]] | None, size: int = 5000
) -> TextcensorInput:
    """A ~5 KB body of prose with a few script words mixed in.

    With ``vocab`` the prose mixes function words with Zipf-distributed
    content words; without it (``--heavy``) every word comes from the short
    business list, so many script terms occur several times per message.
    """
    planted = [line.split(" ", 1)[1].strip('"') for text in scripts.values() for line in text.splitlines()[:3]]
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < size:
        length = rng.randint(6, 18)
        if vocab is None:
            sentence = [rng.choice(COMMON) for _ in range(length)]
        else:
            content = rng.choices(vocab[0], vocab[1], k=length // 2)
            sentence = [rng.choice(FUNCTION_WORDS) for _ in range(length - len(content))] + content
            rng.shuffle(sentence)
        if rng.random() < 0.05:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(planted).split()[0])
        words.extend([*sentence[:-1], sentence[-1] + "."])
    body = " ".join(words)[:size]
    return TextcensorInput(subject=" ".join(rng.choice(COMMON) for _ in range(7)), body=body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--heavy", action="store_true", help="messages dense with script terms")
    args = parser.parse_args()
    rng = random.Random(20260101)
    scripts = make_scripts(rng)
    started = time.perf_counter()
    censor = compile_scripts(scripts)
    compiled = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(pickle.dumps(censor))
    reloaded = time.perf_counter() - started
    vocab = None if args.heavy else vocabulary(rng)
    messages = [make_message(rng, scripts, vocab) for _ in range(args.messages)]
    started = time.perf_counter()
    for message in messages:  # first pass: exact patterns are compiled on first use
        censor.evaluate(message)
    cold = time.perf_counter() - started
    done, triggered, started = 0, 0, time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        for message in messages:
            triggered += sum(result.triggered for result in censor.evaluate(message).values())
        done += len(messages)
    elapsed = time.perf_counter() - started
    print(f"scripts: {len(scripts)} x 100 lines, distinct leaves: {censor.leaf_count}")
    print(f"compile: {compiled * 1000:.1f} ms, unpickle+rebuild: {reloaded * 1000:.1f} ms")
    print(f"message size: {len(messages[0].body)} bytes body + subject")
    print(f"first pass (cold): {len(messages) / cold:,.0f} messages/s")
    print(f"steady state: {done / elapsed:,.0f} messages/s ({elapsed / done * 1e6:.0f} us/message)")
    print(f"script triggers per message: {triggered / done:.2f}")


if __name__ == "__main__":
    main()
