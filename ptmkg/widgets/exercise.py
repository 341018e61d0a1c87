"""ExerciseWidget: the SPARQL course in a notebook — task, editor, Run, Check, hints, progress kept locally."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as w
import polars as pl

from ptmkg import teaching
from ptmkg.errors import PtmkgError
from ptmkg.teaching.exercises import Exercise
from ptmkg.teaching.export import grading_notes
from ptmkg.teaching.grade import Feedback
from ptmkg.teaching.progress import Progress
from ptmkg.widgets.table import ResultTable

_STYLE = ("<style>.ptmkg-sparql-editor textarea{font-family:monospace;font-size:13px}"
          ".ptmkg-feedback{padding:.4em .6em;border-left:4px solid #b00;background:#fff5f5}"
          ".ptmkg-feedback.ptmkg-correct{border-color:#080;background:#f3fff3}"
          ".ptmkg-feedback pre{white-space:pre-wrap;margin:.2em 0}</style>")


def _md(text: str) -> str:
    """Escaped text with `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


class ExerciseWidget(w.VBox):
    """Pick an exercise, write SPARQL, Run it on the exercise's graph, Check it against the reference.

    Hints are revealed one at a time; solved exercises, revealed hints and the last query are kept in
    a local JSON file (:class:`ptmkg.teaching.progress.Progress`; ``progress=`` overrides its path).
    State without a browser: :meth:`select`, :meth:`run`, :meth:`check`, :meth:`hint` set ``.exercise``,
    ``.result``, ``.feedback`` and ``.error``.
    """

    def __init__(self, exercises: Sequence[Exercise] | None = None, progress: Progress | str | Path | None = None,
                 start: str | None = None, page_size: int = 10):
        self.exercises = tuple(exercises or teaching.exercises())
        self.progress = progress if isinstance(progress, Progress) else Progress(progress)
        self.exercise: Exercise | None = None
        self.result: object = None
        self.feedback: Feedback | None = None
        self.error: str | None = None
        self.picker = w.Dropdown(description="exercise", layout=w.Layout(width="560px"))
        self.overall = w.HTML()
        self.info = w.HTML()
        self.editor = w.Textarea(placeholder="SELECT ... WHERE { ... }", layout=w.Layout(width="100%", height="180px"))
        self.editor.add_class("ptmkg-sparql-editor")
        self.run_btn = w.Button(description="Run", icon="play")
        self.check_btn = w.Button(description="Check", button_style="primary", icon="check")
        self.hint_btn = w.Button(description="Hint", icon="lightbulb-o")
        self.status = w.HTML()
        self.hints_box = w.HTML()
        self.feedback_box = w.HTML()
        self.table = ResultTable(page_size=page_size)
        self.run_btn.on_click(lambda _: self.run())
        self.check_btn.on_click(lambda _: self.check())
        self.hint_btn.on_click(lambda _: self.hint())
        self._quiet = False  # set while the picker's labels are rewritten (that resets its value)
        self.picker.observe(lambda change: None if self._quiet else self.select(change["new"]), names="value")
        super().__init__([w.HTML(_STYLE), w.HBox([self.picker, self.overall]), self.info, self.editor,
                          w.HBox([self.run_btn, self.check_btn, self.hint_btn, self.status]), self.hints_box,
                          self.feedback_box, self.table])
        self.add_class("ptmkg-exercise")
        self._refresh_picker()
        first = start or next((e.id for e in self.exercises if not self.progress.solved(e.id)), self.exercises[0].id)
        self.select(teaching.get(first).id)

    # -- state ---------------------------------------------------------------------

    def select(self, exercise: str) -> Exercise:
        """Show exercise ``exercise`` (id or number), with the last query typed for it and its revealed hints."""
        ex = teaching.get(exercise)
        self.exercise, self.result, self.feedback, self.error = ex, None, None, None
        if self.picker.value != ex.id:
            self.picker.value = ex.id
        lit = (f"<p><i>From the literature:</i> {_md(ex.literature.question)} "
               f"<small>({html.escape(ex.literature.citation)})</small></p>" if ex.literature else "")
        notes = grading_notes(ex)
        grading = f"<p><i>Grading:</i> {_md('; '.join(notes))}.</p>" if notes else ""
        self.info.value = (f"<h3>{ex.number}. {html.escape(ex.title)}</h3>"
                           f"<p><small>Level {ex.level}: {html.escape(ex.level_name)}</small></p>"
                           f"<p><i>Goal:</i> {_md(ex.goal)}</p><p>{_md(ex.task)}</p>{lit}{grading}")
        self.editor.value = self.progress.query(ex.id)
        self.status.value = ""
        self.feedback_box.value = ""
        self.feedback_box.remove_class("ptmkg-feedback")
        self.feedback_box.remove_class("ptmkg-correct")
        self.table.show(pl.DataFrame())
        self._show_hints(self.progress.hints(ex.id))
        return ex

    def run(self, query: str | None = None) -> object:
        """Run the editor's query (or ``query``) on the exercise's graph; sets ``.result`` or ``.error``."""
        ex = self._current()
        text = self._take(query)
        try:
            result = teaching.run(ex, text)
        except PtmkgError as e:
            self.result, self.error = None, str(e)
            self.status.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
            return None
        self.progress.record_draft(ex.id, text)
        self.result, self.error = result, None
        if isinstance(result, pl.DataFrame):
            frame = result
        elif isinstance(result, bool):
            frame = pl.DataFrame({"answer": [result]})
        else:
            frame = pl.DataFrame({"subject": [str(t[0]) for t in result], "predicate": [str(t[1]) for t in result],
                                  "object": [str(t[2]) for t in result]})
        self.status.value = f"{frame.height:,} {'row' if frame.height == 1 else 'rows'}"
        self.table.show(frame)
        return result

    def check(self, query: str | None = None) -> Feedback:
        """Grade the editor's query (or ``query``); sets ``.feedback`` and records the attempt."""
        ex = self._current()
        text = self._take(query)
        fb = teaching.check(ex, text)
        self.feedback = fb
        self.progress.record_attempt(ex.id, text, fb.correct)
        self.feedback_box.value = fb.html()
        self.feedback_box.add_class("ptmkg-feedback")
        if fb.correct:
            self.feedback_box.add_class("ptmkg-correct")
        else:
            self.feedback_box.remove_class("ptmkg-correct")
        self._refresh_picker()
        return fb

    def hint(self) -> list[str]:
        """Reveal the next hint; returns the hints shown so far."""
        ex = self._current()
        shown = self.progress.reveal_hint(ex.id, len(ex.hints))
        self._show_hints(shown)
        return ex.hint(shown)

    # -- view helpers --------------------------------------------------------------

    def _current(self) -> Exercise:
        if self.exercise is None:
            raise PtmkgError("select an exercise first")
        return self.exercise

    def _take(self, query: str | None) -> str:
        if query is not None:
            self.editor.value = query
        return self.editor.value

    def _show_hints(self, shown: int) -> None:
        ex = self._current()
        items = "".join(f"<li>{_md(h)}</li>" for h in ex.hint(shown))
        self.hints_box.value = f"<ol>{items}</ol>" if items else ""
        self.hint_btn.disabled = shown >= len(ex.hints)
        self.hint_btn.description = f"Hint ({shown}/{len(ex.hints)})"

    def _refresh_picker(self) -> None:
        ids = [e.id for e in self.exercises]
        solved, total = self.progress.summary(ids)
        options = [(f"{'✔' if self.progress.solved(e.id) else '·'} {e.number}. {e.title}  [level {e.level}]", e.id)
                   for e in self.exercises]
        if list(self.picker.options) != options:
            value, self._quiet = self.picker.value, True
            try:
                self.picker.options = options
                if value in ids:
                    self.picker.value = value
            finally:
                self._quiet = False
        self.overall.value = (f"<span class='ptmkg-progress'>solved <b>{solved}</b> of {total}</span> "
                              f"<small>({html.escape(str(self.progress.path))})</small>")
