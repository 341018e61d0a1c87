"""A paged, sortable results table: pure functions for the page, an ipywidgets box to show it."""

from __future__ import annotations

import html
import math

import ipywidgets as w
import polars as pl

TABLE_CLASS = "ptmkg-results"


def page_count(rows: int, page_size: int) -> int:
    """Number of pages for ``rows`` rows (at least 1)."""
    return max(1, math.ceil(rows / page_size))


def page_of(df: pl.DataFrame, page: int = 0, page_size: int = 20, sort_by: str | None = None,
            descending: bool = False) -> pl.DataFrame:
    """Rows of page ``page`` (0-based, clamped to the last page) after sorting by ``sort_by`` (nulls last)."""
    if sort_by is not None:
        df = df.sort(sort_by, descending=descending, nulls_last=True, maintain_order=True)
    page = min(max(page, 0), page_count(df.height, page_size) - 1)
    return df.slice(page * page_size, page_size)


def _cell(value: object) -> str:
    if value is None:
        return '<td class="null">—</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:,.4g}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value:,}</td>'
    text = str(value)
    if text.startswith(("http://", "https://")):
        return f'<td><a href="{html.escape(text)}" target="_blank" rel="noopener">{html.escape(text)}</a></td>'
    return f"<td>{html.escape(text)}</td>"


_STYLE = (f"<style>.{TABLE_CLASS}{{border-collapse:collapse;font-size:12px}}"
          f".{TABLE_CLASS} th,.{TABLE_CLASS} td{{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}}"
          f".{TABLE_CLASS} td.num{{text-align:right;font-variant-numeric:tabular-nums}}"
          f".{TABLE_CLASS} td.null{{color:#999}}"
          f".{TABLE_CLASS} tr.flag td{{background:#fde2e1}}</style>")


def to_html(df: pl.DataFrame, flag: str | None = None) -> str:
    """An escaped HTML table of ``df``; rows where boolean column ``flag`` is true get class ``flag``."""
    cols = [c for c in df.columns if c != flag]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    flags = df[flag].fill_null(False).to_list() if flag else [False] * df.height
    body = "".join(
        f'<tr{" class=flag" if f else ""}>' + "".join(_cell(v) for v in row) + "</tr>"
        for row, f in zip(df.select(cols).iter_rows(), flags)
    )
    return f'{_STYLE}<table class="{TABLE_CLASS}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class ResultTable(w.VBox):
    """Shows a DataFrame a page at a time, sortable by any column."""

    def __init__(self, df: pl.DataFrame | None = None, page_size: int = 20, flag: str | None = None):
        self.page_size, self.flag, self.page = page_size, flag, 0
        self.df = pl.DataFrame()
        self.sort_by = w.Dropdown(description="sort by", options=[("(query order)", None)],
                                  layout=w.Layout(width="260px"))
        self.descending = w.ToggleButton(description="descending", value=False, icon="sort-amount-desc")
        self.prev_btn, self.next_btn = w.Button(description="◀ prev"), w.Button(description="next ▶")
        self.position = w.Label()
        self.html = w.HTML()
        for control in (self.sort_by, self.descending):
            control.observe(lambda _: self.go(0), names="value")
        self.prev_btn.on_click(lambda _: self.go(self.page - 1))
        self.next_btn.on_click(lambda _: self.go(self.page + 1))
        bar = w.HBox([self.sort_by, self.descending, self.prev_btn, self.next_btn, self.position])
        super().__init__([bar, self.html])
        self.show(df if df is not None else pl.DataFrame())

    def show(self, df: pl.DataFrame) -> None:
        """Replace the data and go to the first page."""
        self.df = df
        cols = [c for c in df.columns if c != self.flag]
        self.sort_by.options = [("(query order)", None)] + [(c, c) for c in cols]
        self.sort_by.value = None
        self.go(0)

    def go(self, page: int) -> None:
        """Show page ``page`` (clamped)."""
        pages = page_count(self.df.height, self.page_size)
        self.page = min(max(page, 0), pages - 1)
        rows = page_of(self.df, self.page, self.page_size, self.sort_by.value, self.descending.value)
        self.html.value = to_html(rows, self.flag) if self.df.width else ""
        self.position.value = f"page {self.page + 1} of {pages} · {self.df.height:,} rows"
        self.prev_btn.disabled = self.page == 0
        self.next_btn.disabled = self.page >= pages - 1
