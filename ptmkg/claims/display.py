"""How verdicts read in a notebook: coloured badges, a claim outcome as a card with every part, the claims
catalogue as one table of all claims."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ptmkg.claims.verdict import COMBINATION_RULE, Replication, Verdict

if TYPE_CHECKING:
    from ptmkg.claims.definitions import ClaimDefinition
    from ptmkg.claims.runner import ClaimOutcome

COLOURS = {Verdict.REPLICATED: "#116329", Verdict.SUPPORTED: "#2da44e", Verdict.NOT_SUPPORTED: "#cf222e",
           Verdict.INSUFFICIENT_DATA: "#9a6700", Verdict.NOT_MEASURABLE: "#6e7781", Verdict.NOT_COMPARABLE: "#8250df"}
REPLICATION_COLOURS = {Replication.REPLICATED: "#116329", Replication.DIFFERS: "#cf222e",
                       Replication.NOT_REPLICABLE: "#6e7781", Replication.NOT_RUN: "#9a6700"}
_CELL = "vertical-align:top;padding:2px 6px;text-align:left;border-bottom:1px solid #eee"


def verdict_badge(label: str) -> str:
    """A coloured HTML badge for a verdict label (ValueError for an unknown label)."""
    colour = COLOURS[Verdict(label)]
    return (f'<span class="ptmkg-verdict" data-verdict="{html.escape(label)}" style="background:{colour};'
            f'color:white;padding:2px 10px;border-radius:10px;font-weight:600;white-space:nowrap">'
            f'{html.escape(label)}</span>')


def replication_badge(label: str) -> str:
    """A coloured HTML badge for a replication label (ValueError for an unknown label)."""
    colour = REPLICATION_COLOURS[Replication(label)]
    return (f'<span class="ptmkg-replication" data-replication="{html.escape(label)}" style="background:{colour};'
            f'color:white;padding:2px 10px;border-radius:10px;font-weight:600;white-space:nowrap">'
            f'{html.escape(label)}</span>')


def _num(value: object) -> str:
    return "—" if value is None else f"{value:.3g}" if isinstance(value, float) else f"{value:,}"


def _table(head: list[str], rows: list[list[str]], cls: str, row_cls: str = "") -> str:
    ths = "".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in head)
    trs = "".join(f"<tr class='{row_cls}'>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in r) + "</tr>"
                  for r in rows)
    return f"<table class='{cls}' style='border-collapse:collapse;font-size:12px'><tr>{ths}</tr>{trs}</table>"


def parts_table(outcome: ClaimOutcome) -> str:
    """Every part of a claim as an HTML table: its own verdict badge, the estimate beside the published number it
    is compared with (same unit), the test, the adjusted p-value and the full reason."""
    from ptmkg.claims.report import part_cells
    from ptmkg.claims.runner import parts_frame

    frame = parts_frame([outcome])
    if frame.is_empty():
        return ""
    rows = []
    for r in frame.iter_rows(named=True):
        _, part, _, stat, estimate, published, test, reason = part_cells(r)
        badge = verdict_badge(r["verdict"]) if r["verdict"] else "—"
        rows.append([html.escape(part), badge, html.escape(stat), f"<b>{html.escape(estimate)}</b>",
                     html.escape(published), html.escape(test), _num(r["p_adjusted"]),
                     f"<span class='ptmkg-reason'>{html.escape(reason)}</span>"])
    return _table(["part", "verdict", "statistic", "measured", "published", "tested", "p (adjusted)", "reason"],
                  rows, "ptmkg-parts", "ptmkg-part")


def outcome_text(o: ClaimOutcome) -> str:
    """One line: claim id, verdict, its parts counted, evidence rows and snapshots."""
    on = ", ".join(s.label for s in o.snapshots) or "no loaded snapshot of its sources"
    return (f"{o.definition.id} {o.decision.label.value} ({o.summary}); {o.evidence.height:,} evidence rows "
            f"on {on}")


def outcome_html(o: ClaimOutcome) -> str:
    """A claim outcome as a card: wording, verdict badge with its parts counted, every part's verdict and full
    reason, the replication step, and where it was measured."""
    d, rep = o.definition, o.replication
    on = ", ".join(s.label for s in o.snapshots) or "no loaded snapshot of its sources"
    head = (f"<div style='font-size:14px;margin:4px 0'><b>{html.escape(d.id)}</b> "
            f"{verdict_badge(o.decision.label.value)} <b>{html.escape(o.summary)}</b></div>"
            f"<div>{html.escape(d.wording)}</div>")
    rule = (f"<div><small>the claim's verdict: {html.escape(COMBINATION_RULE)}</small></div>" if o.parts else
            f"<div><b>reason:</b> {html.escape(o.decision.reason)}</div>")
    replication = ""
    if rep is not None:
        where = f" on {html.escape(rep.snapshot.label)}" if rep.snapshot else ""
        replication = (f"<div style='margin-top:4px'><b>replication</b> {replication_badge(rep.label.value)}{where}: "
                       f"{html.escape(rep.reason)}</div>")
    return (f"<div class='ptmkg-outcome'>{head}{rule}{parts_table(o)}{replication}"
            f"<div><small>{o.evidence.height:,} evidence rows on {html.escape(on)}</small></div></div>")


def catalogue_html(definitions: dict[str, ClaimDefinition]) -> str:
    """Every claim as one table row: id, wording, population, its parts (statistic each), sources, paper."""
    rows = [[f"<b>{html.escape(d.id)}</b>", html.escape(d.wording), html.escape(d.population_key),
             html.escape(", ".join(f"{p.name} ({p.stat})" for p in d.parts) or "— (context claim)"),
             html.escape(", ".join(d.sources) or "any"), html.escape(d.citation)] for d in definitions.values()]
    return (f"<div><b>{len(rows)} claims</b> (<code>kg.claims.run()</code> tests them all, "
            f"<code>kg.claims.get(id)</code> one)</div>"
            + _table(["claim", "wording", "population", "parts (statistic)", "sources", "paper"], rows,
                     "ptmkg-claims"))
