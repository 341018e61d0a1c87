"""A family tree drawn as nested, collapsible HTML lists: relation, licence kind and downloads on every node,
licence conflicts highlighted with the parent's licence, the picked model starred."""

from __future__ import annotations

import html

import polars as pl

from ptmkg.widgets.lineage import Family

MAX_NODES = 2000
"""At most this many models are drawn (depth-first from the root); the rest are counted, not drawn."""

KIND_COLOURS = {"permissive": "#1a7f37", "non-permissive": "#bc4c00", "unknown": "#6e7781"}
TREE_CLASS = "ptmkg-tree"
_STYLE = (f"<style>.{TREE_CLASS}{{font-size:13px;line-height:1.5;max-height:640px;overflow:auto}}"
          f".{TREE_CLASS} ul{{list-style:none;margin:0;padding-left:14px;border-left:1px solid #d0d7de}}"
          f".{TREE_CLASS} > ul{{border-left:none;padding-left:0}}"
          f".{TREE_CLASS} li{{margin:0;padding-left:6px}}"
          f".{TREE_CLASS} summary{{cursor:pointer}}"
          f".{TREE_CLASS} .rel{{color:#57606a;font-size:11px}}"
          f".{TREE_CLASS} .lic{{color:white;border-radius:8px;padding:0 6px;font-size:11px}}"
          f".{TREE_CLASS} .dl{{color:#57606a;font-size:11px}}"
          f".{TREE_CLASS} .ptmkg-conflict > .node, .{TREE_CLASS} .ptmkg-conflict > details > summary"
          f"{{background:#fde2e1}}"
          f".{TREE_CLASS} .why{{color:#b00;font-weight:600;font-size:11px}}</style>")


def on_paths_to(indent: list[int], marked: list[bool]) -> list[bool]:
    """For a depth-first tree given as indents, which rows are marked or an ancestor of a marked row."""
    keep = [False] * len(indent)
    stack: list[int] = []
    for i, depth in enumerate(indent):
        while stack and indent[stack[-1]] >= depth:
            stack.pop()
        if marked[i]:
            keep[i] = True
            for j in stack:
                keep[j] = True
        stack.append(i)
    return keep


def descendant_counts(indent: list[int]) -> list[int]:
    """For a depth-first tree given as indents, how many rows lie below each row."""
    counts = [0] * len(indent)
    stack: list[int] = []
    for i, depth in enumerate(indent):
        while stack and indent[stack[-1]] >= depth:
            stack.pop()
        for j in stack:
            counts[j] += 1
        stack.append(i)
    return counts


def tree_frame(fam: Family, conflicts_only: bool = False) -> pl.DataFrame:
    """The rows the tree draws, depth-first: :meth:`Family.tree` plus ``parent_licence`` on conflict rows,
    ``below`` (the model's descendants in the family) and ``open`` (a node on the way to the picked model or to
    a conflict). ``conflicts_only`` keeps the conflicts and their ancestors."""
    tree = fam.tree()
    indent, conflict = tree["indent"].to_list(), tree["conflict"].to_list()
    tree = tree.with_columns(below=pl.Series(descendant_counts(indent), dtype=pl.Int64))
    if conflicts_only:
        tree = tree.filter(pl.Series(on_paths_to(indent, conflict)))
        indent = tree["indent"].to_list()
    towards = on_paths_to(indent, [c or n == fam.model for c, n in zip(tree["conflict"], tree["node"])])
    parents = (fam.conflicts.group_by("child")
               .agg(pl.col("parent_licence").unique().sort().str.join(", ")).rename({"child": "node"}))
    return (tree.with_columns(open=pl.lit(pl.Series(towards)) | (pl.col("indent") == 0))
            .join(parents, on="node", how="left", maintain_order="left"))


def _line(row: dict[str, object], picked: str) -> str:
    star = "★ " if row["node"] == picked else ""
    name = html.escape(str(row["hub_id"] or row["node"]))
    name = f"<b>{name}</b>" if star else name
    kind = str(row["licence_class"] or "unknown")
    lic = (f"<span class='lic' style='background:{KIND_COLOURS.get(kind, '#6e7781')}' title='{kind}'>"
           f"{html.escape(str(row['licence']))}</span>")
    rel = f" <span class='rel'>{html.escape(row['relation'])}</span>" if row["relation"] else ""
    dl = f" <span class='dl'>{row['downloads']:,} downloads</span>" if row["downloads"] is not None else ""
    below = f" <span class='dl'>({row['below']:,} below)</span>" if row["below"] else ""
    why = (f" <span class='why'>⚠ licence conflict: {html.escape(str(row['licence']))} under "
           f"{html.escape(str(row['parent_licence']))}</span>") if row["conflict"] else ""
    return (f"<span class='node' data-hub-id='{html.escape(str(row['hub_id'] or ''))}'>{star}{name}{rel} {lic}"
            f"{dl}{below}{why}</span>")


def tree_html(fam: Family, conflicts_only: bool = False, limit: int = MAX_NODES) -> str:
    """The family as nested lists: each model with its relation to its parent, licence (coloured by kind),
    downloads and the number of models below it; the branches towards the picked model and every licence
    conflict open, others collapsed; conflicts highlighted with the parent's licence."""
    frame = tree_frame(fam, conflicts_only)
    if frame.is_empty():
        return f"<div class='{TREE_CLASS}'><i>no licence conflicts in this family</i></div>" if conflicts_only \
            else ""
    rows = frame.head(limit).to_dicts()
    out, depth = ["<ul>"], 0
    for i, row in enumerate(rows):
        while depth > row["indent"]:
            out.append("</ul></details></li>")
            depth -= 1
        cls = " class='ptmkg-conflict'" if row["conflict"] else ""
        has_children = i + 1 < len(rows) and rows[i + 1]["indent"] > row["indent"]
        if has_children:
            out.append(f"<li{cls}><details{' open' if row['open'] else ''}><summary>{_line(row, fam.model)}"
                       "</summary><ul>")
            depth += 1
        else:
            out.append(f"<li{cls}>{_line(row, fam.model)}</li>")
    out.append("</ul></details></li>" * depth + "</ul>")
    more = (f"<p><i>the first {limit:,} of {frame.height:,} models are drawn; tick 'conflicts only' or page "
            "through the table for the rest</i></p>") if frame.height > limit else ""
    return f"{_STYLE}<div class='{TREE_CLASS}'>{''.join(out)}{more}</div>"
