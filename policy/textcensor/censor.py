"""Compile many TextCensor scripts into one scanner, and evaluate messages.

A :class:`CompiledCensor` is picklable: it pickles as its script sources
and is rebuilt on load (compiling is cheap; see docs/textcensor.md,
"Compiling and snapshots").
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .errors import TextCensorSyntaxError
from .evaluator import Context, Occ, Op, build_op, line_score
from .limits import DEFAULT_LIMITS, MAX_ZONE_BYTES, Limits
from .nodes import ScriptLine, iter_leaves
from .parser import parse_script
from .patterns import LeafPatterns, leaf_patterns
from .results import DEFAULT_ZONES, LineHit, ScriptResult, TextcensorInput, Zone
from .scanner import LeafSet, WordIndex, find_spans

ZoneChoice = Collection[Zone | str] | Mapping[str, Collection[Zone | str]] | None
MAX_SAMPLES = 3
MAX_SAMPLE_CHARS = 80
MAX_PLANS = 256  # memoised scan plans (one per distinct set of reads)


@dataclass(frozen=True)
class _Line:
    rule: ScriptLine
    op: Op
    leaf_ids: frozenset[int]
    constant: bool  # scores without any hit (a NOT-only line)


@dataclass(frozen=True)
class _Script:
    name: str
    lines: tuple[_Line, ...]
    threshold: float
    leaf_ids: frozenset[int]
    idle: ScriptResult  # the result when none of its leaves occurs
    constant: tuple[int, ...]  # indexes of lines that score without hits


@dataclass
class _Scan:
    """Per-message scan state: zone instances and their leaf hits."""

    zones: list[Zone]
    names: list[str]  # zone names, for hit reports
    data: list[bytes]
    words: list[WordIndex]
    hits: list[dict[int, list[Occ]]]


# Per zone to scan, in Zone order: the leaves wanted there (None: all); with the readers of each zone.
_Plan = tuple[dict[Zone, set[str]], tuple[tuple[Zone, frozenset[int] | None], ...]]


class CompiledCensor:
    """Many scripts compiled to scan each text zone once for all of them."""

    def __init__(self, scripts: Mapping[str, str], limits: Limits = DEFAULT_LIMITS) -> None:
        self.sources = dict(scripts)
        self.limits = limits
        self._patterns: list[LeafPatterns] = []
        self._ids: dict[LeafPatterns, int] = {}
        self.scripts = {name: self._compile(name, source) for name, source in self.sources.items()}
        self._users: dict[int, list[tuple[str, int]]] = {}
        for name, script in self.scripts.items():
            for index, line in enumerate(script.lines):
                for leaf_id in line.leaf_ids:
                    self._users.setdefault(leaf_id, []).append((name, index))
        self._leafset = LeafSet([p.prefilter for p in self._patterns])
        self._plans: dict[tuple[tuple[str, frozenset[Zone]], ...], _Plan] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"sources": self.sources, "limits": self.limits}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["sources"], state["limits"])  # type: ignore[misc,arg-type]

    @property
    def leaf_count(self) -> int:
        """Number of distinct leaves across all scripts."""
        return len(self._patterns)

    def _compile(self, name: str, source: str) -> _Script:
        try:
            parsed = parse_script(source, self.limits)
        except TextCensorSyntaxError as exc:
            raise exc.with_script(name) from None
        lines = tuple(self._compile_line(rule) for rule in parsed.lines)
        leaf_ids = frozenset().union(*(line.leaf_ids for line in lines))
        idle = _idle_result(name, parsed.threshold, lines)
        constant = tuple(index for index, line in enumerate(lines) if line.constant)
        return _Script(name, lines, parsed.threshold, leaf_ids, idle, constant)

    def _compile_line(self, rule: ScriptLine) -> _Line:
        leaf_id = {}
        for leaf in iter_leaves(rule.expr):
            patterns = leaf_patterns(leaf)
            if patterns not in self._ids:
                self._ids[patterns] = len(self._patterns)
                self._patterns.append(patterns)
            leaf_id[leaf] = self._ids[patterns]
        op = build_op(rule.expr, leaf_id)
        constant = op.run(Context({}, []))[0] > 0
        return _Line(rule, op, frozenset(leaf_id.values()), constant)

    def evaluate(self, texts: TextcensorInput, zones: ZoneChoice = None) -> dict[str, ScriptResult]:
        """Score every script on one message.

        ``zones`` picks the zones read: None for the defaults (subject, body,
        attachments), a collection of zones for all scripts, or a mapping of
        script name to zones (scripts not named use the defaults).
        """
        if isinstance(zones, Mapping) or not self.scripts:
            chosen = {name: _resolve(zones, name) for name in self.scripts}
        else:
            common = _resolve(zones, "")
            chosen = dict.fromkeys(self.scripts, common)
        scan = self.scan(texts, chosen.items())
        return {name: scan.result(name, chosen[name]) for name in self.scripts}

    def scan(self, texts: TextcensorInput, reads: Iterable[tuple[str, frozenset[Zone]]]) -> MessageScan:
        """Scan one message once for every ``(script name, zones)`` read; score them on demand.

        The policy engine passes every read any rule of the customer makes,
        so each zone text is scanned once per message however many rules
        and zone choices refer to the scripts.
        """
        return MessageScan(self, texts, reads)

    def _plan(self, reads: tuple[tuple[str, frozenset[Zone]], ...]) -> _Plan:
        """Readers of each zone and the leaves to look for in it; memoised, as a policy's reads never change."""
        plan = self._plans.get(reads)
        if plan is None:
            readers: dict[Zone, set[str]] = {}
            for name, zones in reads:
                for zone in zones:
                    readers.setdefault(zone, set()).add(name)
            steps = []
            for zone in Zone:
                names = readers.get(zone)
                if names:
                    wanted = None
                    if len(names) < len(self.scripts):
                        wanted = frozenset().union(*(self.scripts[name].leaf_ids for name in names))
                    steps.append((zone, wanted))
            if len(self._plans) >= MAX_PLANS:
                self._plans.clear()
            plan = self._plans[reads] = readers, tuple(steps)
        return plan

    def _touched(self, hits: dict[int, list[Occ]]) -> dict[str, set[int]]:
        """Script name -> indexes of its lines that have at least one leaf hit."""
        touched: dict[str, set[int]] = {}
        for leaf_id in hits:
            for name, index in self._users.get(leaf_id, ()):
                touched.setdefault(name, set()).add(index)
        return touched

    def _scan_text(self, scan: _Scan, zone: Zone, text: str, wanted: frozenset[int] | None) -> None:
        index = len(scan.data)
        data = text.encode("utf-8", "replace")[:MAX_ZONE_BYTES]
        is_ascii = data.isascii()
        lowered = data.lower() if is_ascii else None
        hits: dict[int, list[Occ]] = {}
        for leaf_id in self._leafset.candidates(data):
            if wanted is not None and leaf_id not in wanted:
                continue
            spans = find_spans(self._patterns[leaf_id], data, is_ascii, lowered)
            if spans:
                hits[leaf_id] = [(index, start, end) for start, end in spans]
        scan.zones.append(zone)
        scan.names.append(zone.value)
        scan.data.append(data)
        scan.words.append(WordIndex(data, is_ascii))
        scan.hits.append(hits)

    def _run(self, script: _Script, scan: _Scan, hits: dict[int, list[Occ]], touched: set[int] | None) -> ScriptResult:
        if not touched:
            return script.idle
        ctx = Context(hits, scan.words)
        found, total = [], 0.0
        for index in sorted(touched.union(script.constant)):
            line = script.lines[index]
            count, spans = line.op.run(ctx)
            if count:
                score = line_score(line.rule.weight, count, line.rule.mult, line.rule.cap)
                total += score
                found.append(_hit(line.rule, count, score, spans, scan))
        return ScriptResult(script.name, total, script.threshold, tuple(found))


class MessageScan:
    """One message scanned for a set of script reads; each result computed once, when asked for.

    Each zone's texts are scanned once, for the leaves of every script that
    reads the zone; hits of a zone choice are merged once and shared by the
    scripts reading it. A read that was not announced gets its own scan.
    """

    def __init__(self, censor: CompiledCensor, texts: TextcensorInput,
                 reads: Iterable[tuple[str, frozenset[Zone]]]) -> None:
        self.censor = censor
        self.texts = texts
        self.readers, plan = censor._plan(tuple(reads))
        self.state = _Scan([], [], [], [], [])
        for zone, wanted in plan:
            for text in texts.texts(zone):
                censor._scan_text(self.state, zone, text[:MAX_ZONE_BYTES], wanted)
        self._touched: list[dict[str, set[int]] | None] = [None] * len(self.state.hits)
        self._merged: dict[frozenset[Zone], dict[int, list[Occ]]] = {}
        self._results: dict[tuple[str, frozenset[Zone]], ScriptResult] = {}

    def result(self, name: str, zones: frozenset[Zone]) -> ScriptResult:
        """The result of script ``name`` reading ``zones`` (a frozenset of :class:`Zone`)."""
        key = (name, zones)
        found = self._results.get(key)
        if found is not None:
            return found
        if not all(name in self.readers.get(zone, ()) for zone in zones):
            found = MessageScan(self.censor, self.texts, [key]).result(name, zones)
        else:
            script = self.censor.scripts[name]
            instances = [index for index, zone in enumerate(self.state.zones) if zone in zones]
            parts = [lines for index in instances if (lines := self._lines_hit(index).get(name))]
            touched = parts[0] if len(parts) == 1 else set().union(*parts)
            if not touched:  # none of the script's leaves occurs in these zones
                found = script.idle
            else:
                hits = self._merged.get(zones)
                if hits is None:
                    hits = self._merged[zones] = _merge(self.state, zones)
                found = self.censor._run(script, self.state, hits, touched)
        self._results[key] = found
        return found

    def _lines_hit(self, index: int) -> dict[str, set[int]]:
        """Script name -> its lines with a leaf hit in zone instance ``index`` (computed once)."""
        lines = self._touched[index]
        if lines is None:
            lines = self._touched[index] = self.censor._touched(self.state.hits[index])
        return lines


def _resolve(zones: ZoneChoice, name: str) -> frozenset[Zone]:
    if zones is None:
        return DEFAULT_ZONES
    if isinstance(zones, Mapping):
        picked = zones.get(name)
        return DEFAULT_ZONES if picked is None else frozenset(Zone(zone) for zone in picked)
    return frozenset(Zone(zone) for zone in zones)


def _merge(scan: _Scan, zones: frozenset[Zone]) -> dict[int, list[Occ]]:
    instances = [index for index, zone in enumerate(scan.zones) if zone in zones]
    if len(instances) == 1:
        return scan.hits[instances[0]]
    merged: dict[int, list[Occ]] = {}
    for index in instances:
        for leaf_id, occs in scan.hits[index].items():
            merged.setdefault(leaf_id, []).extend(occs)
    return merged


def _hit(rule: ScriptLine, count: int, score: float, spans: list[Occ], scan: _Scan | None) -> LineHit:
    zones: dict[str, int] = {}
    samples: list[str] = []
    for zone_index, start, end in spans:
        assert scan is not None
        zone = scan.names[zone_index]
        zones[zone] = zones.get(zone, 0) + 1
        if len(samples) < MAX_SAMPLES:
            sample = scan.data[zone_index][start:end].decode("utf-8", "replace")[:MAX_SAMPLE_CHARS]
            if sample not in samples:
                samples.append(sample)
    return LineHit(rule.line, rule.source, count, score, zones, tuple(samples))


def _idle_result(name: str, threshold: float, lines: tuple[_Line, ...]) -> ScriptResult:
    hits = []
    for line in lines:
        if line.constant:
            score = line_score(line.rule.weight, 1, line.rule.mult, line.rule.cap)
            hits.append(_hit(line.rule, 1, score, [], None))
    return ScriptResult(name, sum((hit.score for hit in hits), 0.0), threshold, tuple(hits))


def compile_scripts(scripts: Mapping[str, str], limits: Limits = DEFAULT_LIMITS) -> CompiledCensor:
    """Compile named scripts; a syntax error names the script, line and column."""
    return CompiledCensor(scripts, limits)


@functools.lru_cache(maxsize=64)
def _compile_one(source: str) -> CompiledCensor:
    return CompiledCensor({"script": source})


def evaluate_one(script_source: str, text: str) -> ScriptResult:
    """Evaluate one script on a plain text (scanned as a message body)."""
    censor = _compile_one(script_source)
    return censor.evaluate(TextcensorInput(body=text), zones=[Zone.BODY])["script"]
