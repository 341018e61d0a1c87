"""``ptmkg claims``: run literature claims (table, Markdown, JSON, HTML) and diff verdicts between snapshots."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ptmkg.errors import PtmkgError

if TYPE_CHECKING:  # the engine, polars and altair load when a claims command runs, not for 'ptmkg --help'
    import polars as pl

    from ptmkg.claims.runner import ClaimOutcome, ClaimsRunner

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(sub: argparse._SubParsersAction, command: Command) -> None:
    """Add ``ptmkg claims`` to the main parser."""
    p = command("claims", cmd_claims, "test literature claims against the graph ('diff A B' compares snapshots)")
    p.add_argument("action", nargs="?", choices=["run", "diff", "list"], default="run",
                   help="run (default), diff SNAPSHOT_A SNAPSHOT_B, or list the claims")
    p.add_argument("snapshots", nargs="*", metavar="SNAPSHOT",
                   help="with diff: two snapshots (graph IRI, source@version, source, or hash prefix)")
    p.add_argument("--claim", action="append", default=[], metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--snapshot", action="append", default=[], metavar="SNAPSHOT",
                   help="run over these snapshots only (default: the latest of each source)")
    p.add_argument("--format", choices=["table", "md", "json", "html"], default="table",
                   help="table: each claim with its parts and full reasons; json: claims with their parts")
    p.add_argument("--parts", action="store_true", help="with --format md: one row per part (estimate, published "
                   "number, test, full reason) instead of one per claim")
    p.add_argument("--out", type=Path, help="write the report to this file")
    p.add_argument("--no-record", action="store_true", help="do not store the verdicts in the graph")
    p.add_argument("--read-only", action="store_true", help="open the store read-only (implies --no-record)")
    p.add_argument("--store-url", metavar="URL", help="test the claims on the graph of this SPARQL query endpoint "
                   "(implies --no-record)")


def cmd_claims(args: argparse.Namespace) -> int:
    import polars as pl

    from ptmkg.claims.definitions import load_definitions
    from ptmkg.cli import open_kg

    if args.action == "list":
        defs = load_definitions().values()
        _emit(args, _table(pl.DataFrame({"id": [d.id for d in defs], "version": [d.version for d in defs],
                                         "keywords": [", ".join(d.keywords) for d in defs],
                                         "wording": [d.wording for d in defs]})))
        return 0
    remote = bool(args.store_url)
    kg = open_kg(args, read_only=args.read_only or remote)
    if args.action == "diff":
        if len(args.snapshots) != 2:
            raise PtmkgError("'ptmkg claims diff' takes two snapshots, e.g. hf-carbon@2023 hf-carbon@2026")
        _emit(args, _table(diff(kg.claims, args.snapshots[0], args.snapshots[1], args.claim or None)))
        return 0
    if args.snapshots:
        raise PtmkgError("snapshots go after 'diff'; to restrict a run use --snapshot")
    outcomes = kg.claims.outcomes(args.claim or None, args.snapshot or None)
    if not (args.no_record or args.read_only or remote):
        from ptmkg.claims.record import record_run

        graph = record_run(kg, outcomes)
        print(f"verdicts recorded in {graph}", file=sys.stderr)
    _emit(args, _render(outcomes, args.format, parts=args.parts))
    return 0


def _render(outcomes: list[ClaimOutcome], fmt: str, *, parts: bool = False) -> str:
    import shutil

    from ptmkg.claims import report

    if fmt == "md":
        return report.parts_markdown(outcomes) if parts else report.markdown(outcomes)
    if fmt == "json":
        return report.to_json(outcomes)
    if fmt == "html":
        return report.html_report(outcomes)
    width = max(60, shutil.get_terminal_size().columns) if sys.stdout.isatty() else 120
    return report.text_report(outcomes, width=width)


def _table(frame: pl.DataFrame) -> str:
    import polars as pl

    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=90, tbl_width_chars=200, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True, tbl_formatting="ASCII_MARKDOWN", float_precision=4):
        return str(frame) + "\n"


def _emit(args: argparse.Namespace, text: str) -> None:
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def diff(runner: ClaimsRunner, a: str, b: str, ids: list[str] | None = None) -> pl.DataFrame:
    """Parts whose verdict or estimate differs between two snapshots, one row per part (unmeasured on both: left
    out), each with its statistic and the published number its estimates are compared with."""
    import polars as pl

    from ptmkg.claims.runner import parts_frame, resolve_snapshots

    sa, sb = resolve_snapshots(runner.store, [a]), resolve_snapshots(runner.store, [b])
    keys, cols = ["id", "part", "statistic", "published"], ["verdict", "n", "estimate"]
    left, right = (parts_frame(runner.outcomes(ids, [s[0].graph])).select(*keys, *cols) for s in (sa, sb))
    joined = left.join(right.drop("statistic", "published"), on=["id", "part"], suffix="_b").rename(
        {c: f"{c}_a" for c in cols})
    changed = (pl.col("verdict_a") != pl.col("verdict_b")) | (
        pl.col("estimate_a").fill_null(float("nan")) != pl.col("estimate_b").fill_null(float("nan")))
    nothing = pl.col("estimate_a").is_null() & pl.col("estimate_b").is_null()
    return (joined.filter(changed & ~nothing)
            .with_columns((pl.col("estimate_b") - pl.col("estimate_a")).alias("delta"))
            .select("id", "part", "verdict_a", "verdict_b", "statistic", "n_a", "n_b", "estimate_a", "estimate_b",
                    "delta", "published"))
