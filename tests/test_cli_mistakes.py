"""User mistakes end in one clear line and a non-zero exit, never in a traceback.

Each case is a command a user could type (wrong paths, names, stores, options, files); the walk runs the
real CLI entry point in process and reads what it prints on standard error.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.cli import main
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def store(built_store) -> Path:
    return built_store


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    out = {}
    out["syntax.rq"] = root / "syntax.rq"
    out["syntax.rq"].write_text("SELECT ?m WHERE {\n  ?m a ptmkg:Model\n  FILTR(?m)\n}\n")
    out["wrong.csv"] = root / "wrong.csv"
    out["wrong.csv"].write_text("a,b\n1,2\n")
    out["empty-ptlm"] = root / "empty-ptlm"
    out["empty-ptlm"].mkdir()
    from ptmkg.sources.ptlm_versioning import FILES

    for name in FILES.values():
        (out["empty-ptlm"] / name).write_text("")
    out["bad.jsonl"] = root / "hub_20250101_000000.jsonl"
    out["bad.jsonl"].write_text('{"id": "a/b", "downloads": 1}\n{"id": "c/d", "downl\n')
    out["not-a-store"] = root / "my-documents"
    out["not-a-store"].mkdir()
    (out["not-a-store"] / "thesis.tex").write_text("\\documentclass{article}")
    out["a-file"] = root / "store-file"
    out["a-file"].write_text("x")
    out["damaged"] = root / "damaged"
    out["damaged"].mkdir()
    (out["damaged"] / "CURRENT").write_text("garbage\n")
    out["service.rq"] = root / "service.rq"
    out["service.rq"].write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n")
    return out


def _busy_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock, sock.getsockname()[1]


def mistakes(store: Path, files: dict[str, Path]) -> list[tuple[str, list[str], str]]:
    """(what the user did wrong, the command, a word the one line must contain)."""
    s = ["--store", str(store)]
    return [
        ("unknown command", ["frobnicate"], "invalid choice"),
        ("unknown source", ["ingest", "hugginface", "x", *s], "unknown source 'hugginface'"),
        ("input path missing", ["ingest", "counting-carbon", "/nonexistent/co2ml", *s], "/nonexistent/co2ml"),
        ("ingest all without a folder", ["ingest", "all", *s], "needs a folder"),
        ("ingest all of a missing folder", ["ingest", "all", "/nonexistent/shared", *s], "/nonexistent/shared"),
        ("a CSV of another shape", ["ingest", "counting-carbon", str(files["wrong.csv"]), *s], "missing column"),
        ("empty CSV files", ["ingest", "ptlm-versioning", str(files["empty-ptlm"]), *s], "empty"),
        ("corrupt JSON Lines", ["ingest", "hf", str(files["bad.jsonl"]), *s], "row 2"),
        ("an impossible date", ["ingest", "counting-carbon", "x", "--retrieved", "2025-13-01", *s], "YYYY-MM-DD"),
        ("--live on a file-only source", ["ingest", "counting-carbon", "x", "--live", *s], "--live"),
        ("unknown query name", ["query", "models-per-licnse", *s], "did you mean models-per-licence"),
        ("query file missing", ["query", "/nonexistent/q.rq", *s], "no such query file"),
        ("query with a syntax error", ["query", str(files["syntax.rq"]), *s], "line 3, column"),
        ("-e with a syntax error", ["query", "-e", "SELECT * WHERE { ?s ?p }", *s], "line 1, column"),
        ("an undeclared prefix", ["query", "-e", "SELECT * WHERE { ?s foo:bar ?o }", *s], "unknown prefix 'foo:'"),
        ("--param without =", ["query", "models-per-licence", "--param", "limit", *s], "NAME=VALUE"),
        ("--param the query lacks", ["query", "models-per-licence", "--param", "colour=red", *s], "no parameter"),
        ("both a name and -e", ["query", "models-per-licence", "-e", "ASK {}", *s], "not both"),
        ("SERVICE to an endpoint not allowed", ["query", str(files["service.rq"]), *s], "SERVICE"),
        ("query a store that does not exist", ["query", "models-per-licence", "--store", "/nonexistent/st"],
         "ptmkg build"),
        ("info on a store that does not exist", ["info", "--store", "/nonexistent/st"], "ptmkg build"),
        ("a file given as the store", ["info", "--store", str(files["a-file"])], "is a file"),
        ("a damaged store", ["info", "--store", str(files["damaged"])], "damaged"),
        ("a folder of other things as the store", ["build", "--store", str(files["not-a-store"])], "not a ptmkg store"),
        ("unknown claim id", ["claims", "--claim", "XYZ-99", "--no-record", *s], "XYZ-99"),
        ("claims diff with one snapshot", ["claims", "diff", "hf", *s], "two snapshots"),
        ("validate an unknown snapshot", ["validate", "--snapshot", "https://example.org/nope", *s], "snapshot"),
        ("validate a snapshot that is no IRI", ["validate", "--snapshot", "not an iri", *s], "not an IRI"),
        ("unknown export format", ["export", "--format", "xml", *s], "invalid choice"),
        ("turtle export without a snapshot", ["export", "--format", "turtle", *s], "name a snapshot"),
        ("export into a missing folder", ["export", "--out", "/nonexistent/dir/all.nq", *s], "/nonexistent/dir"),
        ("unknown GPU for the energy calculator", ["energy", "calc", "--gpu", "H900", "--count", "1", "--hours", "1"], "H900"),
        ("a misspelt country for the energy calculator",
         ["energy", "calc", "--gpu", "V100", "--count", "1", "--hours", "1", "--country", "Frnace"],
         "did you mean France?"),
    ]


def _walk(capsys, argv: list[str]) -> tuple[int, list[str]]:
    try:
        code = main(argv)
    except SystemExit as e:  # argparse
        code = e.code
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


def test_at_least_25_mistakes_each_end_in_one_clear_line(store, files, capsys):
    cases = mistakes(store, files)
    assert len(cases) >= 25
    failures = []
    for what, argv, expect in cases:
        code, lines = _walk(capsys, argv)
        text = "\n".join(lines)
        multi_line_ok = "syntax error" in text  # a syntax error also shows the offending line
        if (code in (0, None) or "Traceback" in text or not lines or (len(lines) != 1 and not multi_line_ok)
                or expect not in lines[0] or not lines[0].startswith("ptmkg")):
            failures.append(f"{what}: exit {code}: {text[:300]}")
    assert not failures, "\n".join(failures)


def test_a_store_held_by_another_kg_is_one_line(store, capsys):
    holder = KG(store)
    try:
        code, lines = _walk(capsys, ["ingest", "counting-carbon", "x", "--store", str(store)])
    finally:
        holder.close() if hasattr(holder, "close") else None
        del holder
    assert code == 2 and len(lines) == 1 and "in use by another process" in lines[0]


def test_serve_on_a_port_in_use_is_one_line(store, capsys):
    sock, port = _busy_port()
    try:
        code, lines = _walk(capsys, ["serve", "--port", str(port), "--store", str(store)])
    finally:
        sock.close()
    assert code == 2 and len(lines) == 1 and str(port) in lines[0]


def test_documented_retrieved_option_works_for_every_dated_source(tmp_path, capsys):
    store = ["--store", str(tmp_path / "s")]
    for source, folder in [("counting-carbon", "counting-carbon"), ("ptlm-versioning", "ptlm-versioning")]:
        assert main(["ingest", source, str(shared_path("data", folder)), "--retrieved", "2024-05-06", *store]) == 0
    snaps = KG(tmp_path / "s", read_only=True).snapshots()
    assert set(snaps["retrieved"].cast(str)) == {"2024-05-06"}


def test_a_bug_says_it_is_one(monkeypatch, capsys):
    import ptmkg.cli as cli

    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_sources", broken)
    code, lines = _walk(capsys, ["sources"])
    assert code == 70 and lines[0].startswith("Traceback")
    assert "internal error" in lines[-1] and "not a mistake of yours" in lines[-1]


def test_an_allowed_service_that_fails_is_one_error():
    from ptmkg.errors import PtmkgError

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    sock.close()  # nothing listens there now
    kg = KG.memory()
    kg.allow_service = (url,)
    with pytest.raises(PtmkgError, match="SERVICE call of the query failed: Connection refused"):
        kg.query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
