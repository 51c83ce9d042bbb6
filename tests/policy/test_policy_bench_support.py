"""The once-per-message TextCensor scan gives the same results as evaluating each zone choice alone."""

from __future__ import annotations

import itertools

from policy.snapshot import CompiledRule, textcensor_reads
from policy.textcensor import TextcensorInput, Zone, compile_scripts

SCRIPTS = {
    "falcon": '+10 "project falcon"\n+5 confidential NEAR/5 merger\nTHRESHOLD 10',
    "money": "+4 invoice FOLLOWEDBY/10 overdue\n+2 ~cash\n+1 NOT refund\nTHRESHOLD 5",
    "quiet": "+3 whisper\nTHRESHOLD 3",
}
MESSAGE = TextcensorInput(
    subject="Project Falcon: whisper",
    body="The confidential merger talks. Your invoice is now overdue; cashflow matters.",
    headers="X-Mailer: whisper\nSubject: Project Falcon",
    attachments=("project falcon appendix", "invoice overdue again, invoice overdue"),
)
ZONE_SETS = [frozenset(c) for n in (1, 2, 4) for c in itertools.combinations(Zone, n)]


def test_one_scan_matches_separate_evaluations():
    censor = compile_scripts(SCRIPTS)
    reads = [(name, zones) for name in SCRIPTS for zones in ZONE_SETS]
    scan = censor.scan(MESSAGE, reads)
    for name, zones in reads:
        assert scan.result(name, zones) == censor.evaluate(MESSAGE, zones=zones)[name], (name, zones)


def test_a_read_not_announced_is_scanned_on_its_own():
    censor = compile_scripts(SCRIPTS)
    scan = censor.scan(MESSAGE, [("quiet", frozenset({Zone.SUBJECT}))])
    headers = frozenset({Zone.HEADERS})
    assert scan.result("falcon", headers) == censor.evaluate(MESSAGE, zones=[Zone.HEADERS])["falcon"]
    assert scan.result("quiet", frozenset({Zone.SUBJECT})).triggered


def test_reads_of_working_rules_only_once_each():
    tc = object()
    zones = frozenset({Zone.BODY})

    def rule(name: str, conditions, broken: str = "") -> CompiledRule:
        return CompiledRule(name, "customer", "both", "all", conditions, [], {}, False, broken)

    rules = [
        rule("a", [(tc, ("falcon", zones), False, "textcensor"), (tc, {"at_least": 1}, False, "spam_score")]),
        rule("b", [(tc, ("falcon", zones), True, "textcensor"), (tc, ("money", zones), False, "textcensor")]),
        rule("c", [(tc, ("quiet", zones), False, "textcensor")], broken="script 'quiet' does not exist"),
    ]
    assert textcensor_reads(rules) == (("falcon", zones), ("money", zones))
