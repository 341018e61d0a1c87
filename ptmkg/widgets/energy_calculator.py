"""EnergyCalculator: hardware, count, hours and region → kWh and CO2e with a range (``ptmkg.energy.estimate``),
beside the numbers reported for training runs on the same accelerator family in the graph."""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg.charts import chart_widget
from ptmkg.energy import Estimate, Hardware, estimate, hardware_table, resolve_hardware
from ptmkg.energy.grid import close_countries, country_iso3
from ptmkg.kg import KG

_RUNS = """
SELECT ?run ?model ?hardware ?count ?duration ?duration_unit ?energy ?energy_unit ?co2 ?co2_unit WHERE {
  ?run a ptmkg:TrainingRun ; ptmkg:hardwareRaw ?hardware .
  ?m ptmkg:trainingRun ?run .
  OPTIONAL { ?m ptmkg:hubId ?id }
  BIND(COALESCE(?id, REPLACE(STR(?m), "^.*/id/model/", "")) AS ?model)
  OPTIONAL { ?run ptmkg:acceleratorCount ?count }
  OPTIONAL { ?run ptmkg:duration ?d . ?d qudt:numericValue ?duration ; qudt:unit ?du }
  OPTIONAL { ?run ptmkg:energy ?e . ?e qudt:numericValue ?energy ; qudt:unit ?eu ; ptmkg:obtainedBy ptmkg:Reported }
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


def reported_runs(kg: KG) -> pl.DataFrame:
    """Training runs in the graph with their hardware text resolved to the hardware table, in hours/kWh/kg."""
    runs = kg.query(_RUNS)
    if not runs.height:
        return pl.DataFrame(schema={"model": pl.String, "hardware": pl.String, "hardware_id": pl.String,
                                    "family": pl.String, "count": pl.Int64, "hours": pl.Float64,
                                    "kwh": pl.Float64, "co2_kg": pl.Float64})
    texts = runs["hardware"].unique().to_list()
    matches = [resolve_hardware(t) for t in texts]
    lookup = pl.DataFrame({"hardware": texts,
                           "hardware_id": [m.hardware.id if m else None for m in matches],
                           "family": [m.hardware.family if m else None for m in matches]},
                          schema={"hardware": pl.String, "hardware_id": pl.String, "family": pl.String})
    return (runs.join(lookup, on="hardware", how="left")
            .select("model", "hardware", "hardware_id", "family", pl.col("count").cast(pl.Int64),
                    hours=_convert("duration", "duration_unit", TO_HOURS),
                    kwh=_convert("energy", "energy_unit", TO_KWH),
                    co2_kg=_convert("co2", "co2_unit", TO_KG))
            .unique(maintain_order=True))


def similar_runs(runs: pl.DataFrame, hardware: Hardware) -> pl.DataFrame:
    """Reported runs on the same accelerator family with a reported kWh or CO2e, largest CO2e first."""
    return (runs.filter(pl.col("family") == hardware.family,
                        pl.col("kwh").is_not_null() | pl.col("co2_kg").is_not_null())
            .sort("co2_kg", descending=True, nulls_last=True))


def comparison_chart(est: Estimate, count: int, hours: float, similar: pl.DataFrame) -> alt.LayerChart:
    """CO2e against accelerator-hours (log-log): reported runs as points, this estimate as a red range."""
    points = similar.filter(pl.col("co2_kg") > 0, pl.col("hours") > 0).with_columns(
        accelerator_hours=pl.col("hours") * pl.col("count").fill_null(1))
    mine = pl.DataFrame({"accelerator_hours": [count * hours], "co2_kg": [est.co2_kg],
                         "low": [est.co2_low], "high": [est.co2_high], "model": ["this estimate"]})
    x = alt.X("accelerator_hours:Q", scale=alt.Scale(type="log"), title="accelerator-hours")
    y = alt.Y("co2_kg:Q", scale=alt.Scale(type="log"), title="kg CO2e")
    reported = alt.Chart(points).mark_circle(opacity=0.6).encode(x=x, y=y, tooltip=["model", "hardware", "count",
                                                                                     "hours", "kwh", "co2_kg"])
    rng = alt.Chart(mine).mark_rule(color="#d62728", strokeWidth=3).encode(x=x, y="low:Q", y2="high:Q")
    dot = alt.Chart(mine).mark_point(color="#d62728", size=120, filled=True).encode(
        x=x, y=y, tooltip=["model", "co2_kg", "low", "high"])
    return (reported + rng + dot).properties(width=480, height=300,
                                             title=alt.TitleParams("this estimate vs reported runs on the same hardware",
                                                                   subtitle="runs without a count are drawn as 1 accelerator"))


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
            + f"<br>{self.similar.height} reported run(s) on {html.escape(hw.name)} in the graph.")
        self.chart = comparison_chart(est, self.count.value, self.hours.value, self.similar)
        self.chart_box.children = [chart_widget(self.chart)]
        self.table.value = to_html(self.similar.head(25)) if self.similar.height else ""
        return est
