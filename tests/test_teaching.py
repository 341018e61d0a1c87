"""The SPARQL course: every exercise's reference runs on the starter snapshot and is graded right; wrong, partial,
duplicated, reordered, renamed and invalid answers get the feedback a student can act on."""

from __future__ import annotations

import html
import re
import socket
import urllib.request

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ptmkg import teaching
from ptmkg.cli import main
from ptmkg.errors import InputError, PtmkgError
from ptmkg.queries import catalogue
from ptmkg.teaching.exercises import parse_exercise
from ptmkg.teaching.export import solution_text
from ptmkg.teaching.graph import exercise_store, loopback_endpoints

EXERCISES = teaching.exercises()
IDS = [e.id for e in EXERCISES]
SELECTS = [e for e in EXERCISES if solution_text(e).lstrip().upper().startswith("SELECT")]
GRAPHS = [e for e in EXERCISES if e not in SELECTS]

# One mistake per exercise, as a student might make it: (text in the reference, replacement, a problem the
# grader must name). Each is a changed filter, a dropped or loosened pattern, or a wrong aggregate.
MUTATIONS: dict[int, tuple[str, str, str]] = {
    1: ('"text-to-image"', '"text-generation"', "missing"),
    2: ("1000000", "2000000", "missing"),
    3: ("LCASE(?id)", "?id", "missing"),
    4: ("DESC(?downloads)", "?downloads", "missing"),
    5: ("COUNT(DISTINCT ?x)", "COUNT(?x)", "values"),
    6: ("COUNT(DISTINCT ?m)", "COUNT(?m)", "values"),
    7: (">= 20", ">= 50", "missing"),
    8: (">= 10", ">= 20", "missing"),
    9: ("SELECT DISTINCT ?m ?has", "SELECT ?m ?has", "values"),
    10: ("OPTIONAL { ?m ptmkg:parameterCount ?params }", "?m ptmkg:parameterCount ?params .", "missing"),
    11: ('hasSection "limitations"', 'hasSection "evaluation"', "extra"),
    12: ("FILTER NOT EXISTS { ?m fair4ml:trainedOn ?d }", "?m fair4ml:trainedOn ?d .", "values"),
    13: ("ptmkg:fineTunedFrom ?parent", "prov:wasDerivedFrom+ ?parent", "extra"),
    14: ("?m prov:wasDerivedFrom+ ?root }", "?m ptmkg:fineTunedFrom+ ?root }", "values"),
    15: ("FILTER NOT EXISTS { ?r prov:wasDerivedFrom ?any }", "", "extra"),
    16: ("ptmkg:mergedFrom }", "}", "missing"),
    17: ("ptmkg:quantizedFrom/(ptmkg:fineTunedFrom|ptmkg:adapterOf)", "ptmkg:quantizedFrom", "missing"),
    18: ("ORDER BY ?retrieved", "ORDER BY DESC(?retrieved)", "order"),
    19: ("GRAPH ?g { ?s ?p ?o }", "GRAPH ?g { ?s a ?o }", "values"),
    20: ("FILTER(?source1 < ?source2)", "", "extra"),
    21: ("FILTER NOT EXISTS { GRAPH ?hub { ?m ?p ?o } }", "", "values"),
    22: ("ptmkg:obtainedBy ?how", "ptmkg:obtainedBy ptmkg:Estimated", "empty"),
    23: ("?g / 1000 AS ?kg", "?g / 100 AS ?kg", "values"),
    24: ('CONTAINS(?t, "mlco2") || ', "", "values"),
    25: ("YEAR(?created)", "MONTH(?created)", "missing"),
    26: ('?created < "2023-01-01T00:00:00Z"', '?created < "2024-01-01T00:00:00Z"', "extra"),
    27: ('serialisationFormat "safetensors"', 'serialisationFormat "pickle"', "values"),
    28: ("?m prov:wasDerivedFrom+ ?root", "?m prov:wasDerivedFrom ?root", "missing"),
    29: ("OPTIONAL { ?m dct:license ?l }", "?m dct:license ?l", "missing"),
    30: ("DESCRIBE ?run", "DESCRIBE ?m", "extra"),
    31: ("{ ?m ptmkg:pipelineTask ?task }", '{ ?m ptmkg:pipelineTask ?task ; ptmkg:library "diffusers" }', "missing"),
    32: ("ptmkg:usedStorage ?remote }", "ptmkg:usedStorage ?local }", "empty"),
    33: ("COUNT(DISTINCT ?m) AS ?models", "COUNT(?m) AS ?models", "values"),
    34: ("CEIL(?n / 100)", "CEIL(?n / 10)", "values"),
}


def _ids(items):
    return [e.id for e in items]


def _wrap(ex, select: str = "*", after: str = "", inner: str | None = None) -> str:
    """The reference as a sub-query: ``SELECT <select> { { ref } <inner> } <after>``."""
    body = solution_text(ex)
    return f"SELECT {select} WHERE {{ {{ {body} }} {inner or ''} }} {after}"


# -- the course ---------------------------------------------------------------------------------------


def test_the_course_has_at_least_30_exercises_over_8_levels():
    assert len(EXERCISES) >= 30
    assert len({e.level for e in EXERCISES}) >= 8
    assert {e.level for e in EXERCISES} == set(teaching.levels())  # every declared level is taught
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    assert [e.level for e in EXERCISES] == sorted(e.level for e in EXERCISES)  # levels rise through the course
    assert sum(e.literature is not None for e in EXERCISES) >= len(EXERCISES) // 2
    assert set(MUTATIONS) == {e.number for e in EXERCISES}


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_exercise_is_complete_and_its_solution_is_a_catalogue_entry(ex):
    assert ex.title and ex.goal and ex.task and ex.hints
    assert solution_text(ex) not in ex.task  # the reference is kept apart from the task
    query = catalogue().get(f"teaching/solutions/{ex.id}")
    assert "teaching" in query.tags and f"level-{ex.level}" in query.tags
    assert f"Exercise {ex.number}:" in query.summary
    if query.columns:
        assert set(ex.variables) <= set(query.columns) and set(ex.order_by) <= set(query.columns)
    for iri in ex.services:
        assert f"<{iri}>" in ex.task or iri in ex.task, "the task names the endpoint the student must call"


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_reference_is_non_empty_and_stable_on_the_starter_snapshot(ex):
    first = teaching.run(ex, ex.solution)
    assert first.height > 0 if isinstance(first, pl.DataFrame) else len(first) > 0
    exercise_store.cache_clear()  # a freshly built graph gives the same answer
    again = teaching.run(ex, ex.solution)
    if isinstance(first, pl.DataFrame):
        assert_frame_equal(first.sort(first.columns), again.sort(again.columns), check_exact=False, rel_tol=1e-9)
    else:
        assert sorted(map(str, first)) == sorted(map(str, again))


# -- grading -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_reference_is_graded_correct(ex):
    fb = teaching.check(ex, ex.solution)
    assert fb.correct and fb.problems == [] and "matches the reference" in str(fb), str(fb)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_a_wrong_answer_names_what_is_wrong(ex):
    old, new, problem = MUTATIONS[ex.number]
    body = solution_text(ex)
    assert body.count(old) == 1, f"mutation text {old!r} not found once in the reference"
    fb = teaching.check(ex, body.replace(old, new))
    assert not fb.correct and problem in fb.problems, str(fb)
    text = str(fb)
    if problem in ("missing", "extra"):
        assert "e.g. (?" in text  # example rows a student can look up
    if problem == "values":
        assert "the answer has" in text and "yours" in text
    if problem == "order":
        assert "ORDER BY" in text


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_a_partial_answer_reports_what_is_missing(ex):
    """Part of the rows (or triples); for a one-row answer, part of the columns."""
    result = teaching.run(ex, ex.solution)
    if ex in GRAPHS or result.height > 1:
        fb = teaching.check(ex, f"{solution_text(ex)} LIMIT 1" if ex in GRAPHS else _wrap(ex, after="LIMIT 1"))
        assert not fb.correct and fb.problems == ["missing"], str(fb)
        assert re.search(r"\d+ (rows?|triples?) of the answer (graph )?(is|are) missing", str(fb))
    else:
        fb = teaching.check(ex, _wrap(ex, select=f"?{result.columns[0]}"))
        assert not fb.correct and fb.problems == ["columns"], str(fb)
        assert "Missing: ?" in str(fb) if ex.variables else "Add the missing column" in str(fb)


@pytest.mark.parametrize("ex", SELECTS, ids=_ids(SELECTS))
def test_duplicated_rows_ask_for_distinct(ex):
    body = solution_text(ex)
    fb = teaching.check(ex, f"SELECT * WHERE {{ {{ {body} }} UNION {{ {body} }} }}")
    assert not fb.correct and fb.problems == ["duplicates"], str(fb)
    assert "DISTINCT" in str(fb) and "more than once" in str(fb)


@pytest.mark.parametrize("ex", SELECTS, ids=_ids(SELECTS))
def test_an_extra_column_is_named(ex):
    fb = teaching.check(ex, _wrap(ex, inner="BIND(42 AS ?spare)"))
    assert not fb.correct and fb.problems == ["columns"] and "?spare" in str(fb), str(fb)


def _sort(ex, result: pl.DataFrame, flip: bool = False) -> str:
    """An ORDER BY clause that sorts like the reference's result does (or the other way round, with ``flip``)."""
    keys = []
    for key in ex.order_by or result.columns[:1]:
        values = result[key].to_list()
        desc = values == sorted(values, reverse=True) and values != sorted(values)
        keys.append(f"DESC(?{key})" if desc != flip else f"?{key}")
    return "ORDER BY " + " ".join(keys)


@pytest.mark.parametrize("ex", SELECTS, ids=_ids(SELECTS))
def test_variable_names_are_free_unless_the_exercise_names_them(ex):
    result = teaching.run(ex, ex.solution)
    renamed = " ".join(f"(?{n} AS ?my_{n})" for n in reversed(result.columns))  # other names, other column order
    fb = teaching.check(ex, _wrap(ex, select=renamed, after=_sort(ex, result)))
    if ex.variables:
        assert not fb.correct and fb.problems == ["columns"] and f"?{ex.variables[0]}" in str(fb), str(fb)
    else:
        assert fb.correct, str(fb)


@pytest.mark.parametrize("ex", SELECTS, ids=_ids(SELECTS))
def test_row_order_is_graded_only_where_the_exercise_asks(ex):
    result = teaching.run(ex, ex.solution)
    fb = teaching.check(ex, _wrap(ex, after=_sort(ex, result, flip=True)))
    if ex.order_by and result[ex.order_by[0]].n_unique() > 1:
        assert not fb.correct and fb.problems == ["order"] and "wrong order" in str(fb), str(fb)
    else:
        assert fb.correct, str(fb)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_a_syntax_error_names_line_and_column(ex):
    lines = solution_text(ex).splitlines()
    broken = "\n".join([*lines[:1], "  FILTER(?x = ) .", *lines[1:]])
    fb = teaching.check(ex, broken)
    assert not fb.correct and fb.problems == ["syntax"], str(fb)
    assert fb.line is not None and fb.column is not None
    assert f"line {fb.line}, column {fb.column}" in str(fb) and "^" in str(fb)


def test_syntax_error_position_is_the_parsers():
    fb = teaching.check("01", 'SELECT ?id WHERE {\n  ?m ptmkg:pipelineTask "text-to-image" ;\n     ptmkg:hubId ?id\n'
                              '  ?m ptmkg:likes ?likes .\n}')
    assert (fb.line, fb.column) == (4, 11), str(fb)
    assert "  ?m ptmkg:likes ?likes ." in str(fb) and "missing '.'" in str(fb)
    fb = teaching.check("01", "SELECT ?id WHERE {\n  ?m hub:id ?id .\n}")
    assert (fb.line, fb.column) == (2, 12) and "unknown prefix" in str(fb) and "u{" not in str(fb), str(fb)


def test_numbers_within_the_tolerance_are_right_and_beyond_it_wrong():
    ex = teaching.get("23")
    body = solution_text(ex)
    assert ex.tolerance == pytest.approx(1e-4)
    assert teaching.check(ex, body.replace("?g / 1000 AS ?kg", "?g / 1000 * 1.00001 AS ?kg")).correct
    fb = teaching.check(ex, body.replace("?g / 1000 AS ?kg", "?g / 1000 * 1.001 AS ?kg"))
    assert fb.problems == ["values"] and "?kg" in str(fb)


def test_counting_rows_twice_is_explained():
    fb = teaching.check("05", "SELECT ?class (COUNT(?x) AS ?n) WHERE { VALUES ?class { ptmkg:Model ptmkg:Paper "
                              "ptmkg:Dataset } ?x a ?class } GROUP BY ?class")
    assert fb.problems == ["values"], str(fb)
    assert "COUNT(DISTINCT" in str(fb) and "ptmkg:Model" in str(fb)


def test_an_empty_result_and_a_wrong_query_form_are_explained():
    fb = teaching.check("01", 'SELECT ?id WHERE { ?m ptmkg:pipelineTask "text to image" ; ptmkg:hubId ?id }')
    assert fb.problems == ["empty"] and "no rows" in str(fb)
    fb = teaching.check("01", "CONSTRUCT { ?m a ptmkg:Model } WHERE { ?m a ptmkg:Model }")
    assert fb.problems == ["form"] and "SELECT" in str(fb)


def test_service_calls_other_than_the_exercises_are_refused():
    fb = teaching.check("31", "SELECT * WHERE { SERVICE <http://127.0.0.1:9999/query> { ?s ?p ?o } }")
    assert fb.problems == ["error"] and "http://127.0.0.1:7879/carbon/query" in str(fb)
    fb = teaching.check("01", "SELECT * WHERE { SERVICE <http://127.0.0.1:7879/carbon/query> { ?s ?p ?o } }")
    assert fb.problems == ["error"] and "needs no SERVICE" in str(fb)


def test_federation_needs_the_remote_endpoint():
    """The local graph of a federation exercise lacks the remote data: without SERVICE the answer is empty."""
    fb = teaching.check("32", "SELECT DISTINCT ?id ?local ?remote WHERE { ?m ptmkg:hubId ?id ; ptmkg:usedStorage "
                              "?local . ?m ptmkg:usedStorage ?remote FILTER(?local != ?remote) }")
    assert fb.problems == ["empty"]


def test_loopback_endpoints_listen_on_127_0_0_1_and_stop_after():
    with loopback_endpoints({"http://example.org/carbon": ("starter-carbon",)}) as urls:
        url = urls["http://example.org/carbon"]
        assert url.startswith("http://127.0.0.1:")
        query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/ptmkg/TrainingRun> }")
        with urllib.request.urlopen(f"{url}?query={query}", timeout=10) as r:
            assert r.headers["Content-Type"] == "application/sparql-results+json"
            assert '"n"' in r.read().decode()
        port = int(url.split(":")[2].split("/")[0])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


# -- exercise files ------------------------------------------------------------------------------------


def test_exercise_files_are_validated(tmp_path):
    (tmp_path / "solutions").mkdir()
    bad = tmp_path / "01-bad.yaml"
    bad.write_text("title: T\nlevel: 1\ngoal: G\ntask: T\nhints: [h]\nanswer: oops\n")
    with pytest.raises(InputError, match="unknown key"):
        parse_exercise(bad)
    bad.write_text("title: T\nlevel: 1\ngoal: G\ntask: T\nhints: [h]\n")
    with pytest.raises(InputError, match="no reference solution"):
        parse_exercise(bad)
    (tmp_path / "solutions" / "01-bad.rq").write_text("SELECT * WHERE { ?s ?p ?o }")
    bad.write_text("title: T\nlevel: 99\ngoal: G\ntask: T\nhints: [h]\n")
    with pytest.raises(InputError, match="level"):
        parse_exercise(bad)
    with pytest.raises(PtmkgError, match="unknown exercise"):
        teaching.get("99")
    assert teaching.get("7") is teaching.get("07") is teaching.get("07-having-popular-tasks")


# -- command line and export ---------------------------------------------------------------------------


def test_cli_list_shows_every_exercise_and_level(capsys):
    assert main(["teach", "list"]) == 0
    out = capsys.readouterr().out
    assert all(e.id in out for e in EXERCISES)
    m = re.search(r"(\d+) exercises over (\d+) of", out)
    assert m and int(m.group(1)) >= 30 and int(m.group(2)) >= 8


def test_cli_show_reveals_hints_one_by_one(capsys):
    ex = teaching.get("7")
    assert main(["teach", "show", "7"]) == 0
    out = capsys.readouterr().out
    assert ex.task.split()[0] in out and ex.hints[0] not in out and "--hints 1" in out
    assert main(["teach", "show", "7", "--hints", "1"]) == 0
    out = capsys.readouterr().out
    assert ex.hints[0] in out and ex.hints[1] not in out and "--hints 2" in out


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_cli_check_grades_right_and_wrong_answers(ex, tmp_path, capsys):
    right, wrong = tmp_path / "right.rq", tmp_path / "wrong.rq"
    old, new, _ = MUTATIONS[ex.number]
    right.write_text(solution_text(ex))
    wrong.write_text(solution_text(ex).replace(old, new))
    assert main(["teach", "check", ex.id, str(right)]) == 0
    assert capsys.readouterr().out.startswith("Correct")
    assert main(["teach", "check", str(ex.number), str(wrong)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and "\n- " in out


def test_cli_solution_and_mistakes(tmp_path, capsys):
    assert main(["teach", "solution", "15"]) == 0
    assert capsys.readouterr().out.strip() == solution_text(teaching.get("15"))
    assert main(["teach", "check", "15", str(tmp_path / "absent.rq")]) == 2
    assert "no query file" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_export_writes_a_handout_without_and_a_key_with_solutions(tmp_path, capsys, fmt):
    assert main(["teach", "export", "--out", str(tmp_path), "--format", fmt]) == 0
    handout = (tmp_path / f"handout.{fmt}").read_text()
    key = (tmp_path / f"key.{fmt}").read_text()
    for ex in EXERCISES:
        body = solution_text(ex) if fmt == "md" else html.escape(solution_text(ex))
        assert body not in handout and body in key, ex.id
        assert ex.title in handout if fmt == "md" else html.escape(ex.title) in handout
    assert handout.count("Hint 1") == len(EXERCISES) == key.count("Reference solution")


def test_a_runaway_cross_product_is_stopped_with_advice():
    fb = teaching.check("01", "SELECT ?id WHERE { ?m ptmkg:hubId ?id . ?x ptmkg:hasFile ?f }")
    assert fb.problems == ["error"] and "not joined to the others" in str(fb)
