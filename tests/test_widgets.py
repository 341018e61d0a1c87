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
from ptmkg.widgets import EnergyCalculator, LineageExplorer, QueryExplorer
from ptmkg.widgets.export import download_link, write
from ptmkg.widgets.lineage import family, generations, licence_class
from ptmkg.widgets.query_explorer import parse_value
from ptmkg.widgets.table import page_count, page_of, to_html

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


# -- EnergyCalculator -------------------------------------------------------------------

def test_energy_calculator_hand_computed(kg):
    ec = EnergyCalculator(kg)
    est = ec.calculate(hardware="nvidia-a100-sxm4-40gb", count=8, hours=10.0, provider="gcp", country="FRA")
    assert est.energy_kwh == pytest.approx(8 * 400 * 10 * 1.10 / 1000)  # 400 W TDP, GCP PUE 1.10
    assert est.co2_kg == pytest.approx(est.energy_kwh * est.constants["intensity_g_per_kwh"] / 1000)
    assert est.constants["intensity_key"] == "FRA" and "35.2 kWh" in ec.result.value
    assert ec.chart is not None


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
