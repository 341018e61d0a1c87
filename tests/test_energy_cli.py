"""``ptmkg energy calc`` and ``ptmkg energy estimate`` through the real entry point."""

from __future__ import annotations

import gc
import json
from dataclasses import asdict

import pytest

from ptmkg import KG
from ptmkg.cli import main
from ptmkg.energy import estimate
from tests.test_energy_graph import _load_runs


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_calc_json_equals_library(capsys):
    got = _json(capsys, ["energy", "calc", "--gpu", "A100-SXM4-80GB", "--count", "8", "--hours", "72",
                         "--region", "us-east-1", "--format", "json"])
    want = asdict(estimate("A100-SXM4-80GB", 8, 72.0, region="us-east-1"))
    assert got == json.loads(json.dumps(want))
    # SXM4 80GB pinned down: 8 × 400 W × 72 h × PUE 1.58 (no provider: industry average) / 1000
    assert got["energy_kwh"] == pytest.approx(364.032)
    assert got["constants"]["hardware_candidates"] == ["nvidia-a100-sxm4-80gb"]


def test_calc_every_flag_reaches_the_estimator(capsys):
    got = _json(capsys, ["energy", "calc", "--gpu", "V100", "--count", "4", "--hours", "10", "--utilisation",
                         "0.6-0.8", "--pue", "1.2", "--intensity", "300", "--cpu-w", "100", "--memory-w", "50",
                         "--provider", "gcp", "--country", "France", "--format", "json"])
    want = asdict(estimate("V100", 4, 10.0, utilisation=(0.6, 0.8), pue=1.2, intensity_g_per_kwh=300.0,
                           cpu_w=100.0, memory_w=50.0, provider="gcp", country="France"))
    assert got == json.loads(json.dumps(want))
    # by hand: V100 default variant 250 W (PCIe), u = 0.7: (4·250·0.7 + 150) · 10 · 1.2 / 1000 = 10.2 kWh
    assert got["energy_kwh"] == pytest.approx(10.2)
    # low: PCIe 250 W at u 0.6 → (600 + 150)·12/1000 = 9.0; high: SXM2 300 W at 0.8 → (960 + 150)·12/1000 = 13.32
    assert (got["energy_low"], got["energy_high"]) == (pytest.approx(9.0), pytest.approx(13.32))
    assert got["co2_kg"] == pytest.approx(10.2 * 0.3)


@pytest.mark.parametrize("argv, message", [
    (["--gpu", "A1000"], "unknown GPU 'A1000'; close matches: nvidia-a100"),
    (["--gpu", "qwertyuiop"], "unknown GPU 'qwertyuiop'; no close match"),
    (["--gpu", "A100", "--region", "mars-1"], "unknown cloud region 'mars-1'"),
    (["--gpu", "A100", "--country", "Atlantis"], "unknown country 'Atlantis'"),
    (["--gpu", "TPU v5e"], "no published TDP for google-tpu-v5e; pass --tdp-w"),
    (["--gpu", "A100", "--utilisation", "1.5"], "utilisation must lie in (0, 1]"),
    (["--gpu", "A100", "--utilisation", "most"], "--utilisation takes a fraction"),
])
def test_calc_bad_input_is_one_line_exit_2(capsys, argv, message):
    assert main(["energy", "calc", "--count", "2", "--hours", "3", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptmkg: error: ") and message in err and err.count("\n") == 1


def test_estimate_command_on_a_store(tmp_path, capsys):
    kg = KG(tmp_path / "store")
    _load_runs(kg)
    del kg
    gc.collect()
    assert main(["energy", "estimate", "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    assert "energy-estimates: loaded" in out
    assert "estimated: 2 runs; skipped: 3 runs" in out
    assert "| hardware: no known accelerator named | 2    |" in out
    assert main(["energy", "estimate", "--store", str(tmp_path / "store")]) == 0
    assert "energy-estimates: unchanged" in capsys.readouterr().out
    assert main(["energy", "estimate", "--store", str(tmp_path / "store"), "--pue", "1.1"]) == 0
    assert "energy-estimates: loaded" in capsys.readouterr().out
    snaps = KG(tmp_path / "store", read_only=True).snapshots()
    assert snaps.filter(source="energy-estimates").height == 1
