"""Live Hub fetch, run offline: the real HfApi code against recorded API responses."""

from __future__ import annotations

import csv
import json
import signal
import sys
from pathlib import Path
from urllib.parse import unquote

import httpx2
import polars as pl
import pytest
from huggingface_hub import HfApi
from huggingface_hub.utils import set_client_factory
from huggingface_hub.utils._http import default_client_factory

from ptmkg.mapping.huggingface import to_triples
from ptmkg.sources import huggingface as hf
from ptmkg.sources.hf_live import fetch_models, fetch_to_jsonl
from tests.conftest import shared_path

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "hf" / "hub_api.json").read_text())
HUB = "https://huggingface.co"


class FakeHub:
    """Serves the recorded bodies: paged /api/models (Link header cursor), /api/models/<id>, READMEs."""

    def __init__(self, readmes: dict[str, str] | None = None, interrupt_on_page: int | None = None):
        self.readmes, self.interrupt_on_page, self.requests = readmes or {}, interrupt_on_page, []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(str(request.url))
        path = unquote(request.url.path)
        if path == "/api/models":
            page = int(request.url.params.get("cursor", "0"))
            if page == self.interrupt_on_page:
                signal.raise_signal(signal.SIGINT)
            headers = {}
            if page + 1 < len(FIXTURE["pages"]):
                headers["Link"] = f'<{HUB}/api/models?cursor={page + 1}>; rel="next"'
            return httpx2.Response(200, json=FIXTURE["pages"][page], headers=headers)
        if path.startswith("/api/models/"):
            return httpx2.Response(200, json=FIXTURE["models"][path.removeprefix("/api/models/")])
        if path.endswith("/resolve/main/README.md"):
            repo = path.removeprefix("/").removesuffix("/resolve/main/README.md")
            if repo in self.readmes:
                return httpx2.Response(200, text=self.readmes[repo])
            return httpx2.Response(404, headers={"X-Error-Code": "EntryNotFound"})
        return httpx2.Response(500)


@pytest.fixture
def hub():
    """Install a FakeHub as huggingface_hub's HTTP transport (restored afterwards)."""
    def install(fake: FakeHub) -> FakeHub:
        set_client_factory(lambda: httpx2.Client(transport=httpx2.MockTransport(fake)))
        return fake

    yield install
    set_client_factory(default_client_factory)


def _facts(path: Path) -> set[tuple[str, str, str]]:
    return set(to_triples(hf.read(path, retrieved="2025-04-22")).frame().rows())


def test_live_fetch_gives_the_same_facts_as_the_records(hub, tmp_path):
    fake = hub(FakeHub())
    fetched = fetch_to_jsonl(tmp_path / "live", api=HfApi(), search="neox", limit=None)
    items = [item for page in FIXTURE["pages"] for item in page]
    direct = tmp_path / "records.jsonl"
    direct.write_text("".join(json.dumps(item) + "\n" for item in items))
    assert [json.loads(line)["id"] for line in fetched.read_text().splitlines()] == [i["id"] for i in items]
    assert _facts(fetched) == _facts(direct)
    listing = [url for url in fake.requests if url.startswith(f"{HUB}/api/models?")]
    assert len(listing) == len(FIXTURE["pages"])  # followed every Link header, nothing more
    assert "search=neox" in listing[0] and "cursor=2" in listing[-1]


def test_interrupt_stops_after_the_current_record_and_keeps_the_file(hub, tmp_path):
    fake = hub(FakeHub(interrupt_on_page=1))
    path = fetch_to_jsonl(tmp_path, api=HfApi(), limit=None)
    lines = path.read_text().splitlines()
    # Page 0 (5 records) and the record in progress when Ctrl-C arrived; page 2 never requested.
    assert len(lines) == len(FIXTURE["pages"][0]) + 1
    assert not any("cursor=2" in url for url in fake.requests)
    assert hf.read(path).frames["models"].height == len(lines)
    assert path.name.startswith("hf_models_") and hf.file_date(path) is not None


def test_with_cards_gives_the_card_facts_of_the_csv(hub, tmp_path):
    csv.field_size_limit(sys.maxsize)
    source = next(shared_path("data", "hf-lineage").glob("bloom_*.csv"))
    with open(source, newline="", encoding="utf-8") as fh:
        cards = {json.loads(r["metadata"])["id"]: r["card"] for r in csv.DictReader(fh)}
    fake = hub(FakeHub(readmes=cards))
    records = list(fetch_models(HfApi(), limit=None, with_cards=True))
    assert sum("/api/models/" in url for url in fake.requests) == len(records)  # model_info per model
    assert {r["id"] for r in records if r["card"]} == set(cards)
    assert all(r["card"] == "" for r in records if r["id"] not in cards)
    path = tmp_path / "cards.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    live, from_csv = hf.read(path, retrieved="2025-04-22").frames, hf.read(source).frames
    assert live["cards"].filter(~pl.col("id").is_in(list(cards)))["present"].to_list() == [False] * 9
    for name in ("cards", "card_sections"):  # facts of the README text (the recorded card data is trimmed)
        got = live[name].filter(pl.col("id").is_in(list(cards))).sort(pl.all())
        assert got.equals(from_csv[name].sort(pl.all())), name
    assert from_csv["card_sections"].height > 0


def test_cli_ingest_live_loads_a_snapshot_of_the_fetched_records(hub, tmp_path, capsys):
    from ptmkg import KG
    from ptmkg.cli import main

    hub(FakeHub())
    store = tmp_path / "store"
    assert main(["ingest", "hf", str(tmp_path / "harvest"), "--live", "--search", "neox", "--store", str(store)]) == 0
    assert "hf: loaded:" in capsys.readouterr().out
    harvested = list((tmp_path / "harvest").glob("hf_models_*.jsonl"))
    assert len(harvested) == 1
    kg = KG(store, read_only=True)
    ids = set(kg.query("SELECT ?id WHERE { ?m ptmkg:hubId ?id ; ptmkg:downloads ?d }")["id"])
    assert ids == {item["id"] for page in FIXTURE["pages"] for item in page}
