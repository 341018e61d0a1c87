"""Estimator, grid intensity and PUE of ptmkg.energy (hand-computed)."""

import pytest

from ptmkg.energy import default_pue, estimate, find_country, grid_intensity


def test_tdp_times_time_exact():
    # 8 × 250 W × 24 h = 48 kWh; × 400 g/kWh = 19.2 kg; V100 variant open → high uses 300 W
    e = estimate("V100", 8, 24, pue=1.0, intensity_g_per_kwh=400)
    assert e.energy_kwh == pytest.approx(48.0) and e.co2_kg == pytest.approx(19.2)
    assert e.energy_low == pytest.approx(48.0) and e.energy_high == pytest.approx(57.6)
    assert e.uncertain == ("tdp (hardware variant not stated)",)
    assert e.constants["tdp_w"] == 250 and e.constants["pue_source"] == "caller"


def test_provider_pue_and_region_intensity():
    # 8 × 400 W × 72 h × 1.15 (AWS PUE) = 264.96 kWh; us-east-1 → USA country intensity
    e = estimate("NVIDIA A100-SXM4-80GB", 8, 72, provider="aws", region="us-east-1")
    usa = grid_intensity(country="USA")
    assert e.energy_kwh == pytest.approx(264.96)
    assert e.co2_kg == pytest.approx(264.96 * usa.g_per_kwh / 1000)
    assert e.uncertain == () and e.constants["intensity_key"] == "USA"


def test_utilisation_range_cpu_memory():
    # (2 × 350 W × u + 100 W + 20 W) × 10 h × 1.0; u ∈ [0.5, 0.9], central 0.7
    e = estimate("RTX 3090", 2, 10, utilisation=(0.5, 0.9), cpu_w=100, memory_w=20, pue=1.0,
                 intensity_g_per_kwh=100)
    assert e.energy_kwh == pytest.approx((2 * 350 * 0.7 + 120) * 10 / 1000)
    assert e.energy_low == pytest.approx((2 * 350 * 0.5 + 120) * 10 / 1000)
    assert e.energy_high == pytest.approx((2 * 350 * 0.9 + 120) * 10 / 1000)
    assert e.uncertain == ("utilisation range",)


def test_default_pue_range_and_world_fallback():
    e = estimate(None, 1, 1000, tdp_w=100)  # 100 kWh before PUE
    assert e.energy_kwh == pytest.approx(158.0)  # default PUE 1.58
    assert e.energy_low == pytest.approx(110.0)
    assert e.constants["intensity_fallback"] is True and e.constants["intensity_g_per_kwh"] == 475
    assert len(e.uncertain) == 2
    assert e.co2_low < e.co2_kg < e.co2_high


def test_errors():
    with pytest.raises(ValueError):
        estimate("TPU v5e", 8, 1)  # no published TDP
    with pytest.raises(ValueError):
        estimate("Xeon", 1, 1)
    with pytest.raises(ValueError):
        estimate("A100", 1, 1, utilisation=1.5)


def test_grid_intensity_sources():
    fr = grid_intensity(country="France")
    assert fr.key == "FRA" and not fr.fallback and fr.low == fr.high == fr.g_per_kwh and fr.year >= 2021
    gcp = grid_intensity(region="us-east1", provider="gcp")
    assert gcp.scope == "cloud-region" and gcp.g_per_kwh == 560 and "cloud.google.com" in gcp.source
    assert grid_intensity(region="westeurope", provider="azure").key == "NLD"
    world = grid_intensity(country="Atlantis")
    assert world.fallback and world.low < world.g_per_kwh < world.high


def test_pue_table_and_country_finder():
    assert default_pue("gcp").pue == 1.10 and default_pue("unknown-cloud").provider == "default"
    assert find_country("Eemshaven, Netherlands, Europe") == "NLD"
    assert find_country("Oregon, USA") == "USA"
    assert find_country("somewhere") is None
