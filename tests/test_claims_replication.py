"""Claims on all the shared data: replication on the papers' own data, no verdict on a foreign frame, and the
claims table of queries/claims/README.md (the store is built once for the module).

Published figures are typed from the papers (citations beside them); measured ones are read from the raw files.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.claims.cli import _render
from ptmkg.claims.definitions import CLAIMS_DIR, load_definitions
from ptmkg.ingest import ingest_all
from tests.conftest import SHARED_DATA, shared_path

TABLE = re.compile(r"<!-- claims-table:start -->\n(.*?)<!-- claims-table:end -->", re.DOTALL)

JUDGED = {"REPLICATED", "SUPPORTED", "NOT SUPPORTED"}


@pytest.fixture(scope="module")
def full() -> KG:
    shared_path("data")
    kg = KG.memory()
    ingest_all(kg, SHARED_DATA)
    return kg


@pytest.fixture(scope="module")
def outcomes(full):
    return {o.definition.id: o for o in full.claims.outcomes()}


def test_doc04_card_share_on_family_trees_is_not_comparable(outcomes):
    """DOC-04 speaks of the 52,227 PTLMs of Ajibode et al.; the family trees (drawn from popular families, where
    every model has a card) cannot judge it: the 100% stays visible, but as a description."""
    raw = pl.concat([pl.read_csv(f, infer_schema=False, columns=["metadata"])
                     for f in sorted((SHARED_DATA / "hf-lineage").glob("*.csv"))])
    o = outcomes["DOC-04"]
    share = o.parts[0]
    assert [s.source for s in o.snapshots] == ["hf"] and share.result.n > 1000 and share.result.n <= raw.height
    assert share.result.estimate > 0.99
    assert share.decision.label.value == "NOT COMPARABLE" and o.decision.label.value == "NOT COMPARABLE"
    assert "convenience sample" in share.decision.reason and "ptlms-2024" in share.decision.reason


def test_pop02_zero_download_share_on_peatmoss_is_not_comparable(outcomes):
    """POP-02: '>70% of 348,181 models have 0 downloads' (arXiv:2405.13058) is about every Hub model; the PeaTMOSS
    June 2022 snapshot lists models with downloads, so its 0% zero share is a property of the sample."""
    import sqlite3

    db = sqlite3.connect(SHARED_DATA / "hf-slr-esem24" / "PeaTMOSS_ANCIENT.db")
    zero, total = db.execute("SELECT SUM(downloads_last_month = 0), COUNT(*) FROM PeaTMOSS_ANCIENT").fetchone()
    o = outcomes["POP-02"]
    zero_share = o.parts[0]
    assert zero_share.result.estimate == pytest.approx(zero / total, abs=1e-3) and zero / total < 0.01
    assert o.decision.label.value == "NOT COMPARABLE" and all(p.decision.label.value == "NOT COMPARABLE"
                                                              for p in o.parts)
    assert "esem24" in o.decision.reason and "hf-models" in o.decision.reason


def test_no_verdict_rests_on_a_frame_that_does_not_cover_the_population(outcomes):
    for o in outcomes.values():
        own = o.replication.snapshot if o.replication else None
        for p in o.parts:
            if p.decision.label.value not in JUDGED:
                continue
            named = [s for s in o.snapshots if p.part.source and s.source in p.part.source.split("|")]
            assert all(s == own or o.definition.population_key in s.covers for s in named or o.snapshots), \
                (o.definition.id, p.part.name)


def _check(outcome, name):
    return next(p for p in outcome.replication.checks if p.part.name == name)


def test_lin01_replicated_on_the_52227_ptlms_of_its_paper(outcomes):
    """Ajibode et al. (arXiv:2409.10472, abstract): 52,227 PTLMs; fine-tuning and quantization most prevalent."""
    raw = pl.read_csv(SHARED_DATA / "ptlm-versioning" / "all_NLP_with_quantization.csv", infer_schema=False)
    o = outcomes["LIN-01"]
    assert o.replication.snapshot.source == "ptlm-versioning" and o.replication.label.value == "REPLICATED"
    count = _check(o, "PTLMs in the study").result
    assert count.details["expected"] == 52227  # published
    assert count.details["count"] == raw["model_name"].str.to_lowercase().n_unique()
    finetuned = _check(o, "fine-tuning the most prevalent variant")
    assert finetuned.result.estimate == pytest.approx((raw.unique("model_name")["variants"] == "finetuned").mean(),
                                                      abs=1e-4)
    assert _check(o, "base models").check.label.value == "NOT REPLICABLE"
    assert o.decision.label.value == "NOT COMPARABLE"  # the family trees are no sample of the PTLMs
    assert [s.source for s in o.snapshots] == ["hf"]


def test_en01_replicated_on_the_carbon_study_and_not_judged_on_family_trees(outcomes):
    """Castaño et al. (arXiv:2305.11164, abstract): 1,417 models with carbon-emission data."""
    raw = pl.read_csv(SHARED_DATA / "hf-carbon" / "HFStreamlit.csv", infer_schema=False)
    o = outcomes["EN-01"]
    assert o.replication.snapshot.version.startswith("2023") and o.replication.label.value == "REPLICATED"
    count = _check(o, "models reporting emissions").result
    assert count.details["expected"] == 1417 and count.details["count"] == raw["modelId"].n_unique()
    assert o.decision.label.value == "NOT COMPARABLE" and "hf-models" in o.decision.reason


def test_pop03_descendant_counts_replicated(outcomes):
    """Jones et al. (arXiv:2406.08205, claim C2): direct descendants per parent, median 1 and max 701."""
    raw = pl.read_csv(SHARED_DATA / "hf-slr-esem24" / "number_of_direct_descendant_models_per_download.csv")
    o = outcomes["POP-03"]
    top = _check(o, "largest descendant count").result
    assert top.details["expected"] == 701 and top.details["count"] == raw["count"].max()
    assert raw["count"].median() == 1 and o.replication.label.value == "REPLICATED"
    # the study-table part is judged on the study's own sample; the family-tree part is not comparable
    assert [p.decision.label.value for p in o.parts] == ["SUPPORTED", "NOT COMPARABLE"]


def test_ver04_file_types_differ_weight_extensions_replicate(outcomes):
    """Ajibode et al. (arXiv:2409.10472): 192 file types changed across releases; 11 weight extensions."""
    raw = pl.read_csv(SHARED_DATA / "ptlm-versioning" / "file_extension_and_frequencies.csv", infer_schema=False)
    o = outcomes["VER-04"]
    types = _check(o, "file types changed across releases")
    assert types.result.details["expected"] == 192 and types.result.details["count"] == raw.height
    assert types.check.label.value == "DIFFERS" and "shard suffixes" in o.replication.reason
    assert _check(o, "weight extensions").result.details["count"] == 11
    assert o.replication.label.value == "DIFFERS"
    files = pl.read_csv(SHARED_DATA / "ptlm-versioning" / "model_weight_file_changed.csv", infer_schema=False)
    per_model = files.group_by(pl.concat_str(["owner", "model_name"], separator="/").str.to_lowercase()).agg(
        safe=pl.col("file_changed").str.to_lowercase().str.ends_with(".safetensors").any(),
        pickle=pl.col("file_changed").str.to_lowercase().str.contains(r"\.(bin|pt|pth|ckpt|pkl)$").any())
    mcnemar = _check(o, "PTLMs storing .safetensors vs pickle weights (McNemar)")
    only_safe = (per_model["safe"] & ~per_model["pickle"]).sum()
    only_pickle = (~per_model["safe"] & per_model["pickle"]).sum()
    assert mcnemar.result.n == per_model.height and mcnemar.check.label.value == "REPLICATED"
    assert mcnemar.result.estimate == pytest.approx(only_safe / (only_safe + only_pickle))  # b/(b+c)


def test_doc05_differs_with_the_shared_sample_and_says_why(outcomes):
    """Ajibode et al.: 24% of PTLMs disclose their training data."""
    raw = pl.read_csv(SHARED_DATA / "ptlm-versioning" / "dataset_sample.csv", infer_schema=False)
    raw = raw.filter(pl.col("Model Name").is_not_null()).unique(pl.col("Model Name").str.to_lowercase())
    o = outcomes["DOC-05"]
    share = o.replication.checks[0]
    assert share.result.estimate == pytest.approx((raw["Dataset"].str.to_lowercase() == "yes").mean())
    assert share.check.label.value == "DIFFERS" and "52,227" in o.replication.reason


def test_rep05_publications_replicated(outcomes):
    """Samuel & Mietchen (FAIR Jupyter): 3,467 publications, 2,660 repositories, 27,271 notebooks."""
    o = outcomes["REP-05"]
    counts = {p.part.name: p.result.details for p in o.replication.checks}
    assert counts["publications = 3,467"]["expected"] == 3467 and counts["publications = 3,467"]["count"] == 3467
    assert counts["repositories with notebooks = 2,660"]["expected"] == 2660
    assert o.replication.checks[0].check.label.value == "REPLICATED"


def test_every_claim_with_shared_data_has_a_replication_step(outcomes):
    import yaml

    catalogue = yaml.safe_load(shared_path("claims", "catalog.yaml").read_text(encoding="utf-8"))["claims"]
    for entry in catalogue:
        o = outcomes[entry["id"]]
        assert o.replication is not None, entry["id"]
        if "data/" in str(entry.get("shared_data")) and o.replication.label.value == "NOT REPLICABLE":
            assert o.replication.reason, entry["id"]  # the YAML says why


def test_claim_explorer_shows_replication_beside_the_verdict(full):
    from ptmkg.widgets.claim_explorer import ClaimExplorer

    ce = ClaimExplorer(full, "LIN-01")
    assert ce.verdict["replication"] == "REPLICATED" and ce.verdict["verdict"] == "NOT COMPARABLE"
    assert ce.verdict["replication_snapshot"].startswith("ptlm-versioning@")
    page = ce.verdict_html.value
    assert 'data-replication="REPLICATED"' in page and 'data-verdict="NOT COMPARABLE"' in page
    assert "counted 52,226 vs published 52,227" in page and "convenience sample" in page
    assert "ptlms-2024" in ce.info.value


def test_recorded_run_keeps_replication_and_verdict_apart(full):
    from ptmkg.claims.record import record_run

    graph = record_run(full, full.claims.outcomes(["EN-01", "DOC-04"]))
    rows = full.query(f"""SELECT ?id ?verdict ?replication ?on WHERE {{ GRAPH <{graph}> {{
        ?v ptmkg:verdictOf ?c ; ptmkg:verdict ?verdict ; ptmkg:replication ?replication .
        OPTIONAL {{ ?v ptmkg:replicatedOn ?on }} }}
        ?c ptmkg:claimId ?id }} ORDER BY ?id""")
    assert rows["id"].to_list() == ["DOC-04", "EN-01"]
    assert rows["verdict"].to_list() == ["NOT COMPARABLE", "NOT COMPARABLE"]
    assert rows["replication"].to_list() == ["NOT REPLICABLE", "REPLICATED"]
    assert rows["on"][0] is None and "/graph/hf-carbon/" in rows["on"][1]


def test_html_report_shows_the_replication_checks(outcomes):
    from ptmkg.claims.report import html_report

    page = html_report([outcomes["EN-01"]]).replace("<svg", "\n<svg")
    assert ("<tr><td>models reporting emissions</td><td>1,417 ML models with carbon-emission data</td>"
            "<td>1,415 counted</td><td class='r REPLICATED'>REPLICATED</td></tr>") in page
    assert "<td class='v NOT_COMPARABLE'>NOT COMPARABLE</td>" in page and ", descriptive" in page


def readme_table() -> str:
    return TABLE.search((CLAIMS_DIR / "README.md").read_text(encoding="utf-8")).group(1)


def test_readme_lists_every_claim_once():
    rows = [line.split(" | ")[0].removeprefix("| ") for line in readme_table().splitlines()[2:]]
    assert rows == sorted(load_definitions())


def test_readme_table_is_what_ptmkg_claims_prints_on_all_shared_data(outcomes):
    """`ptmkg claims --format md` renders the outcomes of a run over every claim with ``_render``."""
    assert _render(list(outcomes.values()), "md") == readme_table()


def test_judging_snapshots_query_reads_frames_from_the_catalog(full, outcomes):
    rows = full.run("claims/judging-snapshots")
    by_claim = {c: set(g["source"]) for (c,), g in rows.group_by("claim")}
    assert by_claim["LIN-01"] == {"ptlm-versioning"} and by_claim["DOC-03"] == {"hf"}
    assert by_claim["EN-02"] == {"hf-carbon"} and rows.filter(claim="EN-02").height == 2  # 2023 and 2026
    assert "EN-01" not in by_claim and "POP-02" not in by_claim  # no shared census of all Hub models
    judged = {o.definition.id for o in outcomes.values() if o.decision.label.value in JUDGED}
    assert judged <= set(by_claim)


def test_ver02_change_type_counts_differ_and_say_why(outcomes):
    """Ajibode et al.: 28 change types between major versions, 8 between minor ones."""
    raw = pl.concat([pl.read_csv(SHARED_DATA / "ptlm-versioning" / f"{kind}_combined_changes.csv", infer_schema=False)
                     .select(pl.lit(kind).alias("kind"), "modelcard", "readme") for kind in ("major", "minor")])
    labels = (raw.unpivot(index="kind", on=["modelcard", "readme"]).drop_nulls("value")
              .with_columns(pl.col("value").str.split(",")).explode("value")
              .with_columns(pl.col("value").str.replace_all(r"\s+", " ").str.strip_chars())
              .filter(pl.col("value").str.starts_with("successor"))
              .select("kind", pl.concat_str(["variable", "value"], separator=":").alias("label")).unique())
    o = outcomes["VER-02"]
    for kind, published in (("major", 28), ("minor", 8)):
        r = _check(o, f"change types between {kind} versions").result
        assert r.details["expected"] == published and r.details["count"] == labels.filter(kind=kind).height
    assert o.replication.label.value == "DIFFERS" and "coding of those labels" in o.replication.reason
    assert _check(o, "predecessors available").check.label.value == "NOT REPLICABLE"
