"""Claims on the shared data: estimates checked against values computed independently from the raw files."""

from __future__ import annotations

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.claims.cli import diff
from tests.conftest import SHARED_DATA, shared_path

NLP = ["text-classification", "token-classification", "question-answering", "summarization", "translation",
       "text-generation", "text2text-generation", "fill-mask", "sentence-similarity", "feature-extraction",
       "zero-shot-classification", "conversational", "table-question-answering", "text-ranking", "multiple-choice"]
MISSING = ["not specified", "unknown", "none", "n/a", "na", "[]", "nan", ""]


@pytest.fixture(scope="module")
def kg() -> KG:
    for folder in ("hf-lineage", "hf-carbon", "hf-carbon-2026", "ptlm-versioning"):
        shared_path("data", folder)
    kg = KG.memory()
    kg.ingest("hf", SHARED_DATA / "hf-lineage")
    kg.ingest("hf-carbon", SHARED_DATA / "hf-carbon")
    kg.ingest("hf-carbon", SHARED_DATA / "hf-carbon-2026")
    kg.ingest("ptlm-versioning", SHARED_DATA / "ptlm-versioning")
    return kg


def row(kg: KG, claim: str, **kw) -> dict:
    return kg.claims.run([claim], **kw).row(0, named=True)


def test_en01_share_of_hub_models_reporting_emissions(kg):
    raw = pl.concat([pl.read_csv(f, infer_schema=False, columns=["metadata"])
                     for f in sorted((SHARED_DATA / "hf-lineage").glob("*.csv"))])
    models = raw.select(
        pl.col("metadata").str.json_path_match("$.id").str.to_lowercase().alias("id"),
        pl.col("metadata").str.json_path_match("$.created_at").alias("created"),
        pl.col("metadata").str.json_path_match("$.card_data").str.contains("co2_eq_emissions").fill_null(False)
        .alias("reports"),
    ).unique("id", keep="first").filter(pl.col("created").is_not_null())
    r = row(kg, "EN-01")
    assert r["n"] == models.height
    assert r["estimate"] == pytest.approx(models["reports"].sum() / models.height)
    # the family trees are no sample of all Hub models: the share is a description, not a verdict
    assert r["verdict"] == "NOT COMPARABLE" and r["snapshots"][0].startswith("hf@")
    assert r["replication"] == "REPLICATED" and r["replication_snapshot"].startswith("hf-carbon@2023")


def test_en04_nlp_and_autotrain_shares_2026(kg):
    raw = pl.read_csv(SHARED_DATA / "hf-carbon-2026" / "modelos_co2_enrinchment_limpios.csv", infer_schema=False)
    task = pl.col("pipeline_tag").str.strip_chars()
    raw = (raw.filter(pl.col("co2_emissions_grams").is_not_null())
           .with_columns(pl.col("model_id").str.to_lowercase().alias("key"),
                         pl.when(~task.str.to_lowercase().is_in(MISSING)).then(task).alias("task"))
           .unique("key", keep="first"))
    tasks = raw["task"].drop_nulls()
    auto = raw["is_autotrain"].str.to_lowercase() == "true"
    outcome = kg.claims.outcomes(["EN-04"], ["hf-carbon@2026"])[0]
    nlp_part, auto_part = outcome.parts
    assert nlp_part.result.n == tasks.len()
    assert nlp_part.result.estimate == pytest.approx(tasks.is_in(NLP).sum() / tasks.len())
    assert auto_part.result.estimate == pytest.approx(auto.sum() / raw.height)
    assert outcome.decision.label.value == "SUPPORTED"


def test_doc05_disclosure_share_from_the_study_sample(kg):
    raw = pl.read_csv(SHARED_DATA / "ptlm-versioning" / "dataset_sample.csv", infer_schema=False)
    raw = raw.unique(pl.col("Model Name").str.to_lowercase(), keep="first").filter(pl.col("Dataset").is_not_null())
    yes = (raw["Dataset"].str.strip_chars().str.to_lowercase() == "yes").sum()
    r = row(kg, "DOC-05")
    assert r["n"] == raw.height and r["estimate"] == pytest.approx(yes / raw.height)
    assert r["estimate"] < 0.19  # below the published 24% (range 19-29%) on the shared sample


def test_ver01_pairs_with_changed_weights(kg):
    folder = SHARED_DATA / "ptlm-versioning"
    major = pl.read_csv(folder / "major_combined_changes.csv", infer_schema=False)
    minor = pl.read_csv(folder / "minor_combined_changes.csv", infer_schema=False)
    pairs = pl.concat([
        major.select("main_model_name", "to_compare", (pl.col("major_largefile") == "Different").alias("w"),
                     (pl.col("card_changed") == "Different").alias("c")),
        minor.filter(pl.col("main_model_name").is_not_null()).select(
            "main_model_name", "to_compare", (pl.col("largefile_changed") == "1").alias("w"),
            (pl.col("card_changed") == "1").alias("c")),
    ]).with_columns(pl.col("main_model_name", "to_compare").str.to_lowercase()).unique()
    changed = pairs.filter("w")
    r = row(kg, "VER-01")
    assert r["n"] == changed.height
    assert r["estimate"] == pytest.approx((~changed["c"]).sum() / changed.height)


def test_diff_between_the_two_carbon_snapshots(kg):
    raw = pl.read_csv(SHARED_DATA / "hf-carbon-2026" / "modelos_co2_enrinchment_limpios.csv", infer_schema=False)
    assert raw["created_at"].null_count() == raw.height  # the 2026 re-extraction has no creation dates
    changes = diff(kg.claims, "hf-carbon@2023", "hf-carbon@2026", ["EN-02", "EN-04", "EN-01"])
    en02 = changes.filter(id="EN-02").row(0, named=True)
    assert en02["verdict_b"] == "NOT MEASURABLE" and en02["n_a"] > 1000 and en02["estimate_a"] < 0
    assert "EN-01" not in changes["id"].to_list()  # measured on hf, not on the carbon snapshots


def test_starter_runs_every_claim():
    kg = KG.memory()
    kg.ingest("starter")
    result = kg.claims.run()
    assert result.height == 46 and result["verdict"].null_count() == 0
    measured = result.filter(pl.col("n").is_not_null())["id"].to_list()
    for claim in ["EN-01", "LIN-01", "LIN-02", "LIC-01", "DOC-03", "DOC-04", "VER-04", "SEC-03"]:
        assert claim in measured
    assert set(result["snapshots"].explode().drop_nulls()) == {kg.snapshots().filter(source="starter")["source"][0]
                                                                 + "@" + kg.snapshots().filter(source="starter")["version"][0]}


def _autotrain_share_2023() -> float:
    raw = pl.read_csv(SHARED_DATA / "hf-carbon" / "HFStreamlit.csv", infer_schema=False, columns=["modelId", "auto"])
    raw = raw.unique(pl.col("modelId").str.to_lowercase(), keep="first")
    return (raw["auto"].str.to_lowercase() == "true").sum() / raw.height


def test_en04_each_part_has_its_own_verdict_and_estimate_beside_its_own_published_number(kg):
    """EN-04 on 2023: the ESEM'23 table has no pipeline task, so the NLP share is NOT MEASURABLE while the AutoTrain
    share (1,291 of 1,415 models) is SUPPORTED; the claim is NOT MEASURABLE, and says so part by part."""
    from ptmkg.claims.report import parts_html, parts_markdown, text_report
    from ptmkg.claims.runner import parts_frame
    from ptmkg.widgets.claim_explorer import ClaimExplorer

    o2023 = kg.claims.outcomes(["EN-04"], ["hf-carbon@2023"])[0]
    assert o2023.decision.label.value == "NOT MEASURABLE"
    assert o2023.summary == "1 of 2 parts SUPPORTED · 1 NOT MEASURABLE (needs model.pipelineTask)"
    nlp, auto = parts_frame([o2023]).iter_rows(named=True)
    assert (nlp["part"], nlp["verdict"], nlp["estimate"], nlp["missing"]) == (
        "NLP share", "NOT MEASURABLE", None, ["model.pipelineTask"])
    assert (auto["part"], auto["verdict"], auto["statistic"]) == ("AutoTrain share", "SUPPORTED", "share p̂")
    assert auto["estimate"] == pytest.approx(_autotrain_share_2023()) and auto["n"] == 1415
    assert auto["published"] is None and auto["tested"] == "p̂ > 0.5 (CI)"  # the paper gives no AutoTrain share
    claim_row = row(kg, "EN-04", snapshots=["hf-carbon@2023"])  # the claim's numbers name the part they come from
    assert claim_row["part"] == "AutoTrain share" and claim_row["estimate"] == auto["estimate"]
    assert claim_row["summary"] == o2023.summary
    # the terminal: the 0.912 sits on the AutoTrain line, with the AutoTrain part's own (absent) published number
    text = text_report([o2023])
    assert "EN-04  NOT MEASURABLE  (1 of 2 parts SUPPORTED · 1 NOT MEASURABLE (needs model.pipelineTask))" in text
    lines = text.splitlines()
    at = lines.index("  - AutoTrain share: SUPPORTED")
    assert lines[at + 1].startswith("    share p̂ 0.912 [") and "vs published — (direction only)" in lines[at + 1]
    assert lines[lines.index("  - NLP share: NOT MEASURABLE") + 2] == \
        "    reason: fields absent: model.pipelineTask → NOT MEASURABLE"
    assert "| EN-04 | AutoTrain share | SUPPORTED | share p̂ | 0.912 [" in parts_markdown([o2023])
    page = parts_html([o2023])
    nlp_row, auto_row = page.split("<tr>")[2:]
    assert "<td class='v NOT_MEASURABLE'>NOT MEASURABLE</td>" in nlp_row and "0.912" not in nlp_row
    assert "<td class='v SUPPORTED'>SUPPORTED</td>" in auto_row and "<td>0.912 [" in auto_row
    # 2026: both parts measured, each with its own n (tasks are missing for some reporting models)
    o2026 = kg.claims.outcomes(["EN-04"], ["hf-carbon@2026"])[0]
    assert o2026.summary == "2 of 2 parts SUPPORTED"
    assert kg.claims.run(["EN-04"], ["hf-carbon@2026"], parts=True).equals(parts_frame([o2026]))
    shares = parts_frame([o2026]).select("part", "estimate", "n").rows()
    assert [s[0] for s in shares] == ["NLP share", "AutoTrain share"] and shares[0][2] < shares[1][2]
    # ClaimExplorer: both parts' badges and reasons, each estimate in its own part's row
    ce = ClaimExplorer(kg, "EN-04")
    g2023 = kg.snapshots().filter(source="hf-carbon").sort("retrieved")["graph"][0]
    ce.set_snapshot(g2023)
    assert 'data-verdict="NOT MEASURABLE"' in ce.verdict_html.value
    assert "1 of 2 parts SUPPORTED · 1 NOT MEASURABLE (needs model.pipelineTask)" in ce.verdict_html.value
    rows = ce.parts_html.value.split("<tr class='ptmkg-part'>")[1:]
    assert len(rows) == 2 and 'data-verdict="NOT MEASURABLE"' in rows[0] and 'data-verdict="SUPPORTED"' in rows[1]
    assert "0.912" not in rows[0] and "<b>0.912 [" in rows[1] and "fields absent: model.pipelineTask" in rows[0]
    # diff: one row per part, so the 2023 AutoTrain share is compared with the 2026 AutoTrain share only
    changes = diff(kg.claims, "hf-carbon@2023", "hf-carbon@2026", ["EN-04"])
    by_part = {r["part"]: r for r in changes.iter_rows(named=True)}
    assert by_part["AutoTrain share"]["estimate_a"] == pytest.approx(_autotrain_share_2023())
    assert by_part["AutoTrain share"]["estimate_b"] == pytest.approx(shares[1][1])
    assert by_part["NLP share"]["verdict_a"] == "NOT MEASURABLE" and by_part["NLP share"]["estimate_a"] is None
    assert by_part["NLP share"]["estimate_b"] == pytest.approx(shares[0][1])
