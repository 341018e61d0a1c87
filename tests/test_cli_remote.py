"""The command line on a SPARQL server: ``--store-url`` for query/info/claims, ``publish --to``, and
``query --allow-service`` — each against Oxigraph's own server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.cli import main
from tests.test_endpoint_remote import OxigraphServer


@pytest.fixture(scope="module")
def local(built_store) -> Path:
    return built_store


@pytest.fixture(scope="module")
def server(local):
    running = OxigraphServer(local)
    yield running
    running.stop()


def _out(capsys, argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out


def test_query_and_info_read_a_server_as_they_read_the_store(local, server, capsys):
    query = ["query", "models-per-licence", "--format", "csv"]
    assert _out(capsys, [*query, "--store-url", server.url]) == _out(capsys, [*query, "--store", str(local)])
    info = _out(capsys, ["info", "--store-url", server.url, "--format", "csv"])
    assert all(source in info for source in ("starter", "starter-carbon", "queries"))


def test_claims_on_a_server_give_the_local_verdicts_and_record_nothing(local, server, capsys):
    claims = ["claims", "--claim", "LIC-01", "--claim", "EN-01", "--format", "json"]
    remote = json.loads(_out(capsys, [*claims, "--store-url", server.url]))
    here = json.loads(_out(capsys, [*claims, "--store", str(local), "--no-record"]))
    verdicts = lambda report: {c["id"]: c["verdict"] for c in report}  # noqa: E731
    assert verdicts(remote) == verdicts(here) and len(verdicts(here)) == 2


def test_publish_puts_every_snapshot_on_a_server(local, tmp_path, capsys):
    target = OxigraphServer(tmp_path / "server-store", mode="serve")
    try:
        out = _out(capsys, ["publish", "--to", target.store_url, "--store", str(local)])
        remote, here = KG.remote(target.url).snapshots(), KG(local, read_only=True).snapshots()
        assert out.startswith(f"published {here.height} snapshot(s)") and here.height >= 3
        assert sorted(remote["graph"]) == sorted(here["graph"])
        assert sorted(remote["triples"]) == sorted(here["triples"])
    finally:
        target.stop()


def test_allow_service_lets_a_query_federate_with_that_endpoint_only(local, server, capsys):
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server.url}> {{ ?m a ptmkg:Model }} }}"
    out = _out(capsys, ["query", "-e", text, "--allow-service", server.url, "--store", str(local),
                        "--format", "csv"])
    assert int(out.splitlines()[1]) > 0
    assert main(["query", "-e", text, "--store", str(local)]) == 2
    assert "SERVICE" in capsys.readouterr().err


def test_store_url_refuses_writing_commands(server, capsys):
    with pytest.raises(SystemExit, match="2"):  # argparse: ingest has no --store-url
        main(["ingest", "starter", "--store-url", server.url])
    assert main(["query", "models-per-licence", "--store-url", server.url, "--store", "/tmp/x"]) == 2
    assert "not both" in capsys.readouterr().err
