"""Parsers and hardware resolver of ptmkg.energy (hand-checked values)."""

import pytest

from ptmkg.energy import (Unparsed, hardware_table, parse_duration, parse_emissions, parse_energy,
                          parse_hardware, resolve_hardware)


def test_table_ids_unique_and_sourced():
    rows = hardware_table()
    assert len({r.id for r in rows}) == len(rows)
    assert all(r.source_url.startswith("http") for r in rows)
    # every family has a default (first) row, and only TPU v5e/v5p lack a published TDP
    assert {r.id for r in rows if r.tdp_w is None} == {"google-tpu-v5e", "google-tpu-v5p"}


@pytest.mark.parametrize("text, hid, specific", [
    ("V100-32GB", "nvidia-v100-pcie-32gb", False),  # PCIe or SXM2 32GB
    ("Tesla V100 SXM2", "nvidia-v100-sxm2-16gb", False),  # 16 or 32GB
    ("8x A100 80GB", "nvidia-a100-sxm4-80gb", False),
    ("RTX3090", "nvidia-rtx-3090", True),
    ("NVIDIA A100-SXM4-80GB", "nvidia-a100-sxm4-80gb", True),
    ("TPUv3", "google-tpu-v3", True),
    ("GeForce Titan XP", "nvidia-titan-xp", True),
    ("NVIDIA TITAN X Pascal", "nvidia-titan-x-pascal", True),
    ("GTX 1080Ti", "nvidia-gtx-1080-ti", True),
    ("GTX-1080 GPUs", "nvidia-gtx-1080", True),
    ("L40S", "nvidia-l40s", True),
    ("64 H100s", "nvidia-h100-sxm5-80gb", False),
    ("Tesla P100-PCIE-16GB", "nvidia-p100-pcie-16gb", True),
])
def test_resolve_hardware(text, hid, specific):
    m = resolve_hardware(text)
    assert m is not None and m.hardware.id == hid and m.specific is specific


def test_resolve_tdp_range_over_open_variants():
    assert resolve_hardware("V100-32GB").tdp_range == (250.0, 300.0)
    assert resolve_hardware("A100 80GB").tdp_range == (300.0, 400.0)
    assert resolve_hardware("Intel Xeon E5-2697") is None


@pytest.mark.parametrize("text, hid, count, basis", [
    ("8 16GB V100", "nvidia-v100-pcie-16gb", 8, "stated"),
    ("2x RTX 3090", "nvidia-rtx-3090", 2, "stated"),
    ("256xA100 GPUs", "nvidia-a100-sxm4-40gb", 256, "stated"),
    ("1xRTX4070", "nvidia-rtx-4070", 1, "stated"),
    ("4 x A100", "nvidia-a100-sxm4-40gb", 4, "stated"),
    ("A100 x8", "nvidia-a100-sxm4-40gb", 8, "stated"),
    ("A100 80GB x 8", "nvidia-a100-sxm4-80gb", 8, "stated"),
    ("32 x 8 x A100 GPUs", "nvidia-a100-sxm4-40gb", 256, "stated"),
    ("One 16GB NVIDIA Tesla V100-SXM2", "nvidia-v100-sxm2-16gb", 1, "stated"),
    ("TPUv3-32 pod", "google-tpu-v3", 16, "tpu-slice"),  # 32 cores / 2 per chip
    ("1 TPU v3-8 VM", "google-tpu-v3", 4, "stated×tpu-slice"),
    ("7 TPUs v3-8,", "google-tpu-v3", 28, "stated×tpu-slice"),
    ("V100 GPU", "nvidia-v100-pcie-16gb", None, "not stated"),
])
def test_parse_hardware(text, hid, count, basis):
    p = parse_hardware(text)
    assert p.match.hardware.id == hid and p.count == count and p.count_basis == basis and p.raw == text


def test_parse_hardware_unparsed():
    assert isinstance(parse_hardware("a single 24GB GPU"), Unparsed)
    assert parse_hardware("TPU v3-7").reason.startswith("TPU slice of 7 cores")


@pytest.mark.parametrize("text, hours, low, high, acc", [
    ("14.8 days", 355.2, 355.2, 355.2, False),
    ("3 h 20 min", 10 / 3, 10 / 3, 10 / 3, False),
    ("100k GPU hours", 100_000, 100_000, 100_000, True),
    ("1.2M GPU-hours", 1_200_000, 1_200_000, 1_200_000, True),
    ("2 weeks", 336, 336, 336, False),
    ("36h", 36, 36, 36, False),
    ("90 minutes", 1.5, 1.5, 1.5, False),
    ("3 days and 4 hours", 76, 76, 76, False),
    ("960 - 1080 hours (40-45 days)", 1020, 960, 1080, False),
    ("10 epochs × 18 hours × 8 devices = 1440 hours", 1440, 1440, 1440, False),
])
def test_parse_duration(text, hours, low, high, acc):
    d = parse_duration(text)
    assert d.hours == pytest.approx(hours) and d.low == pytest.approx(low) and d.high == pytest.approx(high)
    assert d.accelerator_hours is acc


def test_parse_duration_bare_number_needs_default_unit():
    assert isinstance(parse_duration("168 (1 week)"), Unparsed)
    assert parse_duration("168 (1 week)", default_unit="h").hours == 168
    assert parse_duration("Unknown", default_unit="h").reason == "duration stated as unknown"


@pytest.mark.parametrize("text, grams", [
    ("149.2 kg eq. CO2", 149_200), ("30.16 kg CO2 eq.", 30_160), ("0.6 kg CO2e ([source](x))", 600),
    ("552 tCO2e", 552e6), ("25 metric tons CO2e", 25e6), ("1,438 lbs", 1438 * 453.59237), ("12 g", 12),
])
def test_parse_emissions(text, grams):
    assert parse_emissions(text).grams == pytest.approx(grams)


def test_parse_emissions_refuses_to_guess():
    assert "ambiguous" in parse_emissions("5 tons").reason
    assert isinstance(parse_emissions("17.0"), Unparsed)
    assert parse_emissions("17.0", default_unit="g").grams == 17.0


@pytest.mark.parametrize("text, kwh", [("1,287 MWh", 1_287_000), ("45.2 kWh", 45.2), ("500 Wh", 0.5), ("3.6 MJ", 1.0)])
def test_parse_energy(text, kwh):
    assert parse_energy(text).kwh == pytest.approx(kwh)
    assert isinstance(parse_energy("12"), Unparsed)
