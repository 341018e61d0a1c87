"""ptmkg.energy against the shared research data (skipped when ../shared is absent)."""

import json
import math
from pathlib import Path

import polars as pl
import pytest

from ptmkg.energy import Unparsed, estimate, extract_card, parse_duration, parse_hardware, parse_provider

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data absent: {path}")
    return path


def test_counting_carbon_energy_reproduced():
    """Energy = count × TDP × time (PUE 1) for every row except four large Cloud TPU v3 runs: two (14, 15) are
    that product × a PUE of 1.12, still computed; two (60, 61) are Patterson et al.'s own figures, 1.05× and
    0.90× of it (see test_energy_basis)."""
    df = pl.read_csv(_need(SHARED / "counting-carbon" / "co2ml95models.csv"), infer_schema_length=0)
    bad = set()
    for r in df.iter_rows(named=True):
        count = float(r["Number of GPUs"] or r["Number of TPUs"])
        e = estimate(None, int(count), float(r["Training time [s]"]) / 3600, pue=1.0,
                     intensity_g_per_kwh=float(r["Carbon intensity [g CO₂eq/kWh]"]), tdp_w=float(r["TDP"]))
        if not math.isclose(e.energy_kwh, float(r["Energy consumed [kWh]"]), rel_tol=0.01):
            bad.add(int(r[""]))
    assert df.height == 95
    assert bad == {14, 15, 60, 61}


def test_counting_carbon_row0_by_hand():
    """Row 0: 16 RTX 2080 Ti × 250 W × 264 h = 1056 kWh; × 506.1 g/kWh = 534.4 kg."""
    df = pl.read_csv(_need(SHARED / "counting-carbon" / "co2ml95models.csv"), infer_schema_length=0)
    r = df.row(0, named=True)
    e = estimate(r["GPU model"], 16, float(r["Training time [s]"]) / 3600, pue=1.0,
                 intensity_g_per_kwh=float(r["Carbon intensity [g CO₂eq/kWh]"]))
    assert e.constants["hardware_id"] == "nvidia-rtx-2080-ti"
    assert e.energy_kwh == pytest.approx(float(r["Energy consumed [kWh]"]), rel=1e-9)
    assert round(e.co2_kg, 1) == float(r["CO₂eq emitted [kg]"])


def test_hf_streamlit_hours_and_provider():
    """Every labelled hours/cloud-provider value is extracted from the card body and agrees."""
    df = pl.read_csv(_need(SHARED / "hf-carbon" / "HFStreamlit.csv"), infer_schema_length=0)
    hours = df.filter(pl.col("hours_used").is_not_null() & pl.col("modelcard_text").is_not_null())
    assert hours.height == 7
    for r in hours.iter_rows(named=True):
        got = extract_card(r["modelcard_text"]).hours
        gold = parse_duration(r["hours_used"].strip("* "), default_unit="h")
        assert got is not None and math.isclose(got.parsed.hours, gold.hours, rel_tol=0.01)
    prov = df.filter(pl.col("cloud_provider").is_not_null() & pl.col("modelcard_text").is_not_null())
    assert prov.height == 6
    assert all(extract_card(r["modelcard_text"]).cloud_provider.parsed == parse_provider(r["cloud_provider"])
               for r in prov.iter_rows(named=True))


def test_ground_truth_hardware_strings():
    gt = json.loads(_need(SHARED / "hf-metadata-extraction" / "groundTruth.json").read_text())
    texts = {k: v["hardware"] for k, v in gt.items() if v.get("hardware")}
    parsed = {k: parse_hardware(t) for k, t in texts.items()}
    unresolved = {k for k, p in parsed.items() if isinstance(p, Unparsed)}
    assert len(texts) == 14
    assert unresolved == {"PygmalionAI/pygmalion-1.3b", "facebook/dpr-question_encoder-single-nq-base"}
    assert parsed["DeepFloyd/IF-II-L-v1.0"].count == 256
    assert parsed["KoboldAI/GPT-NeoX-20B-Erebus"].count == 128  # TPU v3-256 = 256 cores = 128 chips


def test_field_hint_finds_every_card_with_a_field():
    """FIELD_HINT (the cheap pre-filter run over all cards at once) never skips a card extract_card reads from."""
    from ptmkg.energy.card_extract import FIELD_HINT

    df = pl.read_csv(_need(SHARED / "hf-carbon" / "HFStreamlit.csv"), infer_schema_length=0)
    cards = df["modelcard_text"].drop_nulls()
    hinted = cards.str.contains(FIELD_HINT)
    with_fields = [any(getattr(c, k) is not None for k in ("hardware", "hours", "cloud_provider", "region",
                                                           "location", "emissions_g", "source", "training_type"))
                   for c in map(extract_card, cards)]
    assert sum(with_fields) > 1000
    assert not any(f and not h for f, h in zip(with_fields, hinted))
