"""Verdicts → RDF: one named graph per run (``graph/claims/<run-hash>``) with PROV.

Each claim's Verdict links (``dct:hasPart``) one ptmkg:VerdictPart per tested part
(``verdict/<run>/<claim>/part/<i>``, ``dct:isPartOf`` back): its name (rdfs:label), position, verdict,
statistic (what the estimate measures: ``share p̂``, ``Spearman ρ``, ``count``), n, estimate, CI, raw and
adjusted p, the published number in the estimate's unit, what its rule tests and its full reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from ptmkg import __version__
from ptmkg.claims.runner import RUN_SOURCE, ClaimOutcome, parts_frame
from ptmkg.mapping import terms as t
from ptmkg.namespaces import DCT, ID, PROV, PTMKG, RDFS, SCHEMA
from ptmkg.snapshot import SnapshotInfo, text_hash

if TYPE_CHECKING:
    from ptmkg.store import GraphStore


def outcomes_frame(outcomes: list[ClaimOutcome], run_key: str) -> pl.DataFrame:
    """One row per claim outcome with the IRIs and values its Verdict node carries."""
    rows = []
    for o in outcomes:
        r = o.row()
        d = o.definition
        rows.append({**{k: r[k] for k in ("verdict", "n", "estimate", "ci_low", "ci_high", "effect_size",
                                          "p_value", "p_adjusted", "reason")},
                     "replication": r["replication"], "replication_reason": r["replication_reason"],
                     "replicated_on": o.replication.snapshot.graph if o.replication and o.replication.snapshot else None,
                     "replication_estimate": _replication_estimate(o),
                     "verdict_node": f"{ID}verdict/{run_key}/{d.id}", "claim": d.iri, "test": d.test_iri,
                     "version": d.version, "query_hash": d.query.sha256, "result_hash": o.result_hash,
                     "snapshots": [s.graph for s in o.snapshots],
                     "snapshot_hashes": [s.content_hash for s in o.snapshots]})
    return pl.DataFrame(rows, schema_overrides={"n": pl.Int64, "estimate": pl.Float64, "ci_low": pl.Float64,
                                                "ci_high": pl.Float64, "effect_size": pl.Float64,
                                                "p_value": pl.Float64, "p_adjusted": pl.Float64,
                                                "replication": pl.String, "replication_reason": pl.String,
                                                "replicated_on": pl.String, "replication_estimate": pl.Float64,
                                                "snapshots": pl.List(pl.String),
                                                "snapshot_hashes": pl.List(pl.String)})


def part_rows(outcomes: list[ClaimOutcome], run_key: str) -> pl.DataFrame:
    """One row per tested part (:func:`~ptmkg.claims.runner.parts_frame`) with its VerdictPart IRI, the claim
    Verdict it belongs to and its 1-based position."""
    parts = parts_frame(outcomes).with_columns(position=pl.int_range(1, pl.len() + 1).over("id"))
    return parts.with_columns(
        verdict_node=pl.lit(f"{ID}verdict/{run_key}/") + pl.col("id"),
        part_node=pl.lit(f"{ID}verdict/{run_key}/") + pl.col("id") + "/part/" + pl.col("position").cast(pl.String))


def _part_triples(out: t.Triples, parts: pl.DataFrame) -> None:
    v, part = t.raw_iri("verdict_node"), t.raw_iri("part_node")
    out.add(parts, v, DCT + "hasPart", part)
    out.types(parts, part, PTMKG + "VerdictPart")
    out.add(parts, part, DCT + "isPartOf", v)
    out.add(parts, part, RDFS + "label", t.text("part"))
    out.add(parts, part, SCHEMA + "position", t.integer("position"))
    out.add(parts, part, PTMKG + "verdict", t.text("verdict"))
    out.add(parts, part, PTMKG + "statistic", t.text("statistic"))
    out.add(parts, part, PTMKG + "n", t.integer("n"))
    for column, name in (("estimate", "estimate"), ("ci_low", "ciLow"), ("ci_high", "ciHigh"),
                         ("effect_size", "effectSize"), ("p_value", "pValue"), ("p_adjusted", "pAdjusted")):
        out.add(parts, part, PTMKG + name, t.double(column))
    out.add(parts, part, PTMKG + "publishedNumber", t.text("published"))
    out.add(parts, part, PTMKG + "tested", t.text("tested"))
    out.add(parts, part, RDFS + "comment", t.text("reason"))


def _replication_estimate(o: ClaimOutcome) -> float | None:
    checks = o.replication.checks if o.replication else []
    return next((p.result.estimate for p in checks if p.result is not None), None)


def run_triples(outcomes: list[ClaimOutcome], run_key: str, at: datetime) -> t.Triples:
    """The Verdict nodes of one run, its ClaimRun activity, and prov:used links to the snapshots."""
    f = outcomes_frame(outcomes, run_key)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    run = t.const(f"{ID}claimrun/{run_key}")
    v = t.raw_iri("verdict_node")
    out = t.Triples()
    out.types(f.head(1), run, PTMKG + "ClaimRun", PROV + "Activity")
    out.add(f.head(1), run, PROV + "endedAtTime", t.typed(pl.lit(stamp), "dateTime"))
    out.add(f.head(1), run, PTMKG + "ptmkgVersion", t.text(pl.lit(__version__)))
    out.add(f, run, PROV + "used", t.raw_iri("test"))
    out.types(f, v, PTMKG + "Verdict", PROV + "Entity")
    out.add(f, v, PTMKG + "verdictOf", t.raw_iri("claim"))
    out.add(f, v, PROV + "wasGeneratedBy", run)
    out.add(f, v, PROV + "generatedAtTime", t.typed(pl.lit(stamp), "dateTime"))
    out.add(f, v, PTMKG + "verdict", t.text("verdict"))
    out.add(f, v, PTMKG + "claimVersion", t.integer("version"))
    out.add(f, v, PTMKG + "queryHash", t.text("query_hash"))
    out.add(f, v, PTMKG + "resultHash", t.text("result_hash"))
    out.add(f, v, PTMKG + "n", t.integer("n"))
    for column, name in (("estimate", "estimate"), ("ci_low", "ciLow"), ("ci_high", "ciHigh"),
                         ("effect_size", "effectSize"), ("p_value", "pValue"), ("p_adjusted", "pAdjusted")):
        out.add(f, v, PTMKG + name, t.double(column))
    out.add(f, v, RDFS + "comment", t.text("reason"))
    out.add(f, v, PTMKG + "replication", t.text("replication"))
    out.add(f, v, PTMKG + "replicationReason", t.text("replication_reason"))
    out.add(f, v, PTMKG + "replicationEstimate", t.double("replication_estimate"))
    replicated = f.drop_nulls("replicated_on")
    out.add(replicated, v, PTMKG + "replicatedOn", t.raw_iri("replicated_on"))
    out.add(replicated, v, PROV + "used", t.raw_iri("replicated_on"))
    used = f.select("verdict_node", "snapshots", "snapshot_hashes").explode("snapshots", "snapshot_hashes").drop_nulls()
    out.add(used, v, PROV + "used", t.raw_iri("snapshots"))
    out.add(used, run, PROV + "used", t.raw_iri("snapshots"))
    out.add(used, t.raw_iri("snapshots"), PTMKG + "contentHash", t.text("snapshot_hashes"))
    _part_triples(out, part_rows(outcomes, run_key))
    return out


def record_run(store: GraphStore, outcomes: list[ClaimOutcome], at: datetime | None = None) -> str:
    """Store a run's verdicts in their own catalogued graph ``graph/claims/<run-hash>``; returns its IRI."""
    if not outcomes:
        raise ValueError("nothing to record")
    at = at or datetime.now(UTC)
    key = "|".join(sorted(f"{o.definition.id}:{o.definition.version}:{o.definition.query.sha256}:{o.result_hash}:"
                          f"{','.join(s.content_hash for s in o.snapshots)}" for o in outcomes))
    run_hash = text_hash(f"{at.isoformat()}|{key}")
    info = SnapshotInfo(source=RUN_SOURCE, version=f"run {at.strftime('%Y-%m-%dT%H:%M:%SZ')}",
                        retrieved=at.strftime("%Y-%m-%dT%H:%M:%SZ"), source_url=f"{PTMKG}claims",
                        content_hash=run_hash, licence=None)
    triples = run_triples(outcomes, info.graph.rsplit("/", 1)[-1], at)
    store.load_snapshot(info, triples)
    return info.graph
