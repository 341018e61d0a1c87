"""Canned queries: ``.rq`` files with a grlc-style ``#+`` YAML header, loaded as a catalogue."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import yaml

from ptmkg import resources
from ptmkg.errors import InputError, PtmkgError, UnknownNameError

if TYPE_CHECKING:
    from ptmkg.store import GraphStore

QUERIES_DIR = resources.folder("queries")
GROUPS: dict[str, str] = {"queries": "Queries", "claims": "Claims", "teaching": "Exercises"}
"""A query's group (:attr:`CannedQuery.group`) → its heading, in the order listings show them."""


@dataclass(frozen=True)
class CannedQuery:
    """One query file: its metadata header and SPARQL text."""

    name: str
    path: Path | None
    sparql: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    chart: dict[str, str] | None = None
    endpoint: str | None = None

    @property
    def group(self) -> str:
        """``claims`` (a claim's measuring or replication query), ``teaching`` (an exercise's solution) or
        ``queries`` (a canned query, ``fairjupyter/...`` included)."""
        top = self.name.split("/", 1)[0] if "/" in self.name else ""
        return top if top in GROUPS else "queries"

    def __repr__(self) -> str:
        params = f"; parameters {', '.join(self.parameters)}" if self.parameters else ""
        return f"<query {self.name}: {self.summary}{params}>"

    def _repr_html_(self) -> str:
        tags = " ".join(f"<code>{html.escape(t)}</code>" for t in self.tags)
        defaults = ", ".join(f"{html.escape(k)} = {html.escape(repr(v))}" for k, v in self.defaults.items())
        return (f"<div><b>{html.escape(self.name)}</b>: {html.escape(self.summary)} {tags}</div>"
                + (f"<div>{html.escape(self.description)}</div>" if self.description else "")
                + (f"<div>defaults: {defaults}</div>" if defaults else "")
                + f"<details><summary>SPARQL</summary><pre>{html.escape(self.sparql)}</pre></details>")

    @property
    def parameters(self) -> list[str]:
        """Declared parameter names (``?_name`` / ``?_name_iri`` variables), in order of appearance."""
        seen: dict[str, None] = {}
        for m in re.finditer(r"\?_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*?)(?:_iri)?\b", self.sparql):
            seen.setdefault(m.group(1))
        return list(seen)

    @property
    def form(self) -> str:
        """The query form: ``select``, ``ask``, ``construct`` or ``describe``."""
        body = re.sub(r"(?im)^\s*(#.*|(PREFIX|BASE)\s.*)$", "", self.sparql)
        m = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body)
        return m.group(1).lower() if m else "select"

    @property
    def sha256(self) -> str:
        """Hash of the query text (for provenance of results)."""
        return "sha256:" + hashlib.sha256(self.sparql.encode()).hexdigest()

    def arguments(self, **params: object) -> dict[str, object]:
        """The value of every parameter: ``params`` (None: not given) over the declared defaults."""
        unknown = set(params) - set(self.parameters)
        if unknown:
            raise PtmkgError(f"query '{self.name}' has no parameter {', '.join(sorted(unknown))}; "
                             f"it takes: {', '.join(self.parameters) or 'none'}")
        values = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}
        missing = [p for p in self.parameters if p not in values]
        if missing:
            raise PtmkgError(f"query '{self.name}' needs --param {missing[0]}=VALUE")
        return {k: values[k] for k in self.parameters}

    def run(self, store: GraphStore, **params: object) -> pl.DataFrame | bool:
        """Run with the declared defaults overridden by ``params``."""
        return store.query(self.sparql, **self.arguments(**params))


def parse_query_file(path: Path, name: str | None = None, *, canned: bool = True) -> CannedQuery:
    """Parse one ``.rq`` file; a malformed header raises :class:`InputError`, and so does a missing
    summary when the file is ``canned`` (part of a catalogue; ad-hoc files need no header)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    except OSError as e:
        raise InputError(str(path), f"cannot read the query file: {e.strerror}") from None
    return parse_query_text(text, path, name, canned=canned)


def parse_query_text(text: str, path: Path | None = None, name: str | None = None, *,
                     canned: bool = False) -> CannedQuery:
    """A query from SPARQL text with an optional ``#+`` header (required, with a summary, when ``canned``)."""
    where = str(path) if path else "query"
    header = [ln[3:] if ln.startswith("#+ ") else ln[2:] for ln in text.splitlines() if ln.startswith("#+")]
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        raise InputError(where, f"malformed #+ header: {e}", row=None if line is None else line + 1) from None
    if not isinstance(meta, dict):
        raise InputError(where, "the #+ header must be YAML keys (summary: ..., tags: ...)")
    if canned and "summary" not in meta:
        raise InputError(where, "the #+ header needs a summary", field="summary")
    defaults: dict[str, object] = {}
    for item in meta.get("defaults") or []:
        defaults.update(item if isinstance(item, dict) else {})
    return CannedQuery(
        name=name or (path.stem if path else "ad-hoc"),
        path=path,
        sparql=text,
        summary=str(meta.get("summary", "ad-hoc query")),
        description=str(meta.get("description", "")).strip(),
        tags=tuple(meta.get("tags") or ()),
        defaults=defaults,
        columns=tuple(meta.get("columns") or ()),
        chart=meta.get("chart"),
        endpoint=meta.get("endpoint"),
    )


class Catalogue:
    """All canned queries under a folder; sub-folders give prefixed names (``teaching/01-...``)."""

    def __init__(self, root: Path = QUERIES_DIR):
        self.root = root
        self.queries = {
            q.name: q
            for q in (parse_query_file(p, p.relative_to(root).with_suffix("").as_posix())
                      for p in sorted(root.rglob("*.rq")))
        }

    def get(self, name: str) -> CannedQuery:
        """A query by name, or by path to a SPARQL file (``#+`` header optional)."""
        if name in self.queries:
            return self.queries[name]
        path = Path(name)
        if path.is_file():
            return parse_query_file(path, canned=False)
        if path.suffix in (".rq", ".sparql"):
            raise InputError(name, "no such query file")
        raise UnknownNameError("query", name, list(self.queries), listing="ptmkg query --list")

    def frame(self) -> pl.DataFrame:
        """The catalogue as a table: name, summary, tags, parameters."""
        return pl.DataFrame(
            {
                "name": [q.name for q in self.queries.values()],
                "summary": [q.summary for q in self.queries.values()],
                "tags": [", ".join(q.tags) for q in self.queries.values()],
                "parameters": [", ".join(q.parameters) for q in self.queries.values()],
            },
            schema={"name": pl.String, "summary": pl.String, "tags": pl.String, "parameters": pl.String},
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {GROUPS[g].lower()}" for g, n in self._counts().items())
        return f"<catalogue of {len(self)} queries: {counts}; .frame() as a table>"

    def _repr_html_(self) -> str:
        """Every entry, grouped (queries, claims, exercises): name, summary, tags, parameters."""
        out = [f"<div><b>{len(self)} queries</b> (<code>kg.run(name)</code> runs one; "
               "<code>.frame()</code> gives this as a DataFrame)</div>"]
        cell = "padding:1px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #eee"
        for group, heading in GROUPS.items():
            rows = [q for q in self if q.group == group]
            if not rows:
                continue
            body = "".join(f"<tr><td style='{cell}'><code>{html.escape(q.name)}</code></td>"
                           f"<td style='{cell}'>{html.escape(q.summary)}</td>"
                           f"<td style='{cell}'>{html.escape(', '.join(q.tags))}</td>"
                           f"<td style='{cell}'>{html.escape(', '.join(q.parameters))}</td></tr>" for q in rows)
            head = "".join(f"<th style='{cell}'>{h}</th>" for h in ("name", "summary", "tags", "parameters"))
            out.append(f"<h4 style='margin:8px 0 2px'>{heading} ({len(rows)})</h4>"
                       f"<table class='ptmkg-catalogue' data-group='{group}' style='border-collapse:collapse;"
                       f"font-size:12px'><tr>{head}</tr>{body}</table>")
        return "".join(out)

    def _counts(self) -> dict[str, int]:
        return {g: n for g in GROUPS if (n := sum(q.group == g for q in self))}

    def __iter__(self):
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)


@lru_cache(maxsize=4)
def catalogue(root: Path = QUERIES_DIR) -> Catalogue:
    """The catalogue of ``root`` (cached)."""
    return Catalogue(root)
