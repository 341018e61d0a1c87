"""The hf source and mapping: shared family-tree CSVs, JSONL records, bad input."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import shared_path
from ptmkg import KG
from ptmkg.errors import InputError
from ptmkg.mapping.modelcard import card_sections
from ptmkg.namespaces import ID
from ptmkg.sources import huggingface as hf

csv.field_size_limit(sys.maxsize)


def model_iri(hub_id: str) -> str:
    """The IRI of a Hub model as the VOCAB.md rule spells it (lower-cased id)."""
    return f"<{ID}model/hf/{hub_id.lower()}>"


def _shared_rows() -> list[dict]:
    """Every row of the 24 family-tree CSVs, read with the csv module (independent of the reader)."""
    rows = []
    for path in sorted(shared_path("data", "hf-lineage").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows += [dict(r, _file=path.name) for r in csv.DictReader(fh)]
    return rows


def _records(rows: list[dict]) -> dict[str, dict]:
    """ModelInfo dicts by lower-cased id (rows whose metadata is 'N/A' have none)."""
    out = {}
    for r in rows:
        if r["metadata"] != "N/A":
            meta = json.loads(r["metadata"])
            out.setdefault(meta["id"].lower(), meta)
    return out


@pytest.fixture(scope="module")
def lineage_kg():
    kg = KG.memory()
    kg.ingest("hf", shared_path("data", "hf-lineage"))
    return kg


def test_distinct_models_match_the_csvs(lineage_kg):
    rows = _shared_rows()
    ids = {r["model_id"].removeprefix("https://huggingface.co/").lower() for r in rows}
    assert len(rows) == 2042 and len(ids) == 2037  # the README's counts
    n = lineage_kg.query('SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m ptmkg:hub "huggingface" }')["n"][0]
    assert n == len(ids)


def test_finetune_edges_match_base_model_tags(lineage_kg):
    pairs: Counter[str] = Counter()
    for key, meta in _records(_shared_rows()).items():
        for tag in meta["tags"]:
            parts = tag.split(":", 2)
            if len(parts) == 3 and parts[0] == "base_model" and parts[2].lower() != key:
                pairs[parts[1]] += 1
    assert set(pairs) == {"finetune"}  # the only tagged relation in this data
    n = lineage_kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?c ptmkg:fineTunedFrom ?p }")["n"][0]
    assert n == pairs["finetune"]


def test_typed_child_lists_give_adapter_quantized_merge_edges(lineage_kg):
    expected = {}
    for col, rel in hf.CHILD_LISTS.items():
        edges = set()
        for r in _shared_rows():
            parent = r["model_id"].removeprefix("https://huggingface.co/").lower()
            for url in (r.get(col) or "").strip("[]").split(","):
                child = url.strip(" '\"").removeprefix("https://huggingface.co/").lower()
                if child and child != parent:
                    edges.add((child, parent))
        expected[rel] = len(edges)
    got = lineage_kg.query("""
        SELECT ?p (COUNT(*) AS ?n) WHERE {
          ?c ?p ?x . VALUES ?p { ptmkg:adapterOf ptmkg:quantizedFrom ptmkg:mergedFrom } } GROUP BY ?p""")
    by_rel = dict(zip(got["p"].str.extract(r"/(\w+)$"), got["n"]))
    assert by_rel == {"adapterOf": expected["adapter"], "quantizedFrom": expected["quantized"],
                      "mergedFrom": expected["merge"]}
    assert min(expected.values()) > 0


def test_every_lineage_edge_is_also_was_derived_from(lineage_kg):
    missing = lineage_kg.query("""
        SELECT (COUNT(*) AS ?n) WHERE {
          ?c ?p ?x . VALUES ?p { ptmkg:fineTunedFrom ptmkg:adapterOf ptmkg:quantizedFrom ptmkg:mergedFrom }
          FILTER NOT EXISTS { ?c prov:wasDerivedFrom ?x } }""")
    assert missing["n"][0] == 0


def test_known_model_parent_and_licence(lineage_kg):
    # From the gpt-neox-20b family file: tags base_model:finetune:EleutherAI/gpt-neox-20b and license:apache-2.0.
    meta = _records(_shared_rows())["solanotodeschini/outputs"]
    assert "base_model:finetune:EleutherAI/gpt-neox-20b" in meta["tags"] and "license:apache-2.0" in meta["tags"]
    got = lineage_kg.query("""
        SELECT ?parent ?lic ?raw WHERE {
          <https://w3id.org/ptmkg/id/model/hf/solanotodeschini/outputs> ptmkg:fineTunedFrom ?p ; dct:license ?lic ; ptmkg:licenseRaw ?raw .
          ?p ptmkg:hubId ?parent }""")
    assert got.rows() == [("EleutherAI/gpt-neox-20b", "http://spdx.org/licenses/Apache-2.0", "apache-2.0")]


def test_lineage_from_a_leaf_reaches_its_family_root(lineage_kg):
    rows = [r for r in _shared_rows() if r["_file"].startswith("DeepSeek-R1_")]
    root = next(r["model_id"] for r in rows if r["depth"] == "0")
    leaf = sorted(r["model_id"] for r in rows if r["depth"] == "2" and r["metadata"] != "N/A")[0]
    key = leaf.removeprefix("https://huggingface.co/").lower()
    ask = lineage_kg.query(f"ASK {{ {model_iri(key)} prov:wasDerivedFrom+ {model_iri(root)} }}")
    direct = lineage_kg.query(f"ASK {{ {model_iri(key)} prov:wasDerivedFrom {model_iri(root)} }}")
    assert ask is True and direct is False


def test_reported_emissions_of_bloom(lineage_kg):
    got = lineage_kg.query("""
        SELECT ?v ?unit ?by ?type ?loc ?hw WHERE {
          <https://w3id.org/ptmkg/id/model/hf/bigscience/bloom> ptmkg:trainingRun ?r . ?r ptmkg:emissions ?q ;
             ptmkg:trainingType ?type ; ptmkg:locationRaw ?loc ; ptmkg:hardwareRaw ?hw .
          ?q qudt:numericValue ?v ; qudt:unit ?unit ; ptmkg:obtainedBy ?by }""")
    assert got.rows() == [(24700000.0, "http://qudt.org/vocab/unit/GM", "https://w3id.org/ptmkg/Reported",
                           "pre-training", "Orsay, France", "384 A100 80GB GPUs")]


def test_weight_files_by_format_match_sibling_names(lineage_kg):
    counts: Counter[str] = Counter()
    for meta in _records(_shared_rows()).values():
        for s in meta["siblings"]:
            name = s.split("rfilename=", 1)[1][1:].split("', size=")[0].split('", size=')[0]
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            counts[hf.WEIGHT_FORMATS.get(ext, "none")] += "\n" not in name
    got = lineage_kg.query("SELECT ?f (COUNT(*) AS ?n) WHERE { ?x ptmkg:serialisationFormat ?f } GROUP BY ?f")
    assert dict(got.rows()) == {k: v for k, v in counts.items() if k != "none"}


def test_arxiv_tags_become_papers(lineage_kg):
    ids = {t.split(":", 1)[1].split("v")[0] for m in _records(_shared_rows()).values()
           for t in m["tags"] if t.startswith("arxiv:")}
    got = lineage_kg.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?m ptmkg:citesPaper ?p . ?p ptmkg:arxivId ?a }")
    assert got["n"][0] == len(ids) > 0


# --- small inputs written by the tests ---------------------------------------------------------

def _csv(path: Path, metas: list[str]) -> Path:
    pl.DataFrame({"model_id": [f"m/{i}" for i in range(len(metas))], "metadata": metas,
                  "depth": ["0"] * len(metas)}).write_csv(path)
    return path


def test_bad_json_names_file_row_field_and_leaves_store_unchanged(tmp_path):
    kg = KG.memory()
    good = json.dumps({"id": "a/b", "tags": ["license:mit"], "card_data": "license: mit"})
    kg.ingest("hf", _csv(tmp_path / "ok_20250101_000000.csv", [good]))
    before = len(kg)
    bad = _csv(tmp_path / "bad_20250101_000000.csv", [good.replace("a/b", "a/c"), '{"id": "a/d", "tags": [', good])
    with pytest.raises(InputError) as err:
        kg.ingest("hf", bad)
    assert (Path(err.value.file).name, err.value.row, err.value.field) == ("bad_20250101_000000.csv", 2, "metadata")
    assert len(kg) == before


def test_bad_card_data_yaml_names_row_and_field(tmp_path):
    metas = [json.dumps({"id": "a/b", "card_data": "license: mit"}),
             json.dumps({"id": "a/c", "card_data": "license: [mit\nbase_model: x"})]
    with pytest.raises(InputError) as err:
        hf.read(_csv(tmp_path / "t_20250101_000000.csv", metas))
    assert (err.value.row, err.value.field) == (2, "card_data")


def test_jsonl_api_spelling_and_other_licence(tmp_path):
    record = {"id": "Org/Model-A", "createdAt": "2024-03-01T10:20:30.000Z", "gated": "manual",
              "tags": ["license:other", "dataset:org/data", "arxiv:2106.09685v2", "base_model:org/base"],
              "cardData": {"license": "other", "license_name": "acme-ai-1.0", "license_link": "https://acme.ai/l",
                           "base_model": "org/base", "base_model_relation": "quantized",
                           "datasets": ["org/data", "local corpus"],
                           "co2_eq_emissions": {"emissions": 12.5, "source": "codecarbon"}},
              "siblings": [{"rfilename": "model.gguf", "size": 7}, {"rfilename": "README.md"}],
              "card": "---\nlicense: other\n---\n# Model card\n## Training hyperparameters\n## Bias, Risks\nx"}
    path = tmp_path / "records_20240302_101010.jsonl"
    path.write_text(json.dumps(record) + "\n")
    data = hf.read(path)
    assert data.snapshot.retrieved == "2024-03-02"
    m = data.frames["models"].row(0, named=True)
    assert (m["created_at"].isoformat(), m["gated"], m["gating_mode"], m["licence_raw"], m["license_name"]) == (
        "2024-03-01T10:20:30+00:00", True, "manual", "other", "acme-ai-1.0")
    assert data.frames["lineage"].rows() == [("Org/Model-A", "org/base", "quantized")]
    assert sorted(data.frames["datasets"].rows()) == [("Org/Model-A", "local corpus", False),
                                                      ("Org/Model-A", "org/data", True)]
    assert data.frames["files"].select("path", "size", "format").rows() == [("model.gguf", 7, "gguf"),
                                                                             ("README.md", None, None)]
    assert data.frames["cards"].row(0) == ("Org/Model-A", len(record["card"]), True)
    assert set(data.frames["card_sections"]["section"]) == {"training_procedure", "limitations"}
    kg = KG.memory()
    kg.ingest("hf", path)
    got = kg.query(f"""SELECT ?lic ?name ?paper ?g WHERE {{ {model_iri("Org/Model-A")} dct:license ?lic ;
                      ptmkg:citesPaper ?p ; ptmkg:trainingRun/ptmkg:emissions/qudt:numericValue ?g .
                      ?lic schema:name ?name . ?p ptmkg:arxivId ?paper }}""")
    assert got.rows() == [("https://w3id.org/ptmkg/id/license/acme-ai-1.0", "acme-ai-1.0", "2106.09685", 12.5)]
    kinds = kg.query(f"SELECT ?p WHERE {{ {model_iri('Org/Model-A')} ?p {model_iri('org/base')} }}")["p"]
    assert kinds.sort().to_list() == ["http://www.w3.org/ns/prov#wasDerivedFrom", "https://w3id.org/ptmkg/quantizedFrom"]


def test_jsonl_card_present_absent_or_not_fetched(tmp_path):
    """A record with card text has a card; ``"card": null`` or ``""`` says it has none; no key says nothing."""
    records = [{"id": "o/with", "card": "# Card\nbody"}, {"id": "o/null", "card": None},
               {"id": "o/empty", "card": ""}, {"id": "o/unknown", "description": 'a "card": here'}]
    path = tmp_path / "r_20250101_000000.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    cards = hf.read(path).frames["cards"]
    assert cards.sort("id").rows() == [("o/empty", None, False), ("o/null", None, False),
                                       ("o/unknown", None, None), ("o/with", len("# Card\nbody"), True)]


def test_card_sections_map_heading_wordings():
    cards = pl.DataFrame({"id": ["a"], "card": [
        "# Model Details\n## Uses\n### Out-of-Scope Use\n## How to Get Started with the Model\n"
        "## Training Data\n## Evaluation results\n## Environmental Impact\n## Citation\n## License\n"
        "#NoSpace is not a heading\n    ## indented code is not a heading\n"]})
    assert card_sections(cards)["section"].to_list() == [
        "model_details", "intended_uses", "limitations", "how_to_use", "training_data", "evaluation",
        "environmental_impact", "citation", "license"]


def test_jsonl_bad_line_and_bad_encoding_name_their_line(tmp_path):
    good = json.dumps({"id": "a/b", "tags": ["license:mit"]})
    path = tmp_path / "r_20250101_000000.jsonl"
    path.write_text("\n".join([good, good.replace("a/b", "a/c"), '{"id": "a/d", "tags": [']) + "\n")
    with pytest.raises(InputError) as err:
        hf.read(path)
    assert (err.value.row, err.value.field) == (3, "metadata") and "malformed JSON" in str(err.value)
    path.write_bytes((good + "\n").encode() + b'{"id": "a/\xe9"}\n')
    with pytest.raises(InputError, match="row 2: not UTF-8"):
        hf.read(path)
    gz = tmp_path / "r_20250101_000000.jsonl.gz"
    import gzip

    gz.write_bytes(gzip.compress((good + "\n\n" + good.replace("a/b", "a/c") + "\n").encode()))
    assert hf.read(gz).frames["models"]["id"].to_list() == ["a/b", "a/c"]


def test_card_body_training_facts_are_extracted_quantities(tmp_path):
    body = ("# M\n## Environmental Impact\n- **Hardware Type:** 8x A100\n- **Hours used:** 72\n"
            "- **Cloud Provider:** AWS\n- **Compute Region:** us-east-1\n- **Carbon Emitted:** 1.2 kg\n")
    records = [{"id": "org/m", "card": body, "cardData": {"co2_eq_emissions": {"emissions": 900}}},
               {"id": "org/plain", "card": "# Plain\nNo training details."}]
    path = tmp_path / "r_20250101_000000.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    kg = KG.memory()
    kg.ingest("hf", path)
    q = kg.query("""SELECT DISTINCT ?id ?prop ?v ?unit ?how ?raw WHERE {
        ?m ptmkg:hubId ?id ; ptmkg:trainingRun ?run . ?run ?p ?q .
        ?q qudt:numericValue ?v ; qudt:unit ?u ; ptmkg:obtainedBy ?o . OPTIONAL { ?q ptmkg:rawValue ?raw }
        BIND(REPLACE(STR(?p), "^.*/", "") AS ?prop) BIND(REPLACE(STR(?u), "^.*/", "") AS ?unit)
        BIND(REPLACE(STR(?o), "^.*/", "") AS ?how) } ORDER BY ?prop ?how""")
    assert q.rows() == [("org/m", "duration", 72.0, "HR", "Extracted", "72"),
                        ("org/m", "emissions", 1200.0, "GM", "Extracted", "1.2 kg"),
                        ("org/m", "emissions", 900.0, "GM", "Reported", "900")]
    facts = kg.query("SELECT ?n ?prov ?region WHERE { ?run ptmkg:acceleratorCount ?n ; ptmkg:cloudProvider ?prov ; "
                     "ptmkg:cloudRegion ?region }")
    assert facts.rows() == [(8, "aws", "us-east-1")]


def test_reported_emissions_that_do_not_parse_keep_their_raw_text(tmp_path):
    records = [{"id": "org/a", "cardData": {"co2_eq_emissions": {"emissions": "unknown", "source": "x"}}},
               {"id": "org/b", "cardData": {"co2_eq_emissions": 42}}]
    path = tmp_path / "r_20250101_000000.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    kg = KG.memory()
    kg.ingest("hf", path)
    q = kg.query("""SELECT ?id ?raw ?v ?unit WHERE { ?m ptmkg:hubId ?id ; ptmkg:trainingRun/ptmkg:emissions ?q .
        ?q a ptmkg:Quantity, qudt:QuantityValue ; ptmkg:rawValue ?raw ; ptmkg:obtainedBy ptmkg:Reported ;
        qudt:unit ?u OPTIONAL { ?q qudt:numericValue ?v } BIND(REPLACE(STR(?u), "^.*/", "") AS ?unit) } ORDER BY ?id""")
    assert q.rows() == [("org/a", "unknown", None, "GM"), ("org/b", "42", 42.0, "GM")]


def test_extracted_card_facts_match_the_shared_cards(lineage_kg):
    from ptmkg.energy import extract_card

    csv.field_size_limit(sys.maxsize)
    expected: set[str] = set()
    for path in shared_path("data", "hf-lineage").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                card = row.get("card") or ""
                c = extract_card(card) if card else None
                fields = [c.hardware, c.accelerator_count, c.hours, c.cloud_provider, c.region, c.emissions_g] if c else []
                if any(f is not None and f.origin == "body" and (f.ok or f is c.hardware) for f in fields):
                    expected.add(row["model_id"].lower())
    found = lineage_kg.query("""SELECT DISTINCT ?id WHERE { ?m ptmkg:hubId ?id ; ptmkg:trainingRun ?run .
        { ?run ptmkg:hardwareRaw|ptmkg:cloudProvider|ptmkg:cloudRegion|ptmkg:acceleratorCount ?x }
        UNION { ?run ptmkg:duration|ptmkg:emissions ?q . ?q ptmkg:obtainedBy ptmkg:Extracted } }""")
    reported_hw = lineage_kg.query("""SELECT DISTINCT ?id WHERE { ?m ptmkg:hubId ?id ; ptmkg:trainingRun ?run .
        ?run ptmkg:emissions ?q . ?q ptmkg:obtainedBy ptmkg:Reported }""")
    assert expected and {i.lower() for i in found["id"]} - {i.lower() for i in reported_hw["id"]} <= expected
    assert expected <= {i.lower() for i in found["id"]}


def test_pruned_card_data_reads_the_same_facts_as_a_full_parse():
    """Parsing only the card_data blocks the mapping reads gives the facts and key list of a full parse."""
    import yaml

    texts = []
    for path in sorted(shared_path("data", "hf-lineage").glob("*.csv")):
        meta = pl.read_csv(path, infer_schema=False, columns=["metadata"])["metadata"]
        texts += meta.str.json_path_match("$.card_data").drop_nulls().to_list()
    texts = [t for t in texts if t.strip() and not t.lstrip().startswith("{")]
    assert len(texts) > 1500
    assert sum(hf.prune_card_data(t) is not None for t in texts) > 0.9 * len(texts)
    for t in texts:
        assert hf._card_data_facts(hf._yaml(t, "f", 1)) == hf._card_data_facts(yaml.safe_load(t) or {}), t


@pytest.mark.parametrize("text", ["  license: mit\n  datasets: [a]", "- license\n- mit", "base_model: &b x\nx: *b",
                                  "yes: 1\nlicense: mit", "%YAML 1.1\n---\nlicense: mit", "{license: mit}"])
def test_card_data_that_is_not_a_plain_block_mapping_is_parsed_whole(text):
    import yaml

    assert hf.prune_card_data(text) is None
    full = yaml.safe_load(text.split("---\n")[-1])
    if isinstance(full, dict):
        assert hf._card_data_facts(hf._yaml(text, "f", 1)) == hf._card_data_facts(full)


def test_pruned_card_data_keeps_every_key_and_quoted_keys():
    text = 'widget:\n- text: "a: b"\n# note\n"license": apache-2.0\nmodel-index:\n  - name: x\ndatasets:\n- d1\n- d2\n'
    body, keys = hf.prune_card_data(text)
    assert keys == ["widget", "license", "model-index", "datasets"]
    assert "widget" not in body and "model-index" not in body
    facts = hf._card_data_facts(hf._yaml(text, "f", 1))
    assert (facts["yaml_keys"], facts["cd_license"], facts["cd_datasets"]) == (keys, "apache-2.0", ["d1", "d2"])
