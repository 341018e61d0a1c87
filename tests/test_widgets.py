"""Widget state without a browser, on KG.memory() + the starter snapshot; expected values come from the
starter's raw records (tags, siblings), read here independently of the mapping."""

import gzip
import json
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import PtmkgError
from ptmkg.queries import Catalogue
from ptmkg.widgets import (
    ClaimExplorer,
    EnergyCalculator,
    LineageExplorer,
    QueryExplorer,
)
from ptmkg.claims.runner import retest
from ptmkg.widgets.claim_explorer import apply_filters, filter_keys, verdict_badge
from ptmkg.widgets.export import download_link, write
from ptmkg.widgets.lineage import family, generations, licence_class
from ptmkg.widgets.query_explorer import parse_value
from ptmkg.widgets.table import page_count, page_of, to_html
from tests.conftest import shared_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def kg():
    k = KG.memory()
    k.ingest("starter")
    return k


@pytest.fixture(scope="module")
def raw():
    """The starter's raw Hub records, keyed by lower-cased id."""
    path = files("ptmkg.data.starter") / "hf_models.jsonl.gz"
    with gzip.open(str(path), "rt") as f:
        return {r["id"].lower(): r for r in map(json.loads, f)}


# -- table and export ------------------------------------------------------------------

def test_page_of_sorts_with_nulls_last_and_clamps():
    df = pl.DataFrame({"m": list("abcde"), "n": [3, None, 5, 1, 4]})
    assert page_of(df, 0, 2, "n", True)["m"].to_list() == ["c", "e"]
    assert page_of(df, 2, 2, "n", True)["m"].to_list() == ["b"]
    assert page_of(df, 9, 2)["m"].to_list() == ["e"]  # clamped to the last page
    assert page_count(5, 2) == 3 and page_count(0, 20) == 1


def test_to_html_escapes_and_flags():
    html = to_html(pl.DataFrame({"m": ["<b>x</b>", "y"], "bad": [True, False]}), flag="bad")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert html.count("class=flag") == 1 and "<th>bad</th>" not in html


def test_export_roundtrip(tmp_path):
    df = pl.DataFrame({"licence": ["MIT", "none"], "models": [75, 3]})
    assert pl.read_csv(write(df, tmp_path / "r.csv")).equals(df)
    assert pl.read_parquet(write(df, tmp_path / "sub" / "r.parquet")).equals(df)
    with pytest.raises(ValueError, match="csv or parquet"):
        write(df, tmp_path / "r.xlsx")
    assert 'download="r.csv"' in download_link(df, "csv", "r")


def test_parse_value_follows_the_default_type():
    assert parse_value(" 5 ", 10) == 5 and parse_value("2.5", 1.0) == 2.5
    assert parse_value("2106.09685", "x") == "2106.09685" and parse_value("  ", "x") is None


# -- QueryExplorer ----------------------------------------------------------------------

def test_query_explorer_runs_a_charted_query(kg, raw):
    qe = QueryExplorer(kg)
    qe.select("models-per-licence")
    assert qe.form.children == () and "licence" in qe.info.value.lower()
    result = qe.run()
    mit = sum("license:mit" in r["tags"] for r in raw.values())
    assert mit == 75
    assert result.filter(licence="MIT")["models"].item() == mit
    licensed = sum(any(t.startswith("license:") for t in r["tags"]) for r in raw.values())
    assert result.filter(pl.col("licence") != "none")["models"].sum() == licensed == 335
    assert qe.chart is not None and qe.chart.to_dict()["encoding"]["x"]["field"] == "licence"
    assert "ptmkg-results" in qe.table.html.value and f"{result.height:,} rows" in qe.table.position.value
    assert "SELECT ?licence" in qe.sparql.value


def test_query_explorer_form_binds_parameters(kg, raw):
    qe = QueryExplorer(kg)
    qe.select("models-citing-paper")
    assert [t.description for t in qe.form.children] == ["arxiv"]
    assert qe.form.children[0].value == "2106.09685"  # the declared default
    qe.set_params(arxiv="1910.09700")
    result = qe.run()
    citing = {k for k, r in raw.items() if "arxiv:1910.09700" in r["tags"]}
    assert len(citing) == 11
    assert {m.lower() for m in result["model"]} == citing
    assert qe.chart is None and "declares no chart" in qe.chart_box.children[0].value


def test_query_explorer_says_why_a_result_may_be_empty(kg):
    qe = QueryExplorer(kg)
    qe.select("family-lineage")
    qe.set_params(root="nobody/no-such-model")
    assert qe.run().height == 0
    assert "0 rows" in qe.status.value and "root = &#x27;nobody/no-such-model&#x27;" in qe.status.value
    assert "in the graph?" in qe.status.value


def test_query_explorer_error_and_save(kg, raw, tmp_path):
    qe = QueryExplorer(kg)
    qe.select("models-citing-paper")
    qe.set_params(arxiv="")  # a blank field falls back to the declared default
    assert qe.params == {"arxiv": None} and len(qe.run()) == 1
    with pytest.raises(PtmkgError, match="no parameter 'root'"):
        qe.set_params(root="x")
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "by-id.rq").write_text("#+ summary: one model\nSELECT ?m WHERE { ?m ptmkg:hubId ?_id }\n")
    custom = QueryExplorer(kg, Catalogue(tmp_path / "q"))
    assert custom.run() is None and "needs --param id" in custom.error
    custom.set_params(id="epfl-llm/meditron-7b")
    assert custom.run()["m"].to_list() == ["https://w3id.org/ptmkg/id/model/hf/epfl-llm/meditron-7b"]
    qe.select("serialisation-formats")
    qe.run()
    safetensors = sum(any(s["rfilename"].endswith(".safetensors") for s in r.get("siblings") or [])
                      for r in raw.values())
    assert qe.result.filter(format="safetensors")["models"].item() == safetensors == 290
    saved = pl.read_parquet(qe.save(str(tmp_path / "formats.parquet")))
    assert saved.equals(qe.result)


def _catalogue_text(q):
    return " ".join([q.name, q.summary, q.description, *q.tags]).lower()


def test_query_picker_lists_queries_then_claims_then_exercises(kg):
    qe = QueryExplorer(kg)
    names = qe.picker.names
    everything = [q.name for q in qe.queries]
    assert sorted(names) == sorted(everything)  # nothing lost, nothing doubled
    kinds = ["claims" if n.startswith("claims/") else "teaching" if n.startswith("teaching/") else "queries"
             for n in names]
    assert kinds == sorted(kinds, key=["queries", "claims", "teaching"].index)  # three runs, in that order
    counts = {k: kinds.count(k) for k in ("queries", "claims", "teaching")}
    assert counts["claims"] == len(list((Path(qe.queries.root) / "claims").glob("*.rq")))
    assert [label for label, _ in qe.picker.group.options] == [
        f"All ({len(everything)})", f"Queries ({counts['queries']})", f"Claims ({counts['claims']})",
        f"Exercises ({counts['teaching']})"]
    assert qe.query.name == names[0] and not names[0].startswith(("claims/", "teaching/"))
    qe.picker.group.value = "claims"  # the user switches to the claims
    assert qe.picker.names == [n for n in names if n.startswith("claims/")] and qe.query.name == "claims/ART-01"
    assert all(label.startswith("claim · ") for label, _ in qe.picker.dropdown.options)


def test_query_picker_search_filters_by_name_summary_and_claim_wording(kg):
    import yaml

    qe = QueryExplorer(kg)
    listed = qe.search("licence")
    expected = {q.name for q in qe.queries if "licence" in _catalogue_text(q)}
    assert set(listed) == expected and len(expected) > 3
    assert qe.query.name == listed[0] and f"{len(listed)} of {len(qe.queries)} match" in qe.picker.count.value
    assert qe.run() is not None  # the first match is selected and runs
    # a claim is found by the words of its wording, which its query file does not carry
    claims = [yaml.safe_load(p.read_text()) for p in (Path(qe.queries.root) / "claims").glob("*.yaml")]
    wordings = {c["id"]: c["wording"].lower() for c in claims if "wording" in c}
    hits = qe.search("DOMINATE")
    assert set(hits) == {
        q.name for q in qe.queries if q.name.startswith("claims/")
        and ("dominate" in _catalogue_text(q) or "dominate" in wordings.get(q.name[7:].split(".")[0], ""))}
    assert "claims/EN-04" in hits and "dominate" not in _catalogue_text(qe.queries.get("claims/EN-04"))
    words = ("models", "per", "licence")  # every word must occur, in any order
    assert set(qe.search("Licence per models")) == {n for n in expected
                                                    if all(w in _catalogue_text(qe.queries.get(n)) for w in words)}


def test_query_picker_search_without_a_match_and_select_clears_it(kg):
    qe = QueryExplorer(kg)
    assert qe.search("no-such-query-xyz") == []
    assert qe.query is None and qe.run_btn.disabled and "no query matches" in qe.picker.count.value
    with pytest.raises(PtmkgError, match="no query chosen"):
        qe.run()
    qe.select("models-per-licence")  # from code: the search that hid it is cleared
    assert qe.picker.search.value == "" and qe.picker.dropdown.value == "models-per-licence"
    assert not qe.run_btn.disabled and qe.run().height > 0
    qe.picker.group.value = "teaching"
    qe.search("lineage")
    assert qe.picker.names and all(n.startswith("teaching/") for n in qe.picker.names)
    assert not any("fair jupyter fig" in _catalogue_text(q) for q in qe.queries if q.name.startswith("teaching/"))
    qe.search("FAIR Jupyter fig")  # only canned queries match, no exercise
    assert qe.picker.names == [] and "among the exercises" in qe.picker.count.value


# -- LineageExplorer --------------------------------------------------------------------

def _raw_edges(raw):
    """(child, parent) from ``base_model:<relation>:<id>`` tags and the records' typed child lists."""
    tagged = {(k, t.split(":", 2)[2].lower()) for k, r in raw.items() for t in r["tags"]
              if t.startswith("base_model:") and t.count(":") == 2}
    listed = {(c.lower(), k) for k, r in raw.items() for key in ("adapters", "quantized", "merges")
              for c in r.get(key) or []}
    return tagged | listed


def test_family_matches_base_model_tags(kg, raw):
    fam = family(kg, "EPFL-LLM/Meditron-7B")  # case-insensitive lookup
    nodes = dict(zip(fam.nodes["hub_id"].str.to_lowercase(), fam.nodes["generation"]))
    edges = _raw_edges(raw)
    children = {c for c, p in edges if p == "epfl-llm/meditron-7b"}
    grandchildren = {c for c, p in edges if p in children}
    assert {m for m, g in nodes.items() if g == -1} == {"meta-llama/llama-2-7b"}
    assert {m for m, g in nodes.items() if g == 1} == children and len(children) == 35
    assert {m for m, g in nodes.items() if g == 2} == grandchildren
    # permissive (Apache-2.0) children of the Llama-2-licensed model: hand-checked in the raw tags
    conflicts = set(fam.conflicts["child"].str.replace(r"^.*/id/model/hf/", ""))
    assert conflicts == {"josephnguyen/meditron-7b-finetuned", "veronica-girolimetti/qt_finetuned_lora_meditron_01"}
    assert set(fam.conflicts["parent_licence"]) == {"Llama-2"} and set(fam.conflicts["child_licence"]) == {"Apache-2.0"}


def test_tree_is_depth_first_from_the_root(kg):
    tree = family(kg, "epfl-llm/meditron-7b").tree()
    assert tree["hub_id"][0] == "meta-llama/Llama-2-7b" and tree["indent"][0] == 0
    assert tree["hub_id"][1].lower() == "epfl-llm/meditron-7b" and tree["indent"][1] == 1
    # every row below a node is deeper until the next sibling: indent never jumps by more than one
    assert (tree["indent"].diff().drop_nulls() <= 1).all()
    siblings = tree.filter(pl.col("indent") == 2)["downloads"].fill_null(-1)  # meditron's children
    assert siblings.len() == 35 and siblings.to_list() == sorted(siblings, reverse=True)  # most downloaded first


def test_generations_and_licence_class():
    edges = pl.DataFrame({"child": ["b", "c", "d"], "parent": ["a", "b", "b"]})
    got = dict(generations(edges, "b").iter_rows())
    assert got == {"b": 0, "a": -1, "c": 1, "d": 1}
    kinds = pl.select(licence_class(pl.Series(["MIT", "Llama-2", "other", "none", None]))).to_series()
    assert kinds.to_list() == ["permissive", "non-permissive", "unknown", "unknown", "unknown"]


def test_lineage_explorer_state(kg):
    le = LineageExplorer(kg)
    assert "epfl-llm/meditron-7b" in [o.lower() for o in le.picker.options]
    fam = le.show("epfl-llm/meditron-7b")
    assert le.rows.height == fam.nodes.height == 43
    assert le.rows.filter("conflict").height == 2 and "2 licence conflicts" in le.info.value
    assert le.chart is not None and "class=flag" in le.table.html.value
    assert le.show("nobody/nothing") is None and "no model" in le.error


def _drawn(tree_html):
    """The Hub ids the tree draws, in order; and those drawn as licence conflicts."""
    import re

    ids = re.findall(r"data-hub-id='([^']*)'", tree_html)
    conflicts = re.findall(r"<li class='ptmkg-conflict'>(?:<details[^>]*><summary>)?<span class='node' "
                           r"data-hub-id='([^']*)'", tree_html)
    return ids, conflicts


def test_lineage_tree_draws_the_family_nested_with_conflicts(kg, raw):
    le = LineageExplorer(kg)
    fam = le.show("epfl-llm/meditron-7b")
    ids, conflicts = _drawn(le.tree.value)
    assert [i.lower() for i in ids] == fam.tree()["hub_id"].str.to_lowercase().to_list()  # every model, depth-first
    assert {c.lower() for c in conflicts} == {"josephnguyen/meditron-7b-finetuned",
                                              "veronica-girolimetti/qt_finetuned_lora_meditron_01"}
    assert "licence conflict: Apache-2.0 under Llama-2" in le.tree.value
    assert "★ <b>epfl-llm/meditron-7b" in le.tree.value
    # nesting follows the raw base_model tags: meditron's 35 children sit in the list under it
    children = {c for c, p in _raw_edges(raw) if p == "epfl-llm/meditron-7b"}
    under = le.tree.value.split("data-hub-id='epfl-llm/meditron-7b'", 1)[1]
    assert all(f"data-hub-id='{i}'" in under for i in ids if i.lower() in children)
    assert le.tree.value.count("<ul>") == le.tree.value.count("</ul>")


def test_lineage_conflicts_only(kg):
    le = LineageExplorer(kg)
    fam = le.show("epfl-llm/meditron-7b")
    le.conflicts_only.value = True  # the user ticks the box
    assert le.rows.height == fam.conflicts.height == 2 and le.rows["conflict"].all()
    assert set(le.rows["parent"]) == {"epfl-llm/meditron-7b"} and set(le.rows["parent_licence"]) == {"Llama-2"}
    assert le.table.html.value.count("class=flag") == 2 and "2 rows" in le.table.position.value
    ids, conflicts = _drawn(le.tree.value)
    assert ids == ["meta-llama/Llama-2-7b", "epfl-llm/meditron-7b", *sorted(conflicts)]  # the conflicts' paths only
    assert le.set_conflicts_only(False).height == 43 and not le.conflicts_only.value
    le.show("meta-llama/Llama-2-7b")
    assert le.set_conflicts_only(True).height == family(kg, "meta-llama/Llama-2-7b").conflicts.height


def test_lineage_conflicts_only_puts_phi2s_conflicts_on_page_one():
    k = KG.memory()
    k.ingest("hf", shared_path("data", "hf-lineage"))
    le = LineageExplorer(k)
    fam = le.show("microsoft/phi-2")
    conflicted = set(fam.nodes.filter(pl.col("node").is_in(fam.conflicts["child"].to_list()))["hub_id"])
    assert len(conflicted) == 2 and fam.nodes.height > 1000
    first_page = le.table.html.value
    assert not any(m in first_page for m in conflicted)  # 25 of 1,300 rows: the conflicts are further down
    le.set_conflicts_only(True)
    assert set(le.rows["model"]) == conflicted and all(m in le.table.html.value for m in conflicted)
    assert set(_drawn(le.tree.value)[1]) == conflicted and set(le.rows["parent"]) == {"microsoft/phi-2"}
    raw_csv = next(shared_path("data", "hf-lineage").glob("phi-2_*.csv"))
    root = pl.read_csv(raw_csv, infer_schema_length=0).row(0, named=True)
    assert root["model_id"] == "microsoft/phi-2" and "license: mit" in root["card"]  # the raw card's licence
    assert set(le.rows["parent_licence"]) == {"MIT"}


# -- EnergyCalculator -------------------------------------------------------------------

def test_energy_calculator_hand_computed(kg):
    ec = EnergyCalculator(kg)
    est = ec.calculate(hardware="nvidia-a100-sxm4-40gb", count=8, hours=10.0, provider="gcp", country="FRA")
    assert est.energy_kwh == pytest.approx(8 * 400 * 10 * 1.10 / 1000)  # 400 W TDP, GCP PUE 1.10
    assert est.co2_kg == pytest.approx(est.energy_kwh * est.constants["intensity_g_per_kwh"] / 1000)
    assert est.constants["intensity_key"] == "FRA" and "35.2 kWh" in ec.result.value
    assert ec.chart is not None


def test_energy_calculator_refuses_an_unknown_country_with_a_suggestion(kg):
    ec = EnergyCalculator(kg)
    assert ec.calculate(hardware="nvidia-a100-sxm4-40gb", count=8, hours=10.0, country="Atlantis") is None
    assert "unknown country 'Atlantis'" in ec.error and "Atlantis" in ec.result.value and ec.estimate is None
    assert ec.calculate(country="Frnace") is None and "did you mean France?" in ec.error
    assert ec.calculate(country="France").constants["intensity_key"] == "FRA"


def test_energy_calculator_reported_runs_counting_carbon():
    src = SHARED / "data" / "counting-carbon"
    if not src.exists():
        pytest.skip("../shared/data/counting-carbon is absent")
    k = KG.memory()
    k.ingest("counting-carbon", src)
    raw = pl.read_csv(src / "co2ml95models.csv")
    v100 = raw.filter(pl.col("GPU model").str.to_lowercase().str.contains("v100"))
    ec = EnergyCalculator(k)
    ec.calculate(hardware="nvidia-v100-sxm2-32gb", count=8, hours=100.0)
    assert ec.similar.height == v100.height
    assert sorted(ec.similar["co2_kg"].round(3)) == sorted(v100["CO₂eq emitted [kg]"].round(3))
    assert sorted(ec.similar["hours"].round(3)) == sorted((v100["Training time [s]"] / 3600).round(3))


# -- ClaimExplorer ----------------------------------------------------------------------

def _run_row(kg, claim_id, snapshots=None):
    """The row ``kg.claims.run`` gives for one claim: what the explorer's unfiltered verdict must equal."""
    return kg.claims.run(ids=[claim_id], snapshots=snapshots).row(0, named=True)


def _same(verdict, row):
    return {k: verdict[k] for k in row} == row


def test_claim_explorer_verdict_is_the_runners(kg):
    ce = ClaimExplorer(kg, "EN-01")
    assert _same(ce.verdict, _run_row(kg, "EN-01")) and ce.verdict["verdict"] == "NOT COMPARABLE"
    assert ce.verdict["snapshots"] == ["starter@2025-04-05..2025-04-26"] and ce.verdict["filters"] == {}
    starter = kg.snapshots().filter(source="starter")["graph"].item()
    assert ce.snapshot_options() == [("starter@2025-04-05..2025-04-26", starter)]
    assert 'data-verdict="NOT COMPARABLE"' in ce.verdict_html.value and "Castaño" in ce.info.value
    assert 'data-replication="NOT RUN"' in ce.verdict_html.value  # the carbon study's data are not loaded
    assert ce.evidence.height == 469 and "469 rows" in ce.table.position.value
    assert list(ce.charts) == ["overall share", "monthly trend"]  # one chart per tested part
    bars = ce.chart.to_dict()["layer"][0]  # the headline proportion: rows per answer (reports yes / no)
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["y"]["title"] == "reports"
    assert list(ce.filter_options) == ["year"]  # EN-01's rows carry a creation date, nothing else to filter on
    ce.select("ART-01")  # its sources (papers-with-code listings) are not loaded
    assert ce.verdict["verdict"] == "NOT MEASURABLE" and ce.snapshot_options() == [] and ce.chart is None
    assert 'data-verdict="NOT MEASURABLE"' in ce.verdict_html.value


def test_claim_explorer_year_filter_retests_the_rows(kg):
    ce = ClaimExplorer(kg, "EN-01")
    full = kg.claims.get("EN-01").evidence()
    assert ce.filter_options["year"] == sorted(full["created"].dt.year().unique().to_list())
    rows = full.filter(pl.col("created").dt.year() == 2023)
    k, n = int(rows["reports"].sum()), rows.height
    assert (k, n) == (0, 48)
    v = ce.set_filter("year", 2023)
    assert ce.evidence.height == n and v["n"] == n and v["estimate"] == 0.0
    assert v["ci_high"] == pytest.approx(1 - 0.025 ** (1 / n))  # Clopper–Pearson upper bound for 0 of n
    # the upper bound (0.074) is no longer below the 5 % threshold, and 9 months are too few for a trend
    assert v["verdict"] == "NOT COMPARABLE" and "monthly trend: n=9 < min_n=30" in v["reason"]
    assert "48 of 469 evidence rows (year = 2023)" in ce.verdict_html.value
    assert ce.filter_controls["year"].value == 2023
    ce.filter_controls["year"].value = ""  # the user picks "(all)": the runner's verdict is back
    assert _same(ce.verdict, _run_row(kg, "EN-01")) and ce.filters == {}
    ce.filter_controls["year"].value = 2023
    assert ce.verdict["n"] == n and ce.verdict["filters"] == {"year": 2023}
    assert _same(ce.set_filter("year", None), _run_row(kg, "EN-01"))
    with pytest.raises(PtmkgError, match="no evidence rows with year = 1999"):
        ce.set_filter("year", 1999)


def test_claim_explorer_task_filter(kg):
    ce = ClaimExplorer(kg, "DOC-06")
    full = kg.claims.get("DOC-06").evidence()
    rows = full.filter(task="text-generation")
    v = ce.set_filter("task", "text-generation")
    assert v["n"] == rows.height == 164 and v["estimate"] == pytest.approx(rows["has_model_index"].mean())
    with pytest.raises(PtmkgError, match="has no 'library'"):
        ce.set_filter("library", "transformers")
    with pytest.raises(PtmkgError, match="cannot run on snapshot"):
        ce.set_snapshot("https://w3id.org/ptmkg/graph/nothing")
    ce.select("LIN-04")  # a new claim starts unfiltered
    assert ce.filters == {} and list(ce.filter_options) == ["library"]


def test_retest_on_all_rows_reproduces_every_verdict(kg):
    for claim_id in kg.claims.definitions():
        outcome = kg.claims.get(claim_id).outcome()
        assert retest(outcome, outcome.evidence).row() == outcome.row(), claim_id


def test_filter_keys_from_columns_and_dates():
    ev = pl.DataFrame({"created": ["2021-03-04", "2021-03-20", "2022-01-02", None], "child_library": list("aabb"),
                       "flag": [True, False, True, True]})
    keys = filter_keys(ev)
    assert set(keys) == {"year", "library"}
    assert ev.select(keys["year"]).to_series().to_list() == [2021, 2021, 2022, None]
    assert apply_filters(ev, {"year": 2021, "library": "a"}).height == 2
    with pytest.raises(PtmkgError, match="no task column"):
        apply_filters(ev, {"task": "x"})


def test_verdict_badge_colours():
    badge = verdict_badge("NOT SUPPORTED")
    assert 'data-verdict="NOT SUPPORTED"' in badge and "#cf222e" in badge
    assert verdict_badge("REPLICATED") != verdict_badge("SUPPORTED")


@pytest.fixture(scope="module")
def carbon():
    """Starter + the 2023 and 2026 Hub carbon snapshots; yields the KG and the two graph IRIs (oldest first)."""
    k = KG.memory()
    k.ingest("starter")
    for folder in ("hf-carbon", "hf-carbon-2026"):
        k.ingest("hf-carbon", shared_path("data", folder))
    graphs = k.snapshots().filter(source="hf-carbon").sort("retrieved")["graph"].to_list()
    return k, graphs


def test_claim_explorer_switches_carbon_snapshots(carbon):
    k, (g2023, g2026) = carbon
    ce = ClaimExplorer(k, "EN-02")
    assert [g for _, g in ce.snapshot_options()] == [g2023, g2026]
    assert _same(ce.verdict, _run_row(k, "EN-02"))  # latest of each source: the 2026 re-extraction
    assert ce.snapshot_picker.label == "latest snapshot of each source"
    ce.snapshot_picker.value = g2023  # the user picks the 2023 snapshot: it is measured in the background
    ce.run_control.wait()
    assert ce.snapshot == g2023 and _same(ce.verdict, _run_row(k, "EN-02", [g2023]))
    for graph in (g2023, g2026):
        assert _same(ce.set_snapshot(graph), _run_row(k, "EN-02", [graph])), graph
    # the 2023 study dates its models, the 2026 re-extraction does not: the trend is only measurable on 2023
    assert ce.set_snapshot(g2023)["verdict"] == "SUPPORTED" and ce.verdict["estimate"] < 0
    assert ce.set_snapshot(g2026)["verdict"] == "NOT MEASURABLE" and ce.evidence.height == 0
    ce.select("EN-04")
    assert ce.snapshot == g2026  # a snapshot the next claim can use is kept
    v = ce.verdict
    assert _same(v, _run_row(k, "EN-04", [g2026])) and v["verdict"] == "SUPPORTED"
    nlp = ce.evidence["nlp"].drop_nulls()
    assert v["n"] == nlp.len() and v["estimate"] == pytest.approx(nlp.mean())


def test_claim_explorer_filters_carbon_evidence(carbon):
    from scipy.stats import spearmanr

    k, (_, g2026) = carbon
    ce = ClaimExplorer(k, "EN-03")
    ce.set_snapshot(g2026)
    rows = (k.claims.get("EN-03").evidence([g2026]).filter(task="text-classification")
            .select("grams", "size").drop_nulls())
    v = ce.set_filter("task", "text-classification")
    assert v["n"] == rows.height and v["estimate"] == pytest.approx(spearmanr(rows["grams"], rows["size"]).statistic)
    assert v["p_value"] == pytest.approx(spearmanr(rows["grams"], rows["size"]).pvalue, rel=1e-6)
    ce.select("EN-04")
    v = ce.set_filter("task", "image-classification")  # not an NLP task: the NLP share drops to 0
    assert v["estimate"] == 0.0 and v["verdict"] == "NOT SUPPORTED"
    assert v["n"] == k.claims.get("EN-04").evidence([g2026]).filter(task="image-classification").height
