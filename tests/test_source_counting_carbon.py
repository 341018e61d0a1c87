"""counting-carbon: 95 published models with reported energy, CO2eq, grid intensity and hardware."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "counting-carbon" / "co2ml95models.csv"
RUN0 = "https://w3id.org/ptmkg/id/run/counting-carbon/0"


def raw() -> tuple[list[str], list[list[str]]]:
    if not FILE.exists():
        pytest.skip(f"{FILE} is not present (tests read ../shared where it lies)")
    with open(FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def kg() -> KG:
    raw()
    kg = KG.memory()
    kg.ingest("counting-carbon", FILE.parent)
    return kg


def test_one_run_per_row_with_total_energy_and_emissions(kg: KG) -> None:
    header, rows = raw()
    kwh = sum(float(r[header.index("Energy consumed [kWh]")]) for r in rows)
    kg_co2 = sum(float(r[header.index("CO₂eq emitted [kg]")]) for r in rows)
    res = kg.query("""SELECT (COUNT(DISTINCT ?r) AS ?runs) (SUM(?e) AS ?kwh) WHERE {
        ?m a ptmkg:Model ; ptmkg:trainingRun ?r . ?r ptmkg:energy [ qudt:numericValue ?e ; qudt:unit unit:KiloW-HR ] }""")
    assert res.rows() == [(len(rows), pytest.approx(kwh))]
    co2 = kg.query("SELECT (SUM(?v) AS ?s) WHERE { ?r ptmkg:emissions [ qudt:numericValue ?v ; qudt:unit unit:KiloGM ] }")
    assert co2["s"][0] == pytest.approx(kg_co2)


def test_first_row_by_hand(kg: KG) -> None:
    # row 0: 16 x GeForce RTX 2080 Ti (250 W), Michigan USA at 506.1 g/kWh, 950400 s, 1056 kWh, 534.4 kg
    res = kg.query(f"""SELECT ?hw ?n ?country ?ci ?raw ?w ?s WHERE {{
        <{RUN0}> ptmkg:hardwareRaw ?hw ; ptmkg:acceleratorCount ?n ; ptmkg:country ?country ;
            ptmkg:carbonIntensity [ qudt:numericValue ?ci ; ptmkg:rawValue ?raw ; qudt:unit unit:KiloGM-PER-KiloW-HR ] ;
            ptmkg:power [ qudt:numericValue ?w ; qudt:unit unit:W ] ;
            ptmkg:duration [ qudt:numericValue ?s ; qudt:unit unit:SEC ] }}""")
    assert res.rows() == [("GeForce RTX 2080 Ti", 16, "USA", pytest.approx(0.5061), "506.1 g CO2eq/kWh", 250.0,
                           950400.0)]


def test_tpu_rows_use_tpu_model_and_count(kg: KG) -> None:
    header, rows = raw()
    tpu = [r for r in rows if r[header.index("TPU model")]]
    res = kg.query("""SELECT (COUNT(*) AS ?n) WHERE { ?r ptmkg:hardwareRaw ?hw FILTER(CONTAINS(?hw, "TPU")) }""")
    assert res["n"][0] == len(tpu) > 0


def test_snapshot_licence(kg: KG) -> None:
    assert kg.snapshots()["licence"].to_list() == ["http://spdx.org/licenses/CC-BY-NC-SA-4.0"]


def test_bad_inputs_raise_and_leave_store_unchanged(tmp_path: Path) -> None:
    header, rows = raw()
    kg = KG.memory()
    kg.ingest("counting-carbon", FILE)
    before = len(kg)

    def write(name: str, head: list[str], body: list[list[str]]) -> Path:
        path = tmp_path / name
        path.mkdir()
        with open(path / FILE.name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([head, *body])
        return path

    bad = [r[:] for r in rows]
    bad[9][header.index("Training time [s]")] = "two weeks"
    with pytest.raises(InputError) as e:
        kg.ingest("counting-carbon", write("value", header, bad))
    assert (e.value.row, e.value.field) == (11, "Training time [s]")

    neg = [r[:] for r in rows]
    neg[0][header.index("Energy consumed [kWh]")] = "-3"
    with pytest.raises(InputError) as e:
        kg.ingest("counting-carbon", write("negative", header, neg))
    assert (e.value.row, e.value.field) == (2, "Energy consumed [kWh]")

    i = header.index("TDP")
    with pytest.raises(InputError) as e:
        kg.ingest("counting-carbon", write("column", header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]))
    assert e.value.field == "TDP"
    assert len(kg) == before
