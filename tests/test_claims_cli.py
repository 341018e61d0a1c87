"""``ptmkg claims`` through ptmkg.cli.main."""

from __future__ import annotations

import json

import pytest

from ptmkg import KG
from ptmkg.claims.definitions import load_definitions
from ptmkg.cli import main
from tests.test_claims_runner import availability, load


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store"
    kg = KG(path)
    load(kg, "literature", availability([True] * 27 + [False] * 73, key="a"), "2023", "2023-01-01")
    load(kg, "literature", availability([True] * 10 + [False] * 90, key="b"), "2024", "2024-06-01")
    del kg
    return path


def test_list(capsys):
    assert main(["claims", "list"]) == 0
    out = capsys.readouterr().out
    assert "ART-01" in out and "REU-02" in out


def test_json_run_records_verdicts(store, capsys):
    assert main(["claims", "--store", str(store), "--claim", "ART-01", "--claim", "ART-02", "--format", "json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [r["id"] for r in rows] == ["ART-01", "ART-02"]
    assert rows[0]["verdict"] == "SUPPORTED" and rows[0]["estimate"] == pytest.approx(0.10)
    assert rows[1]["verdict"] == "NOT MEASURABLE"
    assert "verdicts recorded in https://w3id.org/ptmkg/graph/claims/" in captured.err
    assert KG(store, read_only=True).snapshots().filter(source="claims").height == 1


def test_markdown_and_snapshot_option(store, capsys):
    assert main(["claims", "--store", str(store), "--claim", "ART-01", "--snapshot", "literature@2023",
                 "--format", "md", "--no-record"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| claim | population | replicated on | replication | measured on | verdict |")
    assert ("| ART-01 | code-lm-papers-2023 | — | NOT REPLICABLE | literature@2023 | REPLICATED | "
            "1 of 1 part REPLICATED |") in out
    assert KG(store, read_only=True).snapshots().filter(source="claims").height == 0
    assert main(["claims", "--store", str(store), "--claim", "ART-01", "--claim", "ART-02", "--snapshot",
                 "literature@2023", "--format", "md", "--parts", "--no-record"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "| claim | part | verdict | statistic | estimate [95% CI] (n) | published | tested | reason |"
    # 27 of 100 papers: the share beside the published share (Hort et al.: 27%), and the reason in full
    assert rows[2].startswith("| ART-01 | share of papers sharing trained models | REPLICATED | share p̂ | 0.27 [")
    assert "(n=100) | 0.27 ± 0.05 | p̂ < 0.5 (CI) | p̂=0.27 [" in rows[2] and rows[2].endswith("→ REPLICATED |")
    assert len(rows) == 2 + 1 + len(load_definitions()["ART-02"].parts)


def test_table_shows_every_part_with_its_full_reason(store, capsys):
    assert main(["claims", "--store", str(store), "--claim", "ART-01", "--claim", "ART-02", "--snapshot",
                 "literature@2023", "--no-record"]) == 0
    out = capsys.readouterr().out
    assert "ART-01  REPLICATED  (1 of 1 part REPLICATED)" in out
    assert "  - share of papers sharing trained models: REPLICATED" in out
    assert "share p̂ 0.27 [" in out and "(n=100) vs published 0.27 ± 0.05; tested: p̂ < 0.5 (CI)" in out
    reason = " ".join(line.strip() for line in out.split("ART-02")[1].splitlines() if line.startswith("    "))
    assert "fields absent:" in reason and "→ NOT MEASURABLE" in reason  # wrapped, never cut


def test_html_report_has_inline_svg(store, tmp_path):
    out = tmp_path / "claims.html"
    assert main(["claims", "--store", str(store), "--claim", "ART-01", "--format", "html", "--out", str(out),
                 "--read-only"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "Hort, Grishina, Moonen" in page and "cdn" not in page.lower()
    assert "<th>replication</th><td class='r NOT_REPLICABLE'>NOT REPLICABLE: the Hort et al. coding sheet" in page
    assert "literature@2024: study sample (a systematic-review coding sheet" in page


def test_diff(store, capsys):
    assert main(["claims", "--store", str(store), "diff", "literature@2023", "literature@2024",
                 "--claim", "ART-01", "--claim", "ART-02"]) == 0
    out = capsys.readouterr().out
    assert "ART-01" in out and "REPLICATED" in out and "SUPPORTED" in out and "ART-02" not in out
    assert main(["claims", "--store", str(store), "diff", "literature@2023"]) == 2
    assert "takes two snapshots" in capsys.readouterr().err
    assert main(["claims", "--store", str(store), "diff", "literature@2023", "nope@1"]) == 2
