"""EnergyCalculator: hardware, count, hours and region → kWh and CO2e with a range (``ptmkg.energy.estimate``),
beside the numbers reported for training runs on the same accelerator family in the graph."""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg.charts import chart_widget
from ptmkg.charts import not_shown
from ptmkg.energy import Estimate, Hardware, HardwareSpec, estimate, hardware_table, parse_hardware, resolve_hardware
from ptmkg.energy.grid import close_countries, country_iso3
from ptmkg.kg import KG

_RUNS = """
SELECT ?run ?model ?hardware ?count ?duration ?duration_unit ?energy ?energy_unit ?co2 ?co2_unit ?basis WHERE {
  ?run a ptmkg:TrainingRun ; ptmkg:hardwareRaw ?hardware .
  ?m ptmkg:trainingRun ?run .
  OPTIONAL { ?m ptmkg:hubId ?id }
  OPTIONAL { ?m schema:name ?name }
  OPTIONAL { ?m fair4ml:trainedOn/schema:name ?dataset }
  OPTIONAL { ?m ptmkg:citesPaper/dct:issued ?year }
  BIND(CONCAT("Counting Carbon row ", REPLACE(STR(?m), "^.*/", ""), COALESCE(CONCAT(": ", ?dataset), ""),
              COALESCE(CONCAT(", ", STR(?year)), "")) AS ?row)
  BIND(COALESCE(?id, ?name, IF(CONTAINS(STR(?m), "/counting-carbon/"), ?row, REPLACE(STR(?m), "^.*/id/model/", "")))
       AS ?model)
  OPTIONAL { ?run ptmkg:acceleratorCount ?count }
  OPTIONAL { ?run ptmkg:duration ?d . ?d qudt:numericValue ?duration ; qudt:unit ?du }
  OPTIONAL { ?run ptmkg:energy ?e . ?e qudt:numericValue ?energy ; qudt:unit ?eu ; ptmkg:obtainedBy ptmkg:Reported .
             OPTIONAL { ?e ptmkg:reportBasis ?b } }
  BIND(IF(BOUND(?energy), IF(?b = ptmkg:TDPFormula, "computed by its authors from TDP",
          IF(?b = ptmkg:IndependentReport, "independent of TDP", "reported, basis not stated")), ?unbound) AS ?basis)
  OPTIONAL { ?run ptmkg:emissions ?c . ?c qudt:numericValue ?co2 ; qudt:unit ?cu ; ptmkg:obtainedBy ptmkg:Reported }
  BIND(REPLACE(STR(?du), "^.*/", "") AS ?duration_unit)
  BIND(REPLACE(STR(?eu), "^.*/", "") AS ?energy_unit)
  BIND(REPLACE(STR(?cu), "^.*/", "") AS ?co2_unit)
}"""

TO_HOURS = {"HR": 1.0, "MIN": 1 / 60, "SEC": 1 / 3600, "DAY": 24.0, "WK": 168.0}
TO_KWH = {"KiloW-HR": 1.0, "W-HR": 1e-3, "MegaW-HR": 1e3, "GigaW-HR": 1e6, "J": 1 / 3.6e6, "KiloJ": 1 / 3.6e3}
TO_KG = {"KiloGM": 1.0, "GM": 1e-3, "TONNE": 1e3, "MegaGM": 1e3}
PROVIDERS = ("none", "aws", "gcp", "azure")


def _convert(value: str, unit: str, table: dict[str, float]) -> pl.Expr:
    return pl.col(value).cast(pl.Float64) * pl.col(unit).replace_strict(table, default=None, return_dtype=pl.Float64)


RUNS_SCHEMA = {"model": pl.String, "hardware": pl.String, "hardware_id": pl.String, "family": pl.String,
               "count": pl.Int64, "hours": pl.Float64, "kwh": pl.Float64, "co2_kg": pl.Float64, "basis": pl.String}


def reported_runs(kg: KG) -> pl.DataFrame:
    """Training runs in the graph with their hardware text resolved to the hardware table, in hours/kWh/kg.

    ``model`` is the Hub id or name (a Counting Carbon row, which names no model, by its row, data set and year);
    ``count`` is the stated accelerator count, else the one in the hardware text ("8 16GB V100"); ``basis`` says
    how a reported kWh was obtained (computed by its authors from TDP, independent of TDP, or not stated). The
    same run reached from two model nodes (``bloom`` and ``bigscience/bloom``) is listed once, by its fuller id."""
    runs = kg.query(_RUNS)
    if not runs.height:
        return pl.DataFrame(schema=RUNS_SCHEMA)
    texts = runs["hardware"].unique().to_list()
    specs = [parse_hardware(t) for t in texts]
    matches = [resolve_hardware(t) for t in texts]
    lookup = pl.DataFrame({"hardware": texts,
                           "hardware_id": [m.hardware.id if m else None for m in matches],
                           "family": [m.hardware.family if m else None for m in matches],
                           "text_count": [s.count if isinstance(s, HardwareSpec) else None for s in specs]},
                          schema={"hardware": pl.String, "hardware_id": pl.String, "family": pl.String,
                                  "text_count": pl.Int64})
    facts = ["hardware", "count", "hours", "kwh", "co2_kg"]
    out = (runs.join(lookup, on="hardware", how="left")
           .select("model", "hardware", "hardware_id", "family",
                   count=pl.coalesce(pl.col("count").cast(pl.Int64), "text_count"),
                   hours=_convert("duration", "duration_unit", TO_HOURS),
                   kwh=_convert("energy", "energy_unit", TO_KWH),
                   co2_kg=_convert("co2", "co2_unit", TO_KG), basis=pl.col("basis").cast(pl.String))
           .unique(maintain_order=True))
    short = pl.col("model").str.replace(r"^.*/", "")
    return (out.with_columns(_short=short, _len=pl.col("model").str.len_chars())
            .sort("_len", descending=True, maintain_order=True)
            .unique([*facts, "_short"], keep="first", maintain_order=True)
            .sort("model").drop("_short", "_len").select(list(RUNS_SCHEMA)))


def similar_runs(runs: pl.DataFrame, hardware: Hardware) -> pl.DataFrame:
    """Reported runs on the same accelerator family with a reported kWh or CO2e, largest CO2e first."""
    return (runs.filter(pl.col("family") == hardware.family,
                        pl.col("kwh").is_not_null() | pl.col("co2_kg").is_not_null())
            .sort("co2_kg", descending=True, nulls_last=True))


def drawable(similar: pl.DataFrame) -> pl.DataFrame:
    """The similar runs :func:`comparison_chart` can place: a positive CO2e, training time and accelerator count."""
    return similar.filter(pl.col("co2_kg") > 0, pl.col("hours") > 0, pl.col("count") > 0).with_columns(
        accelerator_hours=pl.col("hours") * pl.col("count"))


def not_drawn(similar: pl.DataFrame) -> str:
    """Which similar runs the chart leaves out and why ('' when it draws them all)."""
    co2, hours = (pl.col("co2_kg") > 0).fill_null(False), (pl.col("hours") > 0).fill_null(False)
    return not_shown(similar.height, unit="runs", without_a_CO2e=similar.filter(~co2).height,
                     without_training_time=similar.filter(co2 & ~hours).height,
                     without_an_accelerator_count=similar.filter(co2 & hours & pl.col("count").is_null()).height)


def comparison_chart(est: Estimate, count: int, hours: float, similar: pl.DataFrame) -> alt.LayerChart:
    """CO2e against accelerator-hours (log-log): reported runs as points coloured by how their energy was
    obtained, this estimate as a red range; the subtitle counts the runs it cannot place."""
    points = drawable(similar).with_columns(basis=pl.col("basis").fill_null("no energy reported"))
    mine = pl.DataFrame({"accelerator_hours": [count * hours], "co2_kg": [est.co2_kg],
                         "low": [est.co2_low], "high": [est.co2_high], "model": ["this estimate"]})
    x = alt.X("accelerator_hours:Q", scale=alt.Scale(type="log"), title="accelerator time (accelerator-hours)")
    y = alt.Y("co2_kg:Q", scale=alt.Scale(type="log"), title="CO₂e emitted (kg)")
    reported = alt.Chart(points).mark_circle(opacity=0.7, size=60).encode(
        x=x, y=y, color=alt.Color("basis:N", title="reported energy"),
        tooltip=[alt.Tooltip("model:N", title="model"), alt.Tooltip("hardware:N", title="hardware"),
                 alt.Tooltip("count:Q", title="accelerators"), alt.Tooltip("hours:Q", title="hours"),
                 alt.Tooltip("kwh:Q", title="kWh"), alt.Tooltip("co2_kg:Q", title="CO₂e emitted (kg)"),
                 alt.Tooltip("basis:N", title="energy obtained")])
    rng = alt.Chart(mine).mark_rule(color="#d62728", strokeWidth=3).encode(x=x, y="low:Q", y2="high:Q")
    dot = alt.Chart(mine).mark_point(color="#d62728", size=120, filled=True).encode(
        x=x, y=y, tooltip=["model", "co2_kg", "low", "high"])
    subtitle = [f"{points.height:,} reported run(s) on the same accelerator family; red: this estimate and its range",
                not_drawn(similar)]
    return (reported + rng + dot).properties(width=480, height=300, title=alt.TitleParams(
        "This estimate vs reported runs on the same hardware", subtitle=[t for t in subtitle if t]))


class EnergyCalculator(w.VBox):
    """Estimate a training run's energy and emissions; compare with reported runs on the same hardware.

    State: :meth:`calculate` sets ``.estimate`` (an :class:`~ptmkg.energy.Estimate`), ``.similar`` and ``.chart``.
    """

    def __init__(self, kg: KG):
        self.kg = kg
        self.runs = reported_runs(kg)
        self.estimate: Estimate | None = None
        self.similar: pl.DataFrame | None = None
        self.chart: alt.LayerChart | None = None
        self.error: str | None = None
        table = [h for h in hardware_table() if h.tdp_w is not None]
        self.hardware = w.Dropdown(description="hardware", layout=w.Layout(width="420px"),
                                   options=[(f"{h.name} {h.variant}".strip() + f" ({h.tdp_w:g} W)", h.id)
                                            for h in table])
        self._by_id = {h.id: h for h in table}
        self.count = w.BoundedIntText(description="count", value=8, min=1, max=100_000)
        self.hours = w.BoundedFloatText(description="hours", value=24.0, min=0.0, max=1e7)
        self.provider = w.Dropdown(description="provider", options=list(PROVIDERS), value="none")
        self.region = w.Text(description="region", placeholder="cloud region, e.g. us-east-1")
        self.country = w.Text(description="country", placeholder="ISO3 or name, e.g. FRA")
        self.go_btn = w.Button(description="Estimate", button_style="primary", icon="bolt")
        self.result = w.HTML()
        self.chart_box = w.VBox()
        self.table = w.HTML()
        self.go_btn.on_click(lambda _: self.calculate())
        form = w.VBox([self.hardware, w.HBox([self.count, self.hours]), w.HBox([self.provider, self.region]),
                       self.country, self.go_btn])
        super().__init__([form, self.result, self.chart_box, self.table])
        self.add_class("ptmkg-energy-calculator")

    def calculate(self, hardware: str | None = None, count: int | None = None, hours: float | None = None,
                  provider: str | None = None, region: str | None = None,
                  country: str | None = None) -> Estimate | None:
        """Estimate from the given values (or the form's); updates the result, the comparison table and chart."""
        from ptmkg.widgets.table import to_html

        for control, value in ((self.hardware, hardware), (self.count, count), (self.hours, hours),
                               (self.provider, provider), (self.region, region), (self.country, country)):
            if value is not None:
                control.value = value
        hw = self._by_id[self.hardware.value]
        prov = None if self.provider.value == "none" else self.provider.value
        named = self.country.value.strip()
        if named and country_iso3(named) is None:
            close = close_countries(named)
            hint = f"did you mean {', '.join(close)}?" if close else "use a country name or an ISO 3166 code"
            self.estimate, self.error = None, f"unknown country '{named}'; {hint}"
            self.result.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
            return None
        try:
            est = estimate(hw, self.count.value, self.hours.value, provider=prov,
                           region=self.region.value.strip() or None, country=self.country.value.strip() or None)
        except ValueError as e:
            self.estimate, self.error = None, str(e)
            self.result.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
            return None
        self.estimate, self.error = est, None
        self.similar = similar_runs(self.runs, hw)
        c = est.constants
        notes = "".join(f"<li>{html.escape(u)}</li>" for u in est.uncertain)
        self.result.value = (
            f"<b>{est.energy_kwh:,.1f} kWh</b> ({est.energy_low:,.1f}–{est.energy_high:,.1f}) · "
            f"<b>{est.co2_kg:,.1f} kg CO2e</b> ({est.co2_low:,.1f}–{est.co2_high:,.1f})<br>"
            f"TDP {c['tdp_w']:g} W, PUE {c['pue']:g}, grid {c['intensity_g_per_kwh']:.0f} g/kWh "
            f"({html.escape(str(c.get('intensity_scope', 'caller')))} {html.escape(str(c.get('intensity_key', '')))})"
            + (f"<br>ranges from:<ul>{notes}</ul>" if notes else "")
            + f"<br>{self.similar.height} reported run(s) on {html.escape(hw.family)} accelerators in the graph; "
            f"{drawable(self.similar).height} drawn" + (f" ({html.escape(not_drawn(self.similar))})"
                                                        if not_drawn(self.similar) else "") + ".")
        self.chart = comparison_chart(est, self.count.value, self.hours.value, self.similar)
        self.chart_box.children = [chart_widget(self.chart)]
        self.table.value = to_html(self.similar.head(25)) if self.similar.height else ""
        return est
