"""Corruption fuzzing of every ingestible source: a corrupted input loads whole or is one clear error.

Each case writes a small valid input (:mod:`tests.fuzz_inputs`) into a temporary folder, corrupts one of its
files (truncation at a random byte, bit flips, invalid UTF-8, a deleted or renamed column/key, a wrongly
typed value, a duplicated row, an empty file, a 1 MB field) and ingests it into an in-memory store that
already holds the valid snapshot. Outcomes: a clean ingest whose recorded triple count is the graph's and
the mapping's count for that input (the store then differs by that graph and its record only), or one
:class:`PtmkgError` line naming the file and the store's quads unchanged. Any other exception fails.

``PTMKG_FUZZ=slow`` runs ten times as many cases.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptmkg import KG
from ptmkg.errors import InputError, PtmkgError
from ptmkg.ingest import get_ingestor
from tests import fuzz_inputs as fi

pytestmark = pytest.mark.filterwarnings("ignore::ptmkg.releases.ShortInputWarning")  # the inputs are samples
SLOW = os.environ.get("PTMKG_FUZZ") == "slow"
# Cases per input in the default run (x10 with PTMKG_FUZZ=slow); hf-carbon and hf have two inputs each.
EXAMPLES = {name: 90 for name in fi.BUILDERS}
OPS = ["truncate", "flip", "bad_utf8", "empty", "dup_row", "drop_col", "rename_col", "wrong_type", "huge"]
WRONG_CSV = ["x", "-1", "1e309", "NaN", " ", "[]", '{"a":', "2023-13-45", "\u00e9\u6f22", "0x10", "1,5"]
WRONG_JSON: list[object] = ["x", -1, 1.5, None, [], {}, True, [1, [2]], {"a": None}]
HUGE = "A" * 1_000_000
OUTCOMES: Counter[tuple[str, str]] = Counter()


def _quads(kg: KG) -> set:
    return set(kg.oxigraph)


_BASE: dict[str, tuple[KG, set]] = {}


def _baseline(name: str, case: fi.Case) -> tuple[KG, set]:
    """An in-memory store holding the valid snapshot of ``case`` (one per input, reused across cases)."""
    if name not in _BASE:
        kg = KG.memory()
        with tempfile.TemporaryDirectory() as tmp:
            kg.ingest(case.source, fi.write_case(case, Path(tmp)), **dict(case.options))
        _BASE[name] = (kg, _quads(kg))
    return _BASE[name]


# -- corruptions -----------------------------------------------------------------------------------------

def _csv(data: bytes, draw: st.DrawFn, op: str) -> bytes | None:
    try:
        frame = fi.csv_frame(data)
    except pl.exceptions.PolarsError:
        return None
    if frame.width == 0:
        return None
    col = draw(st.sampled_from(frame.columns))
    row = draw(st.integers(0, max(frame.height - 1, 0)))
    if op == "drop_col":
        frame = frame.drop(col)
    elif op == "rename_col":
        frame = frame.rename({col: col + "_renamed"})
    elif op == "dup_row" and frame.height:
        frame = pl.concat([frame.slice(0, row + 1), frame.slice(row, None)])
    elif op in ("wrong_type", "huge") and frame.height:
        value = HUGE if op == "huge" else draw(st.sampled_from(WRONG_CSV))
        frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value))
                                   .otherwise(pl.col(col)).alias(col))
    else:
        return None
    return frame.write_csv().encode()


def _records(data: object) -> list[dict]:
    """The JSON objects whose keys the source reads: list items, or the values of an object of records."""
    items = data if isinstance(data, list) else list(data.values()) if isinstance(data, dict) else []
    return [r for r in items if isinstance(r, dict)]


def _edit_json(data: object, draw: st.DrawFn, op: str) -> object | None:
    records = _records(data)
    if op == "dup_row" and isinstance(data, list) and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i + 1] + data[i:]
    if not records:
        if isinstance(data, dict) and data and op in ("drop_col", "wrong_type", "huge"):
            key = draw(st.sampled_from(sorted(data)))  # an object of plain values (download counts)
            if op == "drop_col":
                return {k: v for k, v in data.items() if k != key}
            return {**data, key: HUGE if op == "huge" else draw(st.sampled_from(WRONG_JSON))}
        return None
    keys = sorted({k for r in records for k in r})
    if not keys:
        return None
    key = draw(st.sampled_from(keys))
    target = draw(st.sampled_from(records))
    if op == "drop_col":
        for r in records:
            r.pop(key, None)
    elif op == "rename_col":
        for r in records:
            if key in r:
                r[key + "_renamed"] = r.pop(key)
    elif op == "wrong_type":
        target[key] = draw(st.sampled_from(WRONG_JSON))
    elif op == "huge":
        target[key] = HUGE
    else:
        return None
    return data


def _json(data: bytes, draw: st.DrawFn, op: str) -> bytes | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    edited = _edit_json(parsed, draw, op)
    return None if edited is None else json.dumps(edited).encode()


def _jsonl(data: bytes, draw: st.DrawFn, op: str) -> bytes | None:
    lines = data.decode().splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    if op == "dup_row":
        lines.insert(i, lines[i])
    else:
        edited = _edit_json(json.loads(lines[i]), draw, op) if op != "drop_col" else None
        if op == "drop_col":  # a key deleted from every record
            records = [json.loads(line) for line in lines]
            keys = sorted({k for r in records for k in r})
            key = draw(st.sampled_from(keys))
            lines = [json.dumps({k: v for k, v in r.items() if k != key}) for r in records]
        elif edited is None:
            return None
        else:
            lines[i] = json.dumps(edited)
    return ("\n".join(lines) + "\n").encode()


def _sqlite(data: bytes, draw: st.DrawFn, op: str) -> bytes | None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "x.db"
        db.write_bytes(data)
        con = sqlite3.connect(db)
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            table = draw(st.sampled_from(tables))
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            col = draw(st.sampled_from(cols))
            rowids = [r[0] for r in con.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')]
            rowid = draw(st.sampled_from(rowids)) if rowids else None
            if op == "drop_col":
                con.execute(f'ALTER TABLE "{table}" DROP COLUMN "{col}"')
            elif op == "rename_col":
                con.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{col}" TO "{col}_renamed"')
            elif op == "dup_row" and rowid is not None:
                con.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}" WHERE rowid = ?', (rowid,))
            elif op in ("wrong_type", "huge") and rowid is not None:
                value = HUGE if op == "huge" else draw(st.sampled_from(WRONG_CSV + [-1, 2.5]))
                con.execute(f'UPDATE "{table}" SET "{col}" = ? WHERE rowid = ?', (value, rowid))
            else:
                return None
            con.commit()
        except sqlite3.Error:  # a constraint (primary key, unique, NOT NULL) refuses the edit
            return None
        finally:
            con.close()
        return db.read_bytes()


STRUCTURED = {".csv": _csv, ".json": _json, ".jsonl": _jsonl, ".db": _sqlite}


@st.composite
def corruption(draw: st.DrawFn, files: fi.Files) -> tuple[str, str, fi.Files]:
    """(file, operation, corrupted files): one file of ``files`` corrupted by one operation."""
    name = draw(st.sampled_from(sorted(files)))
    op = draw(st.sampled_from(OPS))
    data = files[name]
    out: bytes | None
    if op == "truncate":
        out = data[:draw(st.integers(0, len(data) - 1))]
    elif op == "flip":
        buf = bytearray(data)
        for _ in range(draw(st.integers(1, 3))):
            buf[draw(st.integers(0, len(buf) - 1))] ^= 1 << draw(st.integers(0, 7))
        out = bytes(buf)
    elif op == "bad_utf8":
        at = draw(st.integers(0, len(data)))
        out = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xe2\x82"])) + data[at:]
    elif op == "empty":
        out = b""
    else:
        out = STRUCTURED[Path(name).suffix](data, draw, op)
        if out is None:  # the operation does not apply to this file: truncate it instead
            op, out = "truncate", data[:draw(st.integers(0, len(data) - 1))]
    return name, op, {**files, name: out}


# -- the property ----------------------------------------------------------------------------------------

def _check(name: str, case: fi.Case, file: str, op: str, files: fi.Files) -> None:
    kg, before = _baseline(name, case)
    snapshots = kg.snapshots().height
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = fi.write_case(case, Path(tmp), files)
        try:
            result = kg.ingest(case.source, path, **dict(case.options))
        except PtmkgError as e:
            message = str(e)
            assert "\n" not in message, message
            assert tmp in message or any(f in message for f in files), message
            assert _quads(kg) == before, f"{op} on {file}: the store changed after: {message}"
            located = isinstance(e, InputError) and (e.row is not None or e.field is not None)
            OUTCOMES[(name, "error, row/field named" if located else "error, file named")] += 1
            return
        if not result.loaded:  # the same content as the valid input
            assert _quads(kg) == before
            OUTCOMES[(name, "unchanged content")] += 1
            return
        ingestor = get_ingestor(case.source)
        expected = ingestor.map(ingestor.read(path, **dict(case.options))).write_ntriples(Path(tmp) / "check.nt")
    snaps = kg.snapshots()
    assert snaps.height == snapshots + 1
    recorded = int(snaps.filter(graph=result.graph)["triples"][0])
    assert recorded == kg.graph_size(result.graph) == result.triples == expected, (op, file)
    kg.remove_snapshot(result.graph)
    assert _quads(kg) == before
    OUTCOMES[(name, "loaded")] += 1


@pytest.mark.parametrize("name", list(fi.BUILDERS))
def test_corrupted_input_loads_whole_or_fails_in_one_line(name: str) -> None:
    case = fi.case(name)
    if case is None:
        pytest.skip(f"the shared files for {name} are absent")

    @settings(max_examples=EXAMPLES[name] * (10 if SLOW else 1), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(corruption(case.files))
    def run(corrupted: tuple[str, str, fi.Files]) -> None:
        file, op, files = corrupted
        _check(name, case, file, op, files)

    run()


def test_report_counts() -> None:
    """The outcome counts (``pytest -s`` prints them); the default run covers at least 1,000 cases."""
    rows = [(n, outcome, c) for (n, outcome), c in sorted(OUTCOMES.items())]
    for row in rows:
        print(*row, sep="\t")
    total = sum(OUTCOMES.values())
    print("total", total, sep="\t")
    if len({n for n, _ in OUTCOMES}) == len(fi.BUILDERS):
        assert total >= 1000
