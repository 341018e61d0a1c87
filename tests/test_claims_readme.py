"""queries/claims/README.md's claims table is what `ptmkg claims --format md` prints on all the shared data."""

from __future__ import annotations

import re

from ptmkg import KG
from ptmkg.claims.cli import _render
from ptmkg.claims.definitions import CLAIMS_DIR, load_definitions
from ptmkg.ingest import ingest_all
from tests.conftest import SHARED_DATA, shared_path

TABLE = re.compile(r"<!-- claims-table:start -->\n(.*?)<!-- claims-table:end -->", re.S)


def readme_table() -> str:
    return TABLE.search((CLAIMS_DIR / "README.md").read_text(encoding="utf-8")).group(1)


def test_readme_lists_every_claim_once():
    rows = [line.split(" | ")[0].removeprefix("| ") for line in readme_table().splitlines()[2:]]
    assert rows == sorted(load_definitions())


def test_readme_table_matches_the_claims_run_on_all_shared_data():
    shared_path("data")
    kg = KG.memory()
    ingest_all(kg, SHARED_DATA)
    assert _render(kg.claims.outcomes(), "md") == readme_table()
