"""Claim definitions: ``queries/claims/<ID>.yaml`` + the measuring query ``<ID>.rq``, and their RDF form."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from ptmkg import __version__
from ptmkg.claims.verdict import validate_rule
from ptmkg.errors import InputError, UnknownNameError
from ptmkg.frames import POPULATIONS, population_iri
from ptmkg.mapping import identity
from ptmkg.mapping import terms as t
from ptmkg.namespaces import DCT, ID, PTMKG, RDFS, SCHEMA, SH
from ptmkg.queries import QUERIES_DIR, CannedQuery, parse_query_file
from ptmkg.snapshot import SnapshotInfo, content_hash

CLAIMS_DIR = QUERIES_DIR / "claims"
DEFINITIONS_SOURCE = "claim-definitions"
STATS = {"proportion", "spearman", "mann_whitney", "wilcoxon_paired", "sign_test", "mcnemar", "chi_square",
         "trend", "gini"}
_TEST_COLUMNS = ("flag", "x", "y", "value", "group", "rows", "cols", "time", "weight")


@dataclass(frozen=True)
class Part:
    """One tested part of a claim: which result columns feed which statistic, and the verdict rule.

    ``source`` names the source whose snapshot feeds the part (default: every snapshot the claim runs over),
    so that its sampling frame is judged alone; ``published`` is the paper's number a replication check
    reproduces; ``impossible`` says why a replication check cannot be run on the shared data.
    """

    name: str
    test: dict[str, Any]
    rule: dict[str, Any]
    source: str | None = None
    published: str = ""
    impossible: str = ""

    @property
    def stat(self) -> str:
        """The stats function name."""
        return str(self.test["stat"])

    @property
    def columns(self) -> list[str]:
        """Result columns this part reads."""
        return [str(self.test[k]) for k in _TEST_COLUMNS if k in self.test] + list(self.test.get("where", {}))


@dataclass(frozen=True)
class ReplicationSpec:
    """Recomputing the paper's published numbers on the paper's own data (``replication:`` in the YAML).

    ``snapshot`` is ``source`` or ``source@version`` of the snapshot holding that data; ``checks`` default to
    the claim's parts, measured by ``query`` (default: the claim's query). ``impossible`` (alone) says why the
    numbers cannot be recomputed from the shared data.
    """

    snapshot: str = ""
    definition: str = ""
    checks: tuple[Part, ...] = ()
    query: CannedQuery | None = None
    impossible: str = ""
    note: str = ""
    covers: str = ""

    @property
    def source(self) -> str:
        """The source name of :attr:`snapshot`."""
        return self.snapshot.partition("@")[0]


@dataclass(frozen=True)
class ClaimDefinition:
    """A literature claim as an executable, versioned test."""

    id: str
    version: int
    wording: str
    citation: str
    paper: str
    published: str
    population: str
    keywords: tuple[str, ...]
    fields: dict[str, str]
    parts: tuple[Part, ...]
    query: CannedQuery
    sources: tuple[str, ...] = ()
    note: str = ""
    population_key: str = ""
    replication: ReplicationSpec | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def iri(self) -> str:
        """The claim node ``id/claim/<ID>``."""
        return f"{ID}claim/{self.id}"

    @property
    def test_iri(self) -> str:
        """The ClaimTest node ``id/claim/<ID>/test/v<version>``."""
        return f"{self.iri}/test/v{self.version}"


def paper_iri(ref: str) -> str:
    """``arxiv:<id>``, ``doi:<doi>`` or ``key:<source>/<key>`` → the Paper IRI of VOCAB.md."""
    scheme, _, key = ref.partition(":")
    normalise = {"arxiv": identity.arxiv_id, "doi": identity.doi, "key": lambda e: e}.get(scheme)
    value = pl.select(normalise(pl.lit(key))).item() if normalise and key else None
    if value is None:
        raise ValueError(f"paper reference must be arxiv:<id>, doi:<doi> or key:<source>/<key>, got {ref!r}")
    return f"{ID}paper/{scheme}/{value}"


def _part(raw: dict[str, Any], path: Path, index: int) -> Part:
    name, published = str(raw.get("name", f"part {index + 1}")), " ".join(str(raw.get("published", "")).split())
    if raw.get("impossible"):
        return Part(name, {}, {}, published=published, impossible=" ".join(str(raw["impossible"]).split()))
    test, rule = raw.get("test") or {}, raw.get("rule") or {}
    if test.get("stat") not in STATS:
        raise InputError(str(path), f"part {index}: stat must be one of {sorted(STATS)}", field="test.stat")
    try:
        validate_rule(rule)
    except ValueError as e:
        raise InputError(str(path), f"part {index}: {e}", field="rule") from None
    return Part(name, test, rule, source=raw.get("source"), published=published)


def _parts(raw: list[dict[str, Any]], path: Path) -> tuple[Part, ...]:
    parts = tuple(_part(p, path, i) for i, p in enumerate(raw))
    if any(p.impossible for p in parts):
        raise InputError(str(path), "'impossible' belongs to replication checks, not to parts", field="parts")
    return parts


def _population(raw: dict[str, Any], path: Path) -> tuple[str, str]:
    pop = raw.get("population")
    if not isinstance(pop, dict) or pop.get("key") not in POPULATIONS or not pop.get("text"):
        raise InputError(str(path), f"population must be {{key, text}} with key one of {sorted(POPULATIONS)}",
                         field="population")
    return str(pop["key"]), " ".join(str(pop["text"]).split())


def _replication(raw: dict[str, Any] | None, path: Path, population_key: str) -> ReplicationSpec | None:
    if raw is None:
        return None
    words = {k: " ".join(str(raw.get(k, "")).split()) for k in ("definition", "impossible", "note")}
    if words["impossible"]:
        if raw.get("snapshot") or raw.get("checks"):
            raise InputError(str(path), "an impossible replication names no snapshot or checks", field="replication")
        return ReplicationSpec(impossible=words["impossible"], note=words["note"])
    if not raw.get("snapshot") or not words["definition"]:
        raise InputError(str(path), "replication needs snapshot and definition (or impossible)", field="replication")
    query = None
    if raw.get("query"):
        rq = path.parent / str(raw["query"])
        if not rq.exists():
            raise InputError(str(rq), "the replication query is missing", field="replication.query")
        query = parse_query_file(rq, f"claims/{rq.stem}")
    checks = tuple(_part(c, path, i) for i, c in enumerate(raw.get("checks") or []))
    covers = str(raw.get("covers") or population_key)
    if covers not in POPULATIONS:
        raise InputError(str(path), f"unknown population {covers!r}", field="replication.covers")
    return ReplicationSpec(str(raw["snapshot"]), words["definition"], checks, query, note=words["note"], covers=covers)


def load_definition(path: Path) -> ClaimDefinition:
    """Parse one claim YAML and its ``.rq`` (same stem); malformed files raise :class:`InputError`."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(str(path), f"malformed YAML: {e}") from None
    for key in ("id", "version", "wording", "source", "published", "population", "fields"):
        if not isinstance(raw, dict) or key not in raw:
            raise InputError(str(path), "missing key", field=key)
    if raw["id"] != path.stem:
        raise InputError(str(path), f"id {raw['id']!r} differs from the file name", field="id")
    rq = path.with_suffix(".rq")
    if not rq.exists():
        raise InputError(str(rq), "the measuring query is missing")
    source = raw["source"]
    published = raw["published"]
    population_key, population = _population(raw, path)
    return ClaimDefinition(
        id=raw["id"],
        version=int(raw["version"]),
        wording=" ".join(str(raw["wording"]).split()),
        citation=" ".join(str(source["citation"]).split()),
        paper=paper_iri(str(source["paper"])),
        published=" ".join(str(published["summary"]).split()),
        population=population,
        keywords=tuple(raw.get("keywords") or ()),
        fields={str(k): str(v) for k, v in (raw["fields"] or {}).items()},
        parts=_parts(raw.get("parts") or [], path),
        query=parse_query_file(rq, f"claims/{raw['id']}"),
        sources=tuple(raw.get("sources") or ()),
        note=" ".join(str(raw.get("note", "")).split()),
        population_key=population_key,
        replication=_replication(raw.get("replication"), path, population_key),
        path=path,
    )


@lru_cache(maxsize=4)
def load_definitions(root: Path = CLAIMS_DIR) -> dict[str, ClaimDefinition]:
    """All claim definitions under ``root``, by id (cached)."""
    return {d.id: d for d in (load_definition(p) for p in sorted(root.glob("*.yaml")))}


def get_definition(claim_id: str, root: Path = CLAIMS_DIR) -> ClaimDefinition:
    """One definition by id (case-insensitive)."""
    defs = load_definitions(root)
    if claim_id.upper() not in defs:
        raise UnknownNameError("claim", claim_id, list(defs))
    return defs[claim_id.upper()]


def definitions_snapshot(root: Path = CLAIMS_DIR) -> SnapshotInfo:
    """The definitions as a snapshot: its hash changes whenever a YAML or query changes."""
    files = sorted([*root.glob("*.yaml"), *root.glob("*.rq")])
    return SnapshotInfo(source=DEFINITIONS_SOURCE, version=__version__, retrieved=_today(),
                        source_url="https://w3id.org/ptmkg/claims", content_hash=content_hash(files),
                        licence=None, files=tuple(f.name for f in files))


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


def definitions_frame(defs: dict[str, ClaimDefinition]) -> pl.DataFrame:
    """One row per claim: the literals and IRIs its RDF description needs."""
    rows = list(defs.values())
    return pl.DataFrame({
        "claim": [d.iri for d in rows], "test": [d.test_iri for d in rows], "id": [d.id for d in rows],
        "wording": [d.wording for d in rows], "paper": [d.paper for d in rows],
        "citation": [d.citation for d in rows], "published": [d.published for d in rows],
        "population": [d.population for d in rows], "version": [d.version for d in rows],
        "population_iri": [population_iri(d.population_key) for d in rows],
        "sparql": [d.query.sparql for d in rows], "query_hash": [d.query.sha256 for d in rows],
        "query_name": [d.query.name for d in rows], "keywords": [list(d.keywords) for d in rows],
        "fields": [list(d.fields) for d in rows], "stats": [[p.stat for p in d.parts] for d in rows],
    }, schema_overrides={"keywords": pl.List(pl.String), "fields": pl.List(pl.String), "stats": pl.List(pl.String)})


def to_triples(defs: dict[str, ClaimDefinition]) -> t.Triples:
    """Claims as ``schema:Claim``/``ptmkg:Claim``, their tests as ``sh:SPARQLSelectExecutable``, and every
    population of :mod:`ptmkg.frames` (claims speak about them, snapshots cover them)."""
    f = definitions_frame(defs)
    claim, test = t.raw_iri("claim"), t.raw_iri("test")
    out = t.Triples()
    out.types(f, claim, PTMKG + "Claim", SCHEMA + "Claim")
    out.types(f, test, PTMKG + "ClaimTest", SH + "SPARQLSelectExecutable", "http://www.w3.org/ns/prov#Plan")
    out.types(f, t.raw_iri("paper"), PTMKG + "Paper")
    out.add(f, claim, PTMKG + "claimId", t.text("id"))
    out.add(f, claim, SCHEMA + "text", t.text("wording"))
    out.add(f, claim, SCHEMA + "isBasedOn", t.raw_iri("paper"))
    out.add(f, claim, PTMKG + "publishedValue", t.text("published"))
    out.add(f, claim, PTMKG + "population", t.text("population"))
    out.add(f, claim, PTMKG + "aboutPopulation", t.raw_iri("population_iri"))
    populations = pl.DataFrame({"population_iri": [population_iri(k) for k in POPULATIONS],
                                "population_label": list(POPULATIONS.values())})
    out.types(populations, t.raw_iri("population_iri"), PTMKG + "Population")
    out.add(populations, t.raw_iri("population_iri"), RDFS + "label", t.text("population_label"))
    out.add(f, claim, PTMKG + "measuredBy", test)
    out.add(f, t.raw_iri("paper"), DCT + "bibliographicCitation", t.text("citation"))
    out.add(f, test, SH + "select", t.text("sparql"))
    out.add(f, test, PTMKG + "claimVersion", t.integer("version"))
    out.add(f, test, PTMKG + "queryHash", t.text("query_hash"))
    out.add(f, test, RDFS + "label", t.text("query_name"))
    for column, predicate in (("keywords", SCHEMA + "keywords"), ("fields", PTMKG + "requiresField"),
                              ("stats", PTMKG + "statisticalTest")):
        exploded = f.select("claim", "test", column).explode(column).drop_nulls(column)
        subject = claim if column == "keywords" else test
        out.add(exploded, subject, predicate, t.text(column))
    return out
