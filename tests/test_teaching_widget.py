"""ExerciseWidget and the progress file, without a browser."""

from __future__ import annotations

import json

import polars as pl

from ptmkg import teaching
from ptmkg.teaching.export import solution_text
from ptmkg.teaching.progress import Progress, default_progress_path
from ptmkg.widgets import ExerciseWidget


def test_progress_survives_a_restart_and_a_broken_file(tmp_path):
    path = tmp_path / "sub" / "progress.json"
    p = Progress(path)
    p.record_attempt("01-first-triple-pattern", "SELECT 1", correct=False)
    p.record_attempt("01-first-triple-pattern", "SELECT 2", correct=True)
    p.record_attempt("01-first-triple-pattern", "SELECT 3", correct=False)  # solved stays solved
    assert p.reveal_hint("02-filter-numbers", available=2) == 1
    assert p.reveal_hint("02-filter-numbers", available=2) == 2
    assert p.reveal_hint("02-filter-numbers", available=2) == 2  # no more hints than there are
    again = Progress(path)
    assert again.solved("01-first-triple-pattern") and not again.solved("02-filter-numbers")
    assert again.query("01-first-triple-pattern") == "SELECT 3" and again.hints("02-filter-numbers") == 2
    assert again.summary(["01-first-triple-pattern", "02-filter-numbers"]) == (1, 2)
    assert json.loads(path.read_text())["01-first-triple-pattern"]["attempts"] == 3
    path.write_text("{not json")
    assert Progress(path).state == {}


def test_default_progress_path_is_overridable(monkeypatch, tmp_path):
    monkeypatch.setenv("PTMKG_TEACHING_PROGRESS", str(tmp_path / "p.json"))
    assert default_progress_path() == tmp_path / "p.json"
    monkeypatch.delenv("PTMKG_TEACHING_PROGRESS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_progress_path() == tmp_path / "ptmkg" / "teaching-progress.json"


def test_widget_runs_checks_and_reveals_hints(tmp_path):
    path = tmp_path / "progress.json"
    widget = ExerciseWidget(progress=path)
    ex = teaching.get("01")
    assert widget.exercise is ex and ex.title in widget.info.value and widget.hints_box.value == ""
    assert solution_text(ex) not in widget.info.value + widget.editor.value  # the answer is not on show

    result = widget.run("SELECT ?id WHERE { ?m ptmkg:hubId ?id } LIMIT 3")
    assert isinstance(result, pl.DataFrame) and result.height == 3 and widget.table.df.height == 3
    assert widget.run("SELECT ?id WHERE { ?m ptmkg:hubId }") is None and "line 1" in widget.error

    wrong = widget.check('SELECT DISTINCT ?id WHERE { ?m ptmkg:pipelineTask "text-generation" ; ptmkg:hubId ?id }')
    assert not wrong.correct and "Not yet" in widget.feedback_box.value
    assert "ptmkg-correct" not in widget.feedback_box._dom_classes

    assert widget.hint() == [ex.hints[0]] and widget.hint_btn.description == f"Hint (1/{len(ex.hints)})"
    right = widget.check(solution_text(ex))
    assert right.correct and "ptmkg-correct" in widget.feedback_box._dom_classes
    assert widget.picker.options[0][0].startswith("✔") and "solved <b>1</b> of" in widget.overall.value
    assert widget.feedback_box.value.startswith("<b>✔ Correct")  # relabelling the picker kept the feedback

    restarted = ExerciseWidget(progress=path)
    assert restarted.exercise.number == 2  # opens at the first unsolved exercise
    restarted.select("01")
    assert restarted.editor.value == solution_text(ex) and ex.hints[0].split("`")[0] in restarted.hints_box.value


def test_widget_shows_graphs_and_federated_results(tmp_path):
    widget = ExerciseWidget(progress=tmp_path / "p.json", start="28")
    triples = widget.run(solution_text(teaching.get("28")))
    assert len(triples) == widget.table.df.height > 0 and widget.table.df.columns == ["subject", "predicate", "object"]
    widget.select("31")
    assert widget.check(solution_text(teaching.get("31"))).correct
