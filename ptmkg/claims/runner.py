"""Run claim definitions against the graph: field checks, measuring query, tests, corrections, verdicts."""

from __future__ import annotations

import dataclasses
import html
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from ptmkg import stoppable
from ptmkg.claims import display, stats
from ptmkg.claims.definitions import (
    CLAIMS_DIR,
    DEFINITIONS_SOURCE,
    ClaimDefinition,
    Part,
    definitions_snapshot,
    get_definition,
    load_definitions,
    to_triples,
)
from ptmkg.claims.measure import derive, measure, missing_share, select_rows
from ptmkg.claims.verdict import (
    Decision,
    Replication,
    ReplicationDecision,
    Verdict,
    combine,
    combine_replication,
    decide,
    not_comparable,
    published_value,
    replication_check,
    statistic,
    summarise,
    tested,
)
from ptmkg.errors import PtmkgError
from ptmkg.frames import frame_for
from ptmkg.namespaces import CATALOG_GRAPH
from ptmkg.snapshot import text_hash

if TYPE_CHECKING:
    from ptmkg.store import GraphStore

RUN_SOURCE = "claims"
_NOT_DATA = {DEFINITIONS_SOURCE, RUN_SOURCE}
RESULT_SCHEMA = {
    "id": pl.String, "verdict": pl.String, "n": pl.Int64, "estimate": pl.Float64, "ci_low": pl.Float64,
    "ci_high": pl.Float64, "effect_size": pl.Float64, "p_value": pl.Float64, "p_adjusted": pl.Float64,
    "published": pl.String, "reason": pl.String, "snapshots": pl.List(pl.String),
    "population": pl.String, "frames": pl.List(pl.String), "replication": pl.String,
    "replication_reason": pl.String, "replication_snapshot": pl.String, "summary": pl.String, "part": pl.String,
}
PARTS_SCHEMA = {
    "id": pl.String, "part": pl.String, "verdict": pl.String, "statistic": pl.String, "n": pl.Int64,
    "estimate": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64, "published": pl.String,
    "tested": pl.String, "p_value": pl.Float64, "p_adjusted": pl.Float64, "effect_size": pl.Float64,
    "effect_name": pl.String, "missing": pl.List(pl.String), "reason": pl.String,
}


@dataclass(frozen=True)
class Snapshot:
    """A loaded data snapshot a claim can run over, with the sampling frame its catalog record states."""

    graph: str
    source: str
    version: str
    content_hash: str
    frame_kind: str = ""
    covers: tuple[str, ...] = ()
    frame_method: str = ""

    @property
    def label(self) -> str:
        """``source@version``."""
        return f"{self.source}@{self.version}"

    @property
    def frame(self) -> str:
        """The frame in words: ``kind (how drawn)``."""
        return f"{self.frame_kind or 'no stated frame'}" + (f" ({self.frame_method})" if self.frame_method else "")

    def __repr__(self) -> str:
        covers = f", covers {', '.join(self.covers)}" if self.covers else ""
        return f"<Snapshot {self.label}: {self.frame}{covers}; {self.graph}>"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>"


@dataclass
class PartOutcome:
    """One part of a claim: its test result (if any) and decision."""

    part: Part
    result: stats.TestResult | None
    missing_fields: list[str]
    missing_share: float
    decision: Decision | None = None
    check: ReplicationDecision | None = None

    @property
    def counted(self) -> bool:
        """Whether the part checks a count against a published count (its estimate is then the count)."""
        return self.result is not None and "expected" in self.result.details

    @property
    def note(self) -> str:
        """What an unjudged part lacks, for the claim's summary: the fields it needs, or its frame."""
        label = self.decision.label if self.decision else None
        if label == Verdict.NOT_MEASURABLE and self.missing_fields:
            return f"needs {', '.join(self.missing_fields)}"
        if label == Verdict.INSUFFICIENT_DATA and self.decision:
            return self.decision.reason.rsplit(" → ", 1)[0]
        if label == Verdict.NOT_COMPARABLE:
            return "sample does not cover the population"
        return ""

    def __repr__(self) -> str:
        label = self.decision.label.value if self.decision else "not decided"
        r = self.result
        if r is not None and r.estimate is not None:
            measured = f"{statistic(r.test)} {r.estimate:.3g} (n={r.n:,})"
        else:
            measured = f"needs {', '.join(self.missing_fields)}" if self.missing_fields else "not measured"
        return f"<part {self.part.name!r}: {label}; {measured}>"

    def row(self, claim_id: str) -> dict[str, object]:
        """One row of :func:`parts_frame`: this part's verdict, its estimate beside the published number it is
        compared with (in the same unit: a count with a count), the test and the full reason."""
        r, counted = self.result, self.counted
        estimate = None if r is None else float(r.details["count"]) if counted else r.estimate
        return {"id": claim_id, "part": self.part.name,
                "verdict": self.decision.label.value if self.decision else None,
                "statistic": statistic("count" if counted else r.test if r else self.part.stat),
                "n": r.n if r else None, "estimate": estimate,
                "ci_low": None if r is None or counted else r.ci_low,
                "ci_high": None if r is None or counted else r.ci_high,
                "published": published_value(self.part.rule, r) or self.part.published or None,
                "tested": "count = published" if counted else tested(self.part.rule, r.test if r else self.part.stat),
                "p_value": None if r is None else r.details.get("p_raw", r.p_value),
                "p_adjusted": r.p_value if r else None, "effect_size": r.effect_size if r else None,
                "effect_name": r.effect_name if r else None, "missing": list(self.missing_fields),
                "reason": (f"counted {r.details['count']:,} vs published {r.details['expected']:,}; " if counted
                           else "") + self.decision.reason if self.decision else None}


@dataclass
class ReplicationOutcome:
    """The replication step: the paper's published numbers recomputed on the paper's own data."""

    label: Replication
    reason: str
    snapshot: Snapshot | None = None
    checks: list[PartOutcome] = field(default_factory=list)
    evidence: pl.DataFrame = field(default_factory=pl.DataFrame)

    def __repr__(self) -> str:
        on = f" on {self.snapshot.label}" if self.snapshot else ""
        return f"<replication {self.label.value}{on}: {self.reason}>"


@dataclass
class ClaimOutcome:
    """A claim's verdict with the parts, the evidence rows and the snapshots it ran over."""

    definition: ClaimDefinition
    snapshots: list[Snapshot]
    parts: list[PartOutcome]
    evidence: pl.DataFrame
    decision: Decision = field(default_factory=lambda: Decision(Verdict.NOT_MEASURABLE, ""))
    replication: ReplicationOutcome | None = None

    def __repr__(self) -> str:
        return f"<ClaimOutcome {display.outcome_text(self)}>"

    def __str__(self) -> str:
        from ptmkg.claims.report import text_report

        return text_report([self]).rstrip()

    def _repr_html_(self) -> str:
        return display.outcome_html(self)

    @property
    def primary(self) -> PartOutcome | None:
        """The first part with a test result (its numbers head the verdict)."""
        return next((p for p in self.parts if p.result is not None), None)

    @property
    def summary(self) -> str:
        """The parts' verdicts counted, e.g. ``1 of 2 parts SUPPORTED · 1 NOT MEASURABLE (needs run.autoTrain)``
        (the claim's verdict combines them by :data:`~ptmkg.claims.verdict.COMBINATION_RULE`)."""
        if not self.definition.parts:
            return "no tested part (context claim)"
        return summarise([(p.decision.label, p.note) for p in self.parts if p.decision])

    @property
    def result_hash(self) -> str:
        """Hash of the evidence rows (order-independent)."""
        ev = self.evidence
        text = ev.select(pl.all().cast(pl.String)).sort(ev.columns).write_csv() if ev.width else ""
        return text_hash(text)

    def row(self) -> dict[str, object]:
        """The summary row of :meth:`ClaimsRunner.run`."""
        p, rep = self.primary, self.replication
        r = p.result if p else None
        raw = None if r is None else r.details.get("p_raw", r.p_value)
        return {"id": self.definition.id, "verdict": self.decision.label.value, "n": r.n if r else None,
                "estimate": r.estimate if r else None, "ci_low": r.ci_low if r else None,
                "ci_high": r.ci_high if r else None, "effect_size": r.effect_size if r else None,
                "p_value": raw, "p_adjusted": r.p_value if r else None,
                "published": self.definition.published, "reason": self.decision.reason,
                "snapshots": [s.label for s in self.snapshots],
                "population": f"{self.definition.population_key}: {self.definition.population}",
                "frames": [s.frame for s in self.snapshots],
                "replication": rep.label.value if rep else None, "replication_reason": rep.reason if rep else None,
                "replication_snapshot": rep.snapshot.label if rep and rep.snapshot else None,
                "summary": self.summary, "part": p.part.name if p else None}


_FRAMES_QUERY = f"""
SELECT ?graph ?kind ?method (GROUP_CONCAT(STR(?population); separator=" ") AS ?covers) WHERE {{
  GRAPH <{CATALOG_GRAPH}> {{
    ?graph ptmkg:frameKind ?kind . OPTIONAL {{ ?graph ptmkg:samplingMethod ?method }}
    OPTIONAL {{ ?graph ptmkg:coversPopulation ?population }}
  }}
}} GROUP BY ?graph ?kind ?method"""
_FILES_QUERY = f"""SELECT ?graph (GROUP_CONCAT(?f; separator="\\n") AS ?files) WHERE {{
  GRAPH <{CATALOG_GRAPH}> {{ ?graph ptmkg:inputFile ?f }} }} GROUP BY ?graph"""


def loaded_snapshots(store: GraphStore) -> list[Snapshot]:
    """Data snapshots in the store (claim definitions and verdict graphs excluded), oldest first, each with the
    sampling frame of its catalog record (or, for a record written before frames were recorded, of its source)."""
    frame = store.snapshots()
    stated = {r["graph"]: r for r in store.query(_FRAMES_QUERY).iter_rows(named=True)}
    files = {r["graph"]: tuple(r["files"].split("\n")) for r in store.query(_FILES_QUERY).iter_rows(named=True)}
    out = []
    for r in frame.iter_rows(named=True):
        if r["source"] in _NOT_DATA:
            continue
        if r["graph"] in stated:
            f = stated[r["graph"]]
            kind, method = f["kind"], f["method"] or ""
            covers = tuple(iri.rsplit("/", 1)[-1] for iri in (f["covers"] or "").split())
        else:
            known = frame_for(r["source"], files.get(r["graph"], ()))
            kind, method, covers = (known.kind, known.drawn, known.covers) if known else ("", "", ())
        out.append(Snapshot(r["graph"], r["source"], str(r["version"]), r["hash"], kind, covers, method))
    return out


def resolve_snapshots(store: GraphStore, refs: list[str]) -> list[Snapshot]:
    """Snapshots named by graph IRI, ``source@version`` (a version prefix will do), ``source`` (latest)
    or a content-hash prefix."""
    snaps = loaded_snapshots(store)
    out: list[Snapshot] = []
    for ref in refs:
        source, _, version = ref.partition("@")
        hits = [s for s in snaps if ref == s.graph or (version and s.source == source and s.version.startswith(version))
                or s.content_hash.removeprefix("sha256:").startswith(ref.removeprefix("sha256:"))
                or s.graph.rsplit("/", 1)[-1].startswith(ref)]
        if not hits and not version:
            hits = [s for s in snaps if s.source == ref][-1:]
        if len(hits) != 1:
            known = ", ".join(s.label for s in snaps) or "none loaded"
            raise PtmkgError(f"snapshot '{ref}' {'is ambiguous' if hits else 'not found'}; loaded: {known}")
        out.append(hits[0])
    return out


def latest_per_source(snaps: list[Snapshot], store: GraphStore) -> list[Snapshot]:
    """The most recently retrieved snapshot of each source."""
    order = store.snapshots().filter(~pl.col("source").is_in(list(_NOT_DATA)))
    latest = order.sort("retrieved").group_by("source").agg(pl.col("graph").last())["graph"].to_list()
    return [s for s in snaps if s.graph in latest]


def ensure_definitions(store: GraphStore) -> str:
    """Load the claim definitions as RDF (once per content); returns their graph IRI."""
    info = definitions_snapshot()
    existing = store.find_snapshot(info.source, info.content_hash)
    if existing:
        return existing
    if store.read_only:
        return info.graph
    store.load_snapshot(info, to_triples(load_definitions()))
    return info.graph


class ClaimHandle:
    """One claim bound to a store: ``.run()`` it or look at the ``.evidence()`` behind its verdict."""

    def __init__(self, runner: ClaimsRunner, definition: ClaimDefinition):
        self.runner, self.definition = runner, definition

    def outcome(self, snapshots: list[str] | None = None, *, stop: threading.Event | None = None) -> ClaimOutcome:
        """Run this claim alone (Holm within the claim, no batch correction); setting ``stop`` kills the query
        running then (:class:`ptmkg.stoppable.Stopped`)."""
        return self.runner.outcomes([self.definition.id], snapshots, stop=stop)[0]

    def evidence(self, snapshots: list[str] | None = None) -> pl.DataFrame:
        """The rows of the measuring query behind the verdict (with derived columns)."""
        return self.outcome(snapshots).evidence

    def __repr__(self) -> str:
        return f"<claim {self.definition.id} v{self.definition.version}: {self.definition.wording[:60]}…>"

    def _repr_html_(self) -> str:
        return display.catalogue_html({self.definition.id: self.definition})


class ClaimsRunner:
    """``kg.claims``: run literature claims as tests against the graph."""

    def __init__(self, store: GraphStore):
        self.store = store

    def __repr__(self) -> str:
        ids = list(self.definitions())
        return f"<kg.claims: {len(ids)} claims, {ids[0]} … {ids[-1]}; kg.claims.run() tests them all>"

    def _repr_html_(self) -> str:
        return display.catalogue_html(self.definitions())

    def definitions(self) -> dict[str, ClaimDefinition]:
        """All claim definitions by id."""
        return load_definitions(CLAIMS_DIR)

    def get(self, claim_id: str) -> ClaimHandle:
        """One claim by id."""
        return ClaimHandle(self, get_definition(claim_id))

    def run(self, ids: list[str] | None = None, snapshots: list[str] | None = None, *,
            record: bool = False, parts: bool = False, progress: bool | None = None,
            stop: threading.Event | None = None) -> pl.DataFrame:
        """Run claims (all by default) and return one row per claim (``parts``: one row per part, see
        :func:`parts_frame`); ``record`` stores the verdicts as RDF. ``progress`` and ``stop``: see
        :meth:`outcomes`."""
        outcomes = self.outcomes(ids, snapshots, progress=progress, stop=stop)
        if record:
            from ptmkg.claims.record import record_run

            record_run(self.store, outcomes)
        return parts_frame(outcomes) if parts else results_frame(outcomes)

    def outcomes(self, ids: list[str] | None = None, snapshots: list[str] | None = None, *,
                 progress: bool | None = None, stop: threading.Event | None = None) -> list[ClaimOutcome]:
        """Full outcomes (parts, evidence) with Holm within each claim and Benjamini–Hochberg across the batch.

        Each outcome also carries its replication step, run on the loaded snapshot of the paper's own data
        whichever ``snapshots`` the verdict runs over (its p-values are not adjusted: it reproduces numbers,
        it does not test the batch). ``progress`` shows a bar over the claims (None: in notebooks only);
        setting ``stop`` (from another thread) kills the query running then and raises
        :class:`ptmkg.stoppable.Stopped`: no verdicts, as the batch correction needs them all."""
        defs = [get_definition(i) for i in ids] if ids else list(self.definitions().values())
        if not self.store.read_only:
            ensure_definitions(self.store)
        loaded = loaded_snapshots(self.store)
        chosen = resolve_snapshots(self.store, snapshots) if snapshots else latest_per_source(loaded, self.store)
        outcomes = []
        for i, d in enumerate(stoppable.progress(defs, len(defs), "claims", "claim", progress)):
            try:
                stoppable.check(stop, d.id)
                o = self._measure(d, chosen, stop)
                o.replication = self._replicate(d, loaded, stop)  # on the paper's data: no batch correction
            except stoppable.Stopped:
                raise stoppable.Stopped(f"the claims run (at {d.id}, {i} of {len(defs)} claims done)") from None
            outcomes.append(o)
        _correct(outcomes)
        for o in outcomes:
            _decide(o)
        return outcomes

    def _measure(self, d: ClaimDefinition, chosen: list[Snapshot], stop: threading.Event | None) -> ClaimOutcome:
        snaps = scope(d, chosen)
        if not snaps:
            where = f"sources {', '.join(d.sources)}" if d.sources else "data"
            parts = [PartOutcome(p, None, [f"a loaded snapshot of {where}"], 0.0) for p in d.parts]
            return ClaimOutcome(d, snaps, parts, pl.DataFrame())
        parts, evidence = self._run_parts(d, d.parts, d.query.sparql, snaps, list(d.fields), stop)
        return ClaimOutcome(d, snaps, parts, evidence)

    def _run_parts(self, d: ClaimDefinition, parts: tuple[Part, ...], sparql: str, snaps: list[Snapshot],
                   needs: list[str], stop: threading.Event | None) -> tuple[list[PartOutcome], pl.DataFrame]:
        """Field checks (ASK per field a part ``needs``), the measuring query over ``snaps``, and each part's test."""
        graphs = [s.graph for s in snaps]
        wanted = {f for p in parts for f in p.test.get("needs", needs)}
        missing = [name for name, pattern in d.fields.items()
                   if name in wanted and not stoppable.query(self.store, f"ASK {{ {pattern} }}", stop, graphs=graphs)]
        testable = [p for p in parts if not p.impossible]
        runnable = any(not set(p.test.get("needs", needs)) & set(missing) for p in testable)
        evidence = stoppable.query(self.store, sparql, stop, graphs=graphs) if runnable else pl.DataFrame()
        if runnable:
            evidence = derive(evidence, [op for p in testable for op in p.test.get("derive", [])])
        out = []
        for p in parts:
            absent = [f for f in p.test.get("needs", needs) if f in missing]
            if p.impossible or absent:
                out.append(PartOutcome(p, None, absent, 0.0))
                continue
            rows = select_rows(evidence, p)
            out.append(PartOutcome(p, measure(rows, p), [], missing_share(rows, p)))
        return out, evidence

    def _replicate(self, d: ClaimDefinition, loaded: list[Snapshot],
                   stop: threading.Event | None) -> ReplicationOutcome | None:
        """Recompute the paper's numbers on the snapshot holding the paper's own data (``replication:``)."""
        r = d.replication
        if r is None:
            return None
        if r.impossible:
            return ReplicationOutcome(Replication.NOT_REPLICABLE, r.impossible)
        snap = replication_snapshot(d, loaded)
        if snap is None:
            return ReplicationOutcome(Replication.NOT_RUN, f"the paper's data ({r.snapshot}) is not loaded: "
                                                           f"ptmkg ingest {r.source} <its folder>")
        checks = r.checks or d.parts
        sparql = (r.query or d.query).sparql
        parts, evidence = self._run_parts(d, checks, sparql, [snap], [] if r.checks else list(d.fields), stop)
        for p in parts:
            if p.part.impossible:
                p.check = ReplicationDecision(Replication.NOT_REPLICABLE, f"{p.part.impossible} → NOT REPLICABLE")
                continue
            p.decision = decide(p.part.rule, p.result, missing_fields=p.missing_fields, missing_share=p.missing_share)
            p.check = replication_check(p.part.rule, p.decision)
        label = combine_replication([p.check for p in parts])
        reason = "; ".join(_check_reason(p) for p in parts) + (f". {r.note}" if r.note else "")
        return ReplicationOutcome(label, f"{r.definition} — {reason}", snap, parts, evidence)


def replication_snapshot(d: ClaimDefinition, loaded: list[Snapshot]) -> Snapshot | None:
    """The latest loaded snapshot named by the claim's replication block whose frame covers its ``covers``
    population (the paper's own data: e.g. the family trees, not a live harvest of the same source)."""
    r = d.replication
    if r is None or not r.snapshot:
        return None
    source, _, version = r.snapshot.partition("@")
    hits = [s for s in loaded if s.source == source and s.version.startswith(version) and r.covers in s.covers]
    return hits[-1] if hits else None


def feeding(o: ClaimOutcome, part: Part) -> list[Snapshot]:
    """The snapshots whose rows feed a part: those of its ``source`` (``a|b``) if any is in the run, else all."""
    named = [s for s in o.snapshots if part.source and s.source in part.source.split("|")]
    return named or o.snapshots


def _check_reason(p: PartOutcome) -> str:
    published = f" (published: {p.part.published})" if p.part.published else ""
    r = p.result
    counted = (f"counted {r.details['count']:,} vs published {r.details['expected']:,}; "
               if r is not None and "expected" in r.details else "")
    return f"{p.part.name}{published}: {counted}{p.check.reason if p.check else ''}"


def scope(d: ClaimDefinition, chosen: list[Snapshot]) -> list[Snapshot]:
    """The chosen snapshots a claim runs over: one per listed source; ``a|b`` takes the first of a, b present.

    Alternatives keep overlapping sources (the starter snapshot is drawn from the hf family trees) from being
    unioned, which would count shared triples twice in Oxigraph's multi-graph default graph.
    """
    if not d.sources:
        return chosen
    out: list[Snapshot] = []
    for entry in d.sources:
        for name in entry.split("|"):
            hits = [s for s in chosen if s.source == name]
            if hits:
                out += hits
                break
    return out


def retest(outcome: ClaimOutcome, rows: pl.DataFrame) -> ClaimOutcome:
    """The claim's tests and verdict rules re-run on ``rows`` (a subset of its evidence) as a one-claim batch.

    Derived columns keep the values computed on all rows; parts whose fields are absent stay unmeasured; the
    replication step (on the paper's data, not on these rows) is kept as it was.
    """
    d = outcome.definition
    if not d.parts or not outcome.evidence.width:
        return outcome
    parts = []
    for old in outcome.parts:
        if old.missing_fields:
            parts.append(PartOutcome(old.part, None, old.missing_fields, 0.0))
            continue
        selected = select_rows(rows, old.part)
        parts.append(PartOutcome(old.part, measure(selected, old.part), [], missing_share(selected, old.part)))
    new = ClaimOutcome(d, outcome.snapshots, parts, rows, replication=outcome.replication)
    _correct([new])
    _decide(new)
    return new


def _correct(outcomes: list[ClaimOutcome]) -> None:
    """Holm within each claim's parts, then Benjamini–Hochberg over every part of the batch."""
    for o in outcomes:
        tested = [p for p in o.parts if p.result is not None]
        for p, r in zip(tested, stats.adjust([p.result for p in tested], "holm")):
            p.result = r
    tested = [p for o in outcomes for p in o.parts if p.result is not None]
    if len(tested) > 1:
        for p, r in zip(tested, stats.adjust([p.result for p in tested], "bh")):
            raw = p.result.details.get("p_raw", p.result.p_value)
            p.result = r if r.p_value is None else dataclasses.replace(r, details={**r.details, "p_raw": raw,
                                                                                    "p_adjust": "holm+bh"})


def _decide(o: ClaimOutcome) -> None:
    if not o.definition.parts:
        fields = ", ".join(o.definition.fields) or "none"
        o.decision = Decision(Verdict.NOT_MEASURABLE,
                              f"context claim without a statistical test (would need: {fields}) → NOT MEASURABLE")
        return
    own = o.replication.snapshot if o.replication else None
    for p in o.parts:
        p.decision = decide(p.part.rule, p.result, missing_fields=p.missing_fields, missing_share=p.missing_share)
        outside = [s for s in feeding(o, p.part) if s != own and o.definition.population_key not in s.covers]
        if outside:
            frames = " and ".join(f"{s.label} ({s.frame_kind or 'no stated frame'})" for s in outside)
            population = f"{o.definition.population} [{o.definition.population_key}]"
            p.decision = not_comparable(p.decision, frames, population)
    decisions = [dataclasses.replace(p.decision, reason=f"{p.part.name}: {p.decision.reason}") for p in o.parts]
    o.decision = decisions[0] if len(decisions) == 1 else combine(decisions)


def results_frame(outcomes: list[ClaimOutcome]) -> pl.DataFrame:
    """One row per claim outcome: ``summary`` counts its parts' verdicts; n, estimate, CI and p are those of its
    first measured part, named in ``part`` (:func:`parts_frame` has every part's)."""
    return pl.DataFrame([o.row() for o in outcomes], schema=RESULT_SCHEMA)


def parts_frame(outcomes: list[ClaimOutcome]) -> pl.DataFrame:
    """One row per tested part: claim id, part, verdict, statistic, n, estimate with CI, the published number
    it is compared with (same unit), what the rule tests, raw and adjusted p, effect size and the full reason."""
    return pl.DataFrame([p.row(o.definition.id) for o in outcomes for p in o.parts], schema=PARTS_SCHEMA)
