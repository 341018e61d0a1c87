"""Claim reports: table/Markdown/JSON summaries and an offline HTML page with a chart per part
(:func:`ptmkg.claims.charts.chart`, re-exported here as ``report.chart``)."""

from __future__ import annotations

import html
import json
import textwrap

import altair as alt

from ptmkg.claims.charts import chart
from ptmkg.claims.runner import ClaimOutcome, parts_frame, results_frame
from ptmkg.claims.verdict import COMBINATION_RULE

def markdown(outcomes: list[ClaimOutcome]) -> str:
    """A Markdown table: claim, population, replication (paper's data → result), verdict (snapshots → label)
    and its parts' verdicts counted (:attr:`ClaimOutcome.summary`); :func:`parts_markdown` has the numbers."""
    lines = ["| claim | population | replicated on | replication | measured on | verdict | parts |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for o in outcomes:
        rep = o.replication
        on = rep.snapshot.label if rep and rep.snapshot else "—"
        snaps = ", ".join(s.label for s in o.snapshots) if o.primary is not None else ""
        lines.append(f"| {o.definition.id} | {o.definition.population_key} | {_cell(on)} | "
                     f"{rep.label.value if rep else '—'} | {_cell(snaps or '—')} | {o.decision.label.value} | "
                     f"{_cell(o.summary)} |")
    return "\n".join(lines) + "\n"


PART_COLUMNS = ("claim", "part", "verdict", "statistic", "estimate [95% CI] (n)", "published", "tested", "reason")
"""The columns every per-part surface shows (Markdown, text, HTML)."""


def part_cells(row: dict[str, object]) -> list[str]:
    """A :func:`~ptmkg.claims.runner.parts_frame` row as the text of :data:`PART_COLUMNS`: the estimate beside
    the published number in the same unit ('—, direction only' where the paper gives none), the full reason."""
    return [str(row["id"]), str(row["part"]), str(row["verdict"] or "—"), str(row["statistic"]), estimate_text(row),
            str(row["published"] or "— (direction only)"), str(row["tested"]), str(row["reason"] or "")]


def estimate_text(row: dict[str, object]) -> str:
    """``0.823 [0.807, 0.838] (n=2,338)`` (a count alone, as an integer), ``, descriptive`` when NOT COMPARABLE."""
    if row["estimate"] is None:
        return "—"
    value = f"{int(row['estimate']):,}" if row["statistic"] == "count" else f"{row['estimate']:.3g}"
    ci = f" [{row['ci_low']:.3g}, {row['ci_high']:.3g}]" if row["ci_low"] is not None and row["ci_high"] is not None \
        else ""
    descriptive = ", descriptive" if row["verdict"] == "NOT COMPARABLE" else ""
    n = "" if row["statistic"] == "count" else f" (n={row['n']:,})"
    return f"{value}{ci}{n}{descriptive}"


def parts_markdown(outcomes: list[ClaimOutcome]) -> str:
    """A Markdown table with one row per part (:data:`PART_COLUMNS`)."""
    lines = ["| " + " | ".join(PART_COLUMNS) + " |", "|" + " --- |" * len(PART_COLUMNS)]
    lines += ["| " + " | ".join(_cell(c) for c in part_cells(r)) + " |"
              for r in parts_frame(outcomes).iter_rows(named=True)]
    return "\n".join(lines) + "\n"


def text_report(outcomes: list[ClaimOutcome], width: int = 120) -> str:
    """Plain text for a terminal: per claim its verdict, the parts' verdicts counted and the replication, then
    each part on its own lines (verdict, statistic, estimate beside the published number, test) with its full
    reason wrapped to ``width``, never cut."""
    frame = parts_frame(outcomes)
    out = []
    for o in outcomes:
        rep = o.replication
        out += textwrap.wrap(f"{o.definition.id}  {o.decision.label.value}  ({o.summary})", width,
                             subsequent_indent="    ")
        if rep is not None:
            out += textwrap.wrap(f"replication: {replication_text(o)}", width, initial_indent="  ",
                                 subsequent_indent="    ")
        if not o.definition.parts:
            out += textwrap.wrap(o.decision.reason, width, initial_indent="  ", subsequent_indent="    ")
        for row in frame.filter(id=o.definition.id).iter_rows(named=True):
            _, part, verdict, stat, estimate, published, test, reason = part_cells(row)
            out.append(f"  - {part}: {verdict}")
            out += textwrap.wrap(f"{stat} {estimate} vs published {published}; tested: {test}", width,
                                 initial_indent="    ", subsequent_indent="      ")
            out += textwrap.wrap(f"reason: {reason}", width, initial_indent="    ", subsequent_indent="      ")
        out.append("")
    return "\n".join(out)


def replication_checks_html(o: ClaimOutcome) -> str:
    """The replication checks as an HTML table: check, published, measured, result (empty if none ran)."""
    checks = o.replication.checks if o.replication else []
    if not checks:
        return ""
    rows = []
    for p in checks:
        r = p.result
        if r is None:
            got = "—"
        elif "expected" in r.details:
            got = f"{r.details['count']:,} counted"
        else:
            got = f"{r.test} {r.estimate:.3g}, n={r.n:,}"
        label = p.check.label if p.check else None
        rows.append(f"<tr><td>{html.escape(p.part.name)}</td><td>{html.escape(p.part.published or '—')}</td>"
                    f"<td>{html.escape(got)}</td><td class='r {label.name if label else ''}'>"
                    f"{label.value if label else ''}</td></tr>")
    return ("<table class='checks'><tr><th>check</th><th>published</th><th>measured</th><th>result</th></tr>"
            + "".join(rows) + "</table>")


def replication_text(o: ClaimOutcome) -> str:
    """``LABEL on snapshot: reason`` for the replication step, or '—' when the claim has none."""
    rep = o.replication
    if rep is None:
        return "—"
    on = f" on {rep.snapshot.label}" if rep.snapshot else ""
    return f"{rep.label.value}{on}: {rep.reason}"


def to_json(outcomes: list[ClaimOutcome]) -> str:
    """The claim rows as a JSON array, each with its ``parts`` (the rows of :func:`parts_frame`)."""
    parts = parts_frame(outcomes)
    rows = [{**row, "parts": parts.filter(id=row["id"]).drop("id").to_dicts()}
            for row in results_frame(outcomes).to_dicts()]
    return json.dumps(rows, indent=2, default=str) + "\n"


def parts_html(outcomes: list[ClaimOutcome]) -> str:
    """The parts as an HTML table (:data:`PART_COLUMNS`), each verdict in its own cell, the reason in full."""
    rows = []
    for r in parts_frame(outcomes).iter_rows(named=True):
        cells = part_cells(r)
        label = (r["verdict"] or "").replace(" ", "_")
        rows.append("<tr>" + "".join(f"<td class='v {label}'>{html.escape(c)}</td>" if i == 2 else
                                     f"<td>{html.escape(c)}</td>" for i, c in enumerate(cells)) + "</tr>")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in PART_COLUMNS)
    return f"<table class='parts'><tr>{head}</tr>{''.join(rows)}</table>" if rows else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def svg(c: alt.TopLevelMixin) -> str:
    """A chart as inline SVG (rendered offline by vl-convert)."""
    from ptmkg.charts import vl_convert

    return vl_convert().vegalite_to_svg(c.to_json())


def html_report(outcomes: list[ClaimOutcome]) -> str:
    """A self-contained HTML page: per claim its wording, source, replication, verdict, a table of its parts
    (each verdict, estimate beside its published number, full reason) and a chart per part."""
    sections = []
    for o in outcomes:
        d = o.definition
        parts = []
        for p in o.parts:
            c = chart(o, p)
            if c is not None:
                label = p.decision.label if p.decision else None
                parts.append(f"<h3>{html.escape(p.part.name)} <span class='v {label.name if label else ''}'>"
                             f"{label.value if label else ''}</span></h3><figure>{svg(c)}</figure>")
        summary = (f"<p class='summary'><b>{html.escape(o.summary)}</b><br><small>verdict: "
                   f"{html.escape(COMBINATION_RULE)}</small></p>{parts_html([o])}" if d.parts else "")
        snaps = ", ".join(s.label for s in o.snapshots) or "none"
        frames = "; ".join(f"{s.label}: {s.frame}" for s in o.snapshots) or "none"
        sections.append(
            f"<section id='{d.id}'><h2>{d.id} <span class='v {o.decision.label.name}'>"
            f"{o.decision.label.value}</span></h2>"
            f"<blockquote>{html.escape(d.wording)}</blockquote>"
            f"<p class='src'>{html.escape(d.citation)} <a href='{html.escape(d.paper)}'>{html.escape(d.paper)}</a></p>"
            f"<table><tr><th>population</th><td>{html.escape(d.population)} ({d.population_key})</td></tr>"
            f"<tr><th>published</th><td>{html.escape(d.published)}</td></tr>"
            f"<tr><th>replication</th><td class='r {o.replication.label.name if o.replication else ''}'>"
            f"{html.escape(replication_text(o))}{replication_checks_html(o)}</td></tr>"
            f"<tr><th>snapshots</th><td>{html.escape(snaps)}</td></tr>"
            f"<tr><th>frames</th><td>{html.escape(frames)}</td></tr>"
            f"<tr><th>claim version</th><td>{d.version}</td></tr></table>"
            + (f"<p class='note'>{html.escape(d.note)}</p>" if d.note else "") + summary + "".join(parts)
            + "</section>")
    rows = "".join(f"<tr><td><a href='#{o.definition.id}'>{o.definition.id}</a></td>"
                   f"<td class='r {o.replication.label.name if o.replication else ''}'>"
                   f"{o.replication.label.value if o.replication else '—'}</td>"
                   f"<td class='v {o.decision.label.name}'>{o.decision.label.value}</td>"
                   f"<td>{html.escape(o.summary)}</td></tr>" for o in outcomes)
    head = "<tr><th>claim</th><th>replication</th><th>verdict</th><th>parts</th></tr>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>ptmkg claims</title><style>{_CSS}</style>"
            f"</head><body><h1>Literature claims tested on the graph</h1><table>{head}{rows}</table>"
            f"{''.join(sections)}</body></html>\n")


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:auto}blockquote{font-style:italic}"
        "td,th{text-align:left;padding:2px 8px;vertical-align:top}.v{font-weight:bold}"
        ".REPLICATED,.SUPPORTED{color:#1a7f37}.NOT_SUPPORTED,.DIFFERS{color:#cf222e}"
        "table.parts{border-collapse:collapse;font-size:90%}table.parts td{border-top:1px solid #ddd}"
        ".INSUFFICIENT_DATA,.NOT_MEASURABLE,.NOT_COMPARABLE,.NOT_REPLICABLE,.NOT_RUN{color:#6e7781}.note,.src{color:#555;font-size:90%}")
