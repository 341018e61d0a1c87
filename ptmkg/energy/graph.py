"""Estimated energy and CO2e for every TrainingRun in the store, in their own snapshot.

:func:`estimate_store` reads the runs' reported hardware, accelerator count, duration and
location (one SPARQL query over every snapshot except earlier estimates), parses and
resolves them with :mod:`ptmkg.energy`, and loads the estimates as the snapshot
``energy-estimates`` — one at a time: a new estimate replaces the previous one.  Reported
data is never touched; the estimates only link to it.

Per estimated run (IRIs under ``quantity/energy-estimates/``)::

    run ptmkg:energy    <…/energy>     (unit:KiloW-HR)   ptmkg:hardware <hardware/<id>>
    run ptmkg:emissions <…/emissions>  (unit:KiloGM)

each a ptmkg:Quantity obtainedBy ptmkg:Estimated with ptmkg:method, ptmkg:lowValue,
ptmkg:highValue, ptmkg:boundsFrom (what makes the bounds differ) and ptmkg:estimatedFrom
links to the inputs: the run's duration Quantity and shared constant Quantities
(``…/constant/<role>/<key>``: TDP, PUE, utilisation, grid intensity — each with its
ptmkg:inputRole, dct:source and basis as ptmkg:method).  A carbon intensity reported for
the run (counting-carbon) is used instead of the grid table, linked as it stands.

A run that cannot be estimated without guessing gets ``ptmkg:estimateSkipped "<reason>"``.
Durations stated in accelerator hours ("GPU hours") are used with a count of 1.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from importlib.resources import files

import polars as pl

from ptmkg import __version__
from ptmkg.energy.card_extract import parse_provider
from ptmkg.energy.estimate import Estimate, estimate
from ptmkg.energy.grid import find_country
from ptmkg.energy.hardware import hardware_table
from ptmkg.energy.parse import Duration, HardwareSpec, parse_duration, parse_hardware
from ptmkg.mapping.terms import Triples, const, double, entity, raw_iri, text
from ptmkg.namespaces import DCT, ID, PROV, PTMKG, QUDT, SCHEMA, UNIT
from ptmkg.snapshot import SnapshotInfo, text_hash
from ptmkg.store import GraphStore

__all__ = ["SOURCE", "EstimateResult", "estimate_store", "run_inputs"]

SOURCE = "energy-estimates"
SOURCE_URL = "https://w3id.org/ptmkg/energy-estimates"
QUANTITY = ID + "quantity/energy-estimates/"
HOURS_PER_UNIT = {"HR": 1.0, "SEC": 1 / 3600, "MIN": 1 / 60, "DAY": 24.0, "WK": 168.0}
G_PER_KWH_PER_UNIT = {"KiloGM-PER-KiloW-HR": 1000.0, "GM-PER-KiloW-HR": 1.0}

INPUTS = """
SELECT ?run ?hardware ?count ?duration ?dvalue ?dunit ?draw ?country ?provider ?region ?location
       ?intensity ?ivalue ?iunit WHERE {
  ?run a ptmkg:TrainingRun .
  OPTIONAL { ?run ptmkg:hardwareRaw ?hardware }
  OPTIONAL { ?run ptmkg:acceleratorCount ?count }
  OPTIONAL { ?run ptmkg:duration ?duration . ?duration qudt:numericValue ?dvalue ; qudt:unit ?dunit .
             OPTIONAL { ?duration ptmkg:rawValue ?draw } }
  OPTIONAL { ?run ptmkg:country ?country }
  OPTIONAL { ?run ptmkg:cloudProvider ?provider }
  OPTIONAL { ?run ptmkg:cloudRegion ?region }
  OPTIONAL { ?run ptmkg:locationRaw ?location }
  OPTIONAL { ?run ptmkg:carbonIntensity ?intensity . ?intensity qudt:numericValue ?ivalue ; qudt:unit ?iunit }
  FILTER(BOUND(?hardware) || BOUND(?duration))
}"""

_SCHEMA = {"run": pl.String, "hardware": pl.String, "count": pl.Int64, "duration": pl.String,
           "dvalue": pl.Float64, "dunit": pl.String, "draw": pl.String, "country": pl.String,
           "provider": pl.String, "region": pl.String, "location": pl.String, "intensity": pl.String,
           "ivalue": pl.Float64, "iunit": pl.String}


@dataclass(frozen=True)
class EstimateResult:
    """What one :func:`estimate_store` did: the estimates snapshot and how many runs were
    estimated or skipped (per reason)."""

    graph: str
    triples: int
    loaded: bool
    estimated: int
    skipped: dict[str, int]
    seconds: float


def _input_graphs(kg: GraphStore) -> list[str]:
    snaps = kg.snapshots()
    return snaps.filter(pl.col("source") != SOURCE)["graph"].to_list() if snaps.height else []


def run_inputs(kg: GraphStore) -> pl.DataFrame:
    """One row per TrainingRun with hardware or duration, from every snapshot except the
    estimates: raw hardware, count, duration (hours), location fields and a reported
    intensity (g/kWh).  Runs with several different values of one field are kept with
    ``conflict`` naming it."""
    graphs = _input_graphs(kg)
    raw = kg.query(INPUTS, graphs=graphs) if graphs else pl.DataFrame(schema=_SCHEMA)
    raw = raw.select(pl.col(c).cast(t) for c, t in _SCHEMA.items())
    fields = [c for c in _SCHEMA if c != "run"]
    grouped = raw.group_by("run").agg(pl.col(c).drop_nulls().unique().sort() for c in fields)
    conflict = pl.concat_str([pl.when(pl.col(c).list.len() > 1).then(pl.lit(c)) for c in fields],
                             separator=", ", ignore_nulls=True)
    return grouped.with_columns(
        conflict=pl.when(conflict.str.len_chars() > 0).then(conflict),
        **{c: pl.col(c).list.first() for c in fields},
    ).with_columns(
        hours=pl.col("dvalue") * pl.col("dunit").str.replace(r"^.*/", "")
        .replace_strict(HOURS_PER_UNIT, default=None, return_dtype=pl.Float64),
        intensity_g=pl.col("ivalue") * pl.col("iunit").str.replace(r"^.*/", "")
        .replace_strict(G_PER_KWH_PER_UNIT, default=None, return_dtype=pl.Float64),
    ).sort("run")


def _lookup(column: pl.Series, func: Callable[[str], object], dtype: pl.DataType) -> pl.Series:
    """Map each distinct non-null value through ``func`` (parsing, once per distinct string)."""
    table = {v: func(v) for v in column.drop_nulls().unique().to_list()}
    return column.replace_strict(table, default=None, return_dtype=dtype)


def _parsed(runs: pl.DataFrame) -> pl.DataFrame:
    """Add parsed hardware, count, accelerator-hours flag, provider and country columns."""
    specs = {h: parse_hardware(h) for h in runs["hardware"].drop_nulls().unique().to_list()}
    hw_count = {h: s.count for h, s in specs.items() if isinstance(s, HardwareSpec)}
    hw_reason = {h: s.reason for h, s in specs.items() if not isinstance(s, HardwareSpec)}

    def device_hours(raw: str) -> bool:
        d = parse_duration(raw)
        return isinstance(d, Duration) and d.accelerator_hours

    def provider(raw: str) -> str | None:
        p = parse_provider(raw)
        return p if isinstance(p, str) else None

    device = _lookup(runs["draw"], device_hours, pl.Boolean).fill_null(False)
    return runs.with_columns(
        hw_reason=runs["hardware"].replace_strict(hw_reason, default=None, return_dtype=pl.String),
        hw_count=runs["hardware"].replace_strict(hw_count, default=None, return_dtype=pl.Int64),
        device_hours=device,
        provider_key=_lookup(runs["provider"], provider, pl.String),
        country_key=pl.coalesce(pl.col("country"), _lookup(runs["location"], find_country, pl.String)),
        region_key=pl.coalesce("region", "location"),
    ).with_columns(
        n=pl.when(pl.col("device_hours")).then(pl.lit(1, pl.Int64)).otherwise(pl.coalesce("count", "hw_count")),
    )


def _reason() -> pl.Expr:
    return (
        pl.when(pl.col("conflict").is_not_null()).then(pl.lit("several values for ") + pl.col("conflict"))
        .when(pl.col("hardware").is_null()).then(pl.lit("no hardware stated"))
        .when(pl.col("hw_reason").is_not_null()).then(pl.lit("hardware: ") + pl.col("hw_reason"))
        .when(pl.col("duration").is_null()).then(pl.lit("no duration stated"))
        .when(pl.col("hours").is_null()).then(pl.lit("duration unit not convertible to hours"))
        .when(pl.col("n").is_null()).then(pl.lit("accelerator count not stated"))
    )


_KEYS = ["hardware", "n", "hours", "country_key", "region_key", "provider_key", "intensity_g"]


def _estimates(todo: pl.DataFrame, utilisation: float | tuple[float, float], pue: float | None) -> pl.DataFrame:
    """Run the estimator once per distinct input combination; a ValueError becomes a reason."""
    rows = []
    for hw, n, hours, country, region, provider, ci in todo.select(_KEYS).unique().iter_rows():
        try:
            e: Estimate | str = estimate(hw, n, hours, utilisation=utilisation, pue=pue, country=country,
                                         region=region, provider=provider, intensity_g_per_kwh=ci)
        except ValueError as err:
            e = str(err).split(";")[0]
        rows.append(_row(e, (hw, n, hours, country, region, provider, ci)))
    schema = {**dict(zip(_KEYS, todo.select(_KEYS).dtypes)), **_EST_SCHEMA}
    return pl.DataFrame(rows, schema=schema, orient="row")


_EST_SCHEMA = {
    "est_reason": pl.String, "energy_kwh": pl.Float64, "energy_low": pl.Float64, "energy_high": pl.Float64,
    "co2_kg": pl.Float64, "co2_low": pl.Float64, "co2_high": pl.Float64, "bounds_from": pl.List(pl.String),
    "method": pl.String, "hardware_id": pl.String, "hardware_name": pl.String, "tdp_w": pl.Float64,
    "tdp_source": pl.String, "tdp_basis": pl.String, "pue_value": pl.Float64, "pue_source": pl.String,
    "pue_basis": pl.String, "pue_key": pl.String, "intensity_value": pl.Float64, "intensity_source": pl.String,
    "intensity_basis": pl.String, "intensity_fallback": pl.Boolean, "intensity_key": pl.String,
}


def _key(*parts: object) -> str:
    """A short stable key for a constant from its value and source."""
    return text_hash("|".join(map(str, parts)))[7:19]


def _row(e: Estimate | str, key: tuple) -> tuple:
    if isinstance(e, str):
        return (*key, e, *[None] * (len(_EST_SCHEMA) - 1))
    c = e.constants
    hw = next(h for h in hardware_table() if h.id == c["hardware_id"])
    basis = " ".join(str(x) for x in (c.get("intensity_scope"), c.get("intensity_key"), c.get("intensity_year"))
                     if x is not None) or None
    return (*key, None, e.energy_kwh, e.energy_low, e.energy_high, e.co2_kg, e.co2_low, e.co2_high,
            list(e.uncertain), e.method, hw.id, f"{hw.name} {hw.variant}".strip(), c["tdp_w"], c["tdp_source"],
            c["tdp_basis"], c["pue"], c["pue_source"], c.get("pue_basis"), _key(c["pue"], c["pue_source"]),
            c["intensity_g_per_kwh"], c["intensity_source"], basis, c["intensity_fallback"],
            _key(c["intensity_g_per_kwh"], c["intensity_source"]))


def _const_iri(role: str, key: pl.Expr) -> pl.Expr:
    return raw_iri(pl.lit(f"{QUANTITY}constant/{role}/") + key)


def _source(t: Triples, frame: pl.DataFrame, node: pl.Expr, column: str) -> None:
    """dct:source as an IRI when the value is a bare URL, else as a literal."""
    is_url = pl.col(column).str.contains(r"^https?://\S+$")
    t.add(frame.filter(is_url), node, DCT + "source", raw_iri(column))
    t.add(frame.filter(~is_url | pl.col(column).is_null()), node, DCT + "source", text(column))


def _constant(t: Triples, frame: pl.DataFrame, node: pl.Expr, role: str, value: str, unit: str,
              obtained: pl.Expr, source: str, basis: str | None) -> None:
    """One shared constant Quantity per distinct row of ``frame``."""
    t.types(frame, node, PTMKG + "Quantity", QUDT + "QuantityValue")
    t.add(frame, node, QUDT + "numericValue", double(value))
    t.add(frame, node, QUDT + "unit", const(UNIT + unit))
    t.add(frame, node, PTMKG + "obtainedBy", obtained)
    t.add(frame, node, PTMKG + "inputRole", text(pl.lit(role)))
    _source(t, frame, node, source)
    if basis:
        t.add(frame, node, PTMKG + "method", text(basis))


def _triples(done: pl.DataFrame, skipped: pl.DataFrame, utilisation: float | tuple[float, float],
             pue: float | None) -> Triples:
    """Estimates and skip reasons as triples (vectorised builders only)."""
    key = pl.col("run").str.strip_prefix(ID + "run/")
    energy = raw_iri(pl.lit(QUANTITY) + key + "/energy")
    co2 = raw_iri(pl.lit(QUANTITY) + key + "/emissions")
    run = raw_iri("run")
    est = const(PTMKG + "Estimated")
    reported = const(PTMKG + "Reported")
    u_lo, u_hi = utilisation if isinstance(utilisation, tuple) else (utilisation, utilisation)
    done = done.with_columns(
        u_value=pl.lit((u_lo + u_hi) / 2), u_low=pl.lit(u_lo), u_high=pl.lit(u_hi),
        u_source=pl.lit("caller" if (u_lo, u_hi) != (1.0, 1.0) else "assumption: full load at TDP"),
        intensity_kg=pl.col("intensity_value") / 1000,
        method_text=pl.when(pl.col("device_hours"))
        .then(pl.col("method") + "; duration stated in accelerator hours, so count = 1")
        .otherwise(pl.col("method")),
    ).with_columns(
        tdp_node=_const_iri("tdp", pl.col("hardware_id")),
        pue_node=_const_iri("pue", pl.col("pue_key")),
        u_node=_const_iri("utilisation", pl.lit(_key(u_lo, u_hi))),
        grid_node=_const_iri("intensity", pl.col("intensity_key")),
    ).with_columns(
        intensity_node=pl.when(pl.col("intensity_g").is_not_null()).then(raw_iri("intensity"))
        .otherwise(pl.col("grid_node")),
    )
    t = Triples()
    for node, pred, unit, value, low, high in [(energy, "energy", "KiloW-HR", "energy_kwh", "energy_low", "energy_high"),
                                               (co2, "emissions", "KiloGM", "co2_kg", "co2_low", "co2_high")]:
        t.add(done, run, PTMKG + pred, node)
        t.types(done, node, PTMKG + "Quantity", QUDT + "QuantityValue")
        t.add(done, node, QUDT + "numericValue", double(value))
        t.add(done, node, QUDT + "unit", const(UNIT + unit))
        t.add(done, node, PTMKG + "obtainedBy", est)
        t.add(done, node, PTMKG + "method", text("method_text"))
        t.add(done, node, PTMKG + "lowValue", double(low))
        t.add(done, node, PTMKG + "highValue", double(high))
        bounds = done.select("run", "bounds_from").explode("bounds_from")
        t.add(bounds, node, PTMKG + "boundsFrom", text("bounds_from"))
    for col in ("duration", "tdp_node", "pue_node", "u_node"):
        t.add(done, energy, PTMKG + "estimatedFrom", raw_iri(col) if col == "duration" else pl.col(col))
    t.add(done, co2, PTMKG + "estimatedFrom", energy)
    t.add(done, co2, PTMKG + "estimatedFrom", pl.col("intensity_node"))

    hw = done.unique("hardware_id")
    hw_node = entity("hardware", "hardware_id")
    t.add(done, run, PTMKG + "hardware", hw_node)
    t.types(hw, hw_node, PTMKG + "Hardware", SCHEMA + "Product")
    t.add(hw, hw_node, SCHEMA + "name", text("hardware_name"))
    t.add(hw, hw_node, PTMKG + "tdpWatts", double("tdp_w"))
    t.add(hw.filter(pl.col("tdp_source").str.starts_with("http")), hw_node, SCHEMA + "url", raw_iri("tdp_source"))
    _constant(t, hw, pl.col("tdp_node"), "tdp", "tdp_w", "W", reported, "tdp_source", "tdp_basis")
    _constant(t, done.unique("pue_node"), pl.col("pue_node"), "pue", "pue_value", "UNITLESS",
              const(PTMKG + ("Estimated" if pue is not None else "Reported")), "pue_source", "pue_basis")
    util = done.unique("u_node")
    _constant(t, util, pl.col("u_node"), "utilisation", "u_value", "UNITLESS", est, "u_source", None)
    t.add(util, pl.col("u_node"), PTMKG + "lowValue", double("u_low"))
    t.add(util, pl.col("u_node"), PTMKG + "highValue", double("u_high"))
    grid = done.filter(pl.col("intensity_g").is_null()).unique("grid_node").with_columns(
        obtained=pl.when(pl.col("intensity_fallback") | (pl.col("intensity_source") == "caller"))
        .then(est).otherwise(reported))
    _constant(t, grid, pl.col("grid_node"), "intensity", "intensity_kg", "KiloGM-PER-KiloW-HR",
              pl.col("obtained"), "intensity_source", "intensity_basis")

    t.add(skipped, raw_iri("run"), PTMKG + "estimateSkipped", text("reason"))
    return t


def _content_hash(inputs: pl.DataFrame, utilisation: float | tuple[float, float], pue: float | None) -> str:
    """Hash of the inputs, the parameters and every constant table the estimator reads."""
    tables = {name: files("ptmkg.energy").joinpath(name).read_text(encoding="utf-8")
              for name in ("hardware.csv", "pue.csv", "cloud_regions.csv")}
    return text_hash(json.dumps({
        "inputs": inputs.sort("run").write_csv(), "utilisation": utilisation, "pue": pue, "tables": tables,
        "codecarbon": version("codecarbon"), "ptmkg": __version__,
    }, sort_keys=True))


def estimate_store(kg: GraphStore, *, utilisation: float | tuple[float, float] = 1.0,
                   pue: float | None = None) -> EstimateResult:
    """Estimate energy and CO2e of every TrainingRun with hardware and duration, and load the
    result as the ``energy-estimates`` snapshot, replacing any earlier one.  ``pue`` None
    uses each run's provider PUE (industry average without a provider); ``utilisation``
    is a fraction of TDP or a (low, high) range.  The same inputs and parameters load once."""
    t0 = time.perf_counter()
    inputs_graphs = _input_graphs(kg)
    runs = _parsed(run_inputs(kg)).with_columns(reason=_reason())
    todo = runs.filter(pl.col("reason").is_null())
    est = _estimates(todo, utilisation, pue)
    runs = runs.join(est, on=_KEYS, how="left", nulls_equal=True) \
        .with_columns(reason=pl.coalesce("reason", "est_reason"))
    done, skipped = runs.filter(pl.col("reason").is_null()), runs.filter(pl.col("reason").is_not_null())
    counts = dict(skipped.group_by("reason").len().sort("len", descending=True).iter_rows())

    digest = _content_hash(runs.select(*_SCHEMA), utilisation, pue)
    previous = kg.snapshots()
    previous = previous.filter(pl.col("source") == SOURCE)["graph"].to_list() if previous.height else []
    info = SnapshotInfo(SOURCE, f"ptmkg {__version__}; utilisation={utilisation}; "
                        f"pue={'provider default' if pue is None else pue}",
                        date.today().isoformat(), SOURCE_URL, digest)
    if info.graph in previous:
        for graph in previous:  # a run stopped after loading this estimate and before removing the older ones
            if graph != info.graph and not kg.read_only:
                kg.remove_snapshot(graph)
        count = int(kg.snapshots().filter(graph=info.graph)["triples"][0])
        return EstimateResult(info.graph, count, False, done.height, counts, time.perf_counter() - t0)
    triples = _triples(done, skipped, utilisation, pue)
    derived = pl.DataFrame({"g": inputs_graphs}, schema={"g": pl.String})
    triples.add(derived, const(info.graph), PROV + "wasDerivedFrom", raw_iri("g"))
    count = kg.load_snapshot(info, triples)
    for graph in previous:
        kg.remove_snapshot(graph)
    return EstimateResult(info.graph, count, True, done.height, counts, time.perf_counter() - t0)
