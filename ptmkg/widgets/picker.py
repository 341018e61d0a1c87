"""The query picker: search the catalogue by name, title or summary; canned queries, claims and exercises apart."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache

import ipywidgets as w

from ptmkg.queries import GROUPS, CannedQuery, Catalogue
from ptmkg.widgets.quiet import Quiet

ALL = "all"
_PREFIX = {"queries": "", "claims": "claim · ", "teaching": "exercise · "}


@lru_cache(maxsize=1)
def _claim_wordings() -> dict[str, str]:
    from ptmkg.claims.definitions import load_definitions

    return {d.id: d.wording for d in load_definitions().values()}


def search_text(q: CannedQuery) -> str:
    """What a search matches against, lower-cased: name, summary, description, tags (and a claim's wording)."""
    parts = [q.name, q.summary, q.description, *q.tags]
    if q.group == "claims":
        parts.append(_claim_wordings().get(q.name.split("/", 1)[1].split(".", 1)[0], ""))
    return " ".join(parts).lower()


def matches(q: CannedQuery, search: str) -> bool:
    """Whether every word of ``search`` occurs (case-insensitive) in the query's :func:`search_text`."""
    text = search_text(q)
    return all(word in text for word in search.lower().split())


def label(q: CannedQuery) -> str:
    """The picker's text for a query: ``summary  [name]``, claims and exercises marked as such."""
    return f"{_PREFIX[q.group]}{q.summary}  [{q.name}]"


def found(queries: Catalogue, search: str = "") -> dict[str, list[CannedQuery]]:
    """The queries matching ``search`` by group (:data:`GROUPS` order; catalogue order within a group,
    top-level queries before those in sub-folders)."""
    out: dict[str, list[CannedQuery]] = {g: [] for g in GROUPS}
    for q in sorted(queries, key=lambda q: ("/" in q.name, q.name)):
        if matches(q, search):
            out[q.group].append(q)
    return out


class QueryPicker(Quiet, w.VBox):
    """A search box, a group switch (with match counts) and a dropdown of the matching queries.

    ``on_pick(name)`` is called when the choice changes by the user's hand (typing a search that hides the
    chosen query picks the first match; ``None`` when nothing matches); :meth:`show` selects a query from
    code, clearing a search or group that hides it, without calling ``on_pick``.
    """

    def __init__(self, queries: Catalogue, on_pick: Callable[[str | None], None]):
        self.queries, self.on_pick = queries, on_pick
        self.search = w.Text(placeholder="type to filter: name, title, summary, tags", description="search",
                             continuous_update=True, layout=w.Layout(width="520px"))
        self.search.add_class("ptmkg-query-search")
        self.group = w.ToggleButtons(options=[("All", ALL)], value=ALL, style={"button_width": "auto"})
        self.dropdown = w.Dropdown(description="query", layout=w.Layout(width="720px"))
        self.dropdown.add_class("ptmkg-query-picker")
        self.count = w.HTML()
        self.search.observe(lambda _: self._react(self.refresh), names="value")
        self.group.observe(lambda _: self._react(self.refresh), names="value")
        self.dropdown.observe(lambda c: self._react(self.on_pick, c["new"]) if c["new"] else None, names="value")
        super().__init__([w.HBox([self.search, self.count]), self.group, self.dropdown])
        self.add_class("ptmkg-picker")
        self.refresh(notify=False)

    @property
    def names(self) -> list[str]:
        """The names the dropdown lists now."""
        return [name for _, name in self.dropdown.options]

    def refresh(self, notify: bool = True) -> None:
        """Re-list the dropdown for the current search and group. The choice is kept if it still matches, else
        the first match is chosen (``on_pick`` is told when ``notify``)."""
        hits = found(self.queries, self.search.value)
        total = sum(map(len, hits.values()))
        previous = self.dropdown.value
        group = self.group.value
        with self._silence():  # new options reset a selection widget's value: put the group back
            self.group.options = [(f"All ({total})", ALL)] + [(f"{GROUPS[g]} ({len(hits[g])})", g) for g in GROUPS]
            self.group.value = group
            shown = [(label(q), q.name) for g in GROUPS if group in (ALL, g) for q in hits[g]]
            self.dropdown.options = shown
            self.dropdown.value = previous if previous in [n for _, n in shown] else (shown[0][1] if shown else None)
        text = self.search.value.strip()
        if not shown:
            where = f" among the {GROUPS[group].lower()} ({total} in all)" if group != ALL and total else ""
            self.count.value = (f"<span class='ptmkg-no-match' style='color:#b00'>no query matches "
                                f"'{html.escape(text)}'{where}</span>")
        else:
            self.count.value = f"<small>{len(shown)} of {len(self.queries)} match</small>" if text else ""
        if notify and self.dropdown.value != previous:
            self.on_pick(self.dropdown.value)

    def show(self, name: str) -> None:
        """Choose ``name`` (a search or group hiding it is cleared first); ``on_pick`` is not called."""
        with self._silence():
            if name not in self.names:
                self.search.value, self.group.value = "", ALL
                self.refresh(notify=False)
            if name in self.names:
                self.dropdown.value = name

