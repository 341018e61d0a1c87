"""The ``ptmkg`` command line."""

from __future__ import annotations

import argparse
import functools
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING, NoReturn

from ptmkg import __version__
from ptmkg.errors import PtmkgError, QueryTimeout, ResultTooLarge
from ptmkg.resources import default_store_path

if TYPE_CHECKING:  # imported where used, so that --help and --version start at once
    import polars as pl

    from ptmkg.kg import KG

SHOWCASE = ["models-per-licence", "serialisation-formats", "reported-emissions"]


def print_frame(frame: pl.DataFrame | bool, fmt: str = "table", rows: int = 25, width: int = 60) -> None:
    """Print a result as a table, CSV or JSON (ASK results print true/false)."""
    import polars as pl

    if isinstance(frame, bool):
        print("true" if frame else "false")
    elif fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        more = frame.height - rows
        frame = frame.head(rows) if more > 0 else frame
        with pl.Config(tbl_rows=rows, tbl_cols=-1, fmt_str_lengths=width, tbl_hide_dataframe_shape=True, tbl_width_chars=400,
                       tbl_hide_column_data_types=True, tbl_formatting="ASCII_MARKDOWN"):
            print(frame)
        if more > 0:
            print(f"({more:,} more rows; --rows N shows more, --format csv shows all)")


def open_kg(args: argparse.Namespace, read_only: bool = False) -> KG:
    """The graph a command works on: ``--store DIR`` (default store), or a SPARQL server's ``--store-url``."""
    from ptmkg.kg import KG

    url = getattr(args, "store_url", None)
    if url:
        if not read_only:
            raise PtmkgError("--store-url reads a graph on a SPARQL server; this command writes to a store")
        if args.store:
            raise PtmkgError("give --store or --store-url, not both")
        return KG.remote(url)
    return KG(args.store, read_only=read_only)


def _params(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise PtmkgError(f"--param takes NAME=VALUE, got '{pair}'")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return out


def _date(text: str) -> str:
    """An argparse type: a calendar date written YYYY-MM-DD."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD")


def _positive(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number of seconds")
    return value


def _rows(text: str) -> int:
    """An argparse type: a number of rows (0 or more)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of rows (0 or more)")
    return int(text)


def summary(kg: KG) -> pl.DataFrame:
    """What the graph holds: counts per kind of thing."""
    return kg.query("""
        SELECT ?kind (COUNT(DISTINCT ?x) AS ?count) WHERE {
          VALUES (?class ?kind) { (ptmkg:Model "models") (ptmkg:Paper "papers") (ptmkg:Repository "repositories")
            (ptmkg:Dataset "datasets") (ptmkg:TrainingRun "training runs") (ptmkg:Quantity "quantities")
            (ptmkg:ModelFile "model files") (ptmkg:Agent "agents") }
          ?x a ?class .
        } GROUP BY ?kind ORDER BY DESC(?count)""")


def cmd_build(args: argparse.Namespace) -> int:
    kg = open_kg(args)
    for source in ("starter", "starter-carbon", "queries"):
        result = kg.ingest(source)
        state = "loaded" if result.loaded else "already loaded"
        print(f"{source} snapshot {state}: {result.triples:,} triples in {result.seconds:.1f} s")
    print(f"store: {kg.path}\n")
    print_frame(summary(kg))
    for name in SHOWCASE:
        print(f"\n## {name}")
        print_frame(kg.run(name).head(8))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from ptmkg.ingest import ingest_all

    kg = open_kg(args)

    def report(r) -> None:
        state = "loaded" if r.loaded else "unchanged (same content already loaded)"
        rate = f", {r.triples / r.seconds:,.0f} triples/s" if r.loaded and r.seconds else ""
        print(f"{r.source}: {state}: {r.triples:,} triples in {r.seconds:.1f} s{rate} -> {r.graph}")

    if args.source == "all":
        if not args.path:
            raise PtmkgError("'ptmkg ingest all' needs a folder, e.g. ../shared/data")
        ingest_all(kg, args.path, on_result=report)
        return 0
    options: dict[str, object] = {}
    if args.retrieved:
        options["retrieved"] = args.retrieved
    if args.live:
        options["live"] = True
        if args.limit:
            options["limit"] = args.limit
        if args.search:
            options["search"] = args.search
        if args.author:
            options["author"] = args.author
    elif not args.path:
        raise PtmkgError(f"'ptmkg ingest {args.source}' needs a PATH (or --live where the source has one)")
    report(kg.ingest(args.source, args.path, force=args.force, **options))
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    import polars as pl

    from ptmkg.ingest import INGESTORS

    print_frame(pl.DataFrame({"source": list(INGESTORS), "reads": [i.description for i in INGESTORS.values()],
                              "shared folders": [", ".join(i.shared_dirs) for i in INGESTORS.values()]}),
                rows=100, width=200)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from ptmkg.queries import catalogue, parse_query_text

    if args.execute is not None and args.name:
        raise PtmkgError("give a query NAME or FILE, or -e 'SPARQL', not both")
    if args.list or not (args.name or args.execute is not None):
        print_frame(catalogue().frame(), args.format, rows=200)
        return 0
    if args.execute is not None or args.name == "-":
        text = args.execute if args.execute is not None else sys.stdin.read()
        if not text.strip():
            raise PtmkgError("the query text is empty")
        query = parse_query_text(text)
    else:
        query = catalogue().get(args.name)
    if args.show:
        print(query.sparql)
        return 0
    kg = open_kg(args, read_only=True)
    kg.allow_service = tuple(args.allow_service)
    if args.store_url:
        if args.max_rows is not None:
            raise PtmkgError("--max-rows caps a query on a local store; on a server, add a LIMIT")
        if args.timeout is not None:
            kg.timeout_s = args.timeout
    elif args.timeout is not None or args.max_rows is not None:  # what the query's run() calls gets the limits
        kg.query = functools.partial(kg.query, timeout=args.timeout, max_rows=args.max_rows)
    try:
        result = query.run(kg, **_params(args.param))
    except QueryTimeout as e:
        raise QueryTimeout(e.seconds, knob="--timeout") from None
    except ResultTooLarge as e:
        raise ResultTooLarge(e.max_rows, knob="--max-rows ") from None
    print_frame(result, args.format, rows=args.rows)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    import polars as pl

    kg = open_kg(args, read_only=True)
    snaps = kg.snapshots()
    hidden = kg.unfinished() if kg.path else []
    if hidden:
        quads = sum(kg.graph_size(g.value) for g in hidden)
        print(f"note: {len(hidden)} unfinished graph(s) ({quads:,} quads) of a load or removal that was stopped are "
              "not shown and not queried; the next command that writes to the store removes them")
    if snaps.is_empty():
        print(f"store {kg.path} is empty; run 'ptmkg build' or 'ptmkg ingest'")
        return 0
    print(f"store: {kg.path}  ({len(kg) - sum(kg.graph_size(g.value) for g in hidden):,} quads)\n")
    if args.format == "table":
        snaps = snaps.with_columns(pl.col("hash").str.slice(0, 19), pl.col("graph").str.replace(r"^.*/graph/", "graph/"))
    print_frame(snaps.select("source", "version", "retrieved", "triples", "hash", "graph"), args.format,
                rows=200, width=200)
    print()
    print_frame(summary(kg), args.format)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ptmkg.ontology import validate_store

    kg = open_kg(args, read_only=True)
    report = validate_store(kg, args.snapshot)
    for v in report.violations:
        print(f"{v.severity}\t{v.focus_node}\t{v.path}\t{v.message}")
    severities = [v.severity for v in report.violations]
    errors, warnings = severities.count("Violation"), len(severities) - severities.count("Violation")
    print(f"{'conforms' if report.conforms else 'does not conform'}: {errors} violation(s), {warnings} warning(s)")
    return 0 if report.conforms else 1


def cmd_optimize(args: argparse.Namespace) -> int:
    import gc

    from ptmkg.kg import KG
    from ptmkg.store import store_bytes

    before = store_bytes(Path(args.store or default_store_path()))
    t0 = time.perf_counter()
    kg = open_kg(args)  # a writable open deletes a killed load's files and unfinished graphs
    path = kg.path
    kg.optimize()
    del kg
    gc.collect()
    kg = KG(path)  # reopened, RocksDB deletes the write-ahead log a large removal left for reuse
    print(f"store {path} optimized in {time.perf_counter() - t0:.1f} s: {kg.disk_bytes() / 1e6:,.1f} MB "
          f"(was {before / 1e6:,.1f} MB)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    kg = open_kg(args, read_only=True)
    out = args.out or sys.stdout.buffer
    kg.export(out, args.format, snapshot=args.snapshot)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from ptmkg.backup import backup

    r = backup(Path(args.store or default_store_path()), args.folder)
    print(f"backed up {r.quads:,} quads ({r.snapshots} snapshots) to {r.path}"
          + (" (copied: another process holds the store)" if r.copied else ""))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ptmkg.backup import restore

    r = restore(args.folder, Path(args.store or default_store_path()), replace=args.replace)
    print(f"restored {r.quads:,} quads ({r.snapshots} snapshots) into {r.path}"
          + (f"; the previous store is kept in {r.kept}" if r.kept else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ptmkg.endpoint.server import Settings, serve

    return serve(Settings(Path(args.store or default_store_path()), args.host, args.port, args.cors, args.timeout,
                          args.max_result_mb, tuple(args.allow_service), args.workers, args.cache_mb))


class Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in one line that says where the usage is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} ('{self.prog} --help' shows the usage)\n")


def _store_url(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store-url", metavar="URL", help="read the graph from this SPARQL query endpoint "
                   "instead of a local store (a server holding ptmkg snapshots)")


def cmd_publish(args: argparse.Namespace) -> int:
    from ptmkg.remote import publish

    graphs = publish(open_kg(args, read_only=True), args.to, args.snapshot)
    print(f"published {len(graphs)} snapshot(s) to {args.to}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (every command takes --store)."""
    parser = Parser(prog="ptmkg", description="A reproducibility knowledge graph of pre-trained models.")
    parser.add_argument("--version", action="version", version=f"ptmkg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--store", type=Path, default=None,
                       help=f"store directory (default: $PTMKG_STORE or {default_store_path()})")
        p.set_defaults(func=func)
        return p

    command("build", cmd_build, "load the starter snapshot and show what the graph holds")

    p = command("ingest", cmd_ingest, "ingest a source snapshot (or 'all' sources found under a folder)")
    p.add_argument("source", help="source name (see 'ptmkg sources') or 'all'")
    p.add_argument("path", nargs="?", help="input file or folder")
    p.add_argument("--live", action="store_true", help="harvest from the live service instead of a file")
    p.add_argument("--limit", type=int, help="with --live: at most this many records")
    p.add_argument("--search", help="with --live: search term")
    p.add_argument("--author", help="with --live: only this author/organisation")
    p.add_argument("--retrieved", metavar="YYYY-MM-DD", type=_date, help="when the input was retrieved upstream "
                   "(for files whose name carries no date)")
    p.add_argument("--force", action="store_true", help="reload even if the same content is loaded")

    command("sources", cmd_sources, "list the sources 'ptmkg ingest' knows")

    p = command("query", cmd_query, "run a canned query by name, any SPARQL file, or SPARQL text")
    p.add_argument("name", nargs="?", help="canned query name, path to a SPARQL file (#+ header optional), "
                   "or - to read the query from standard input")
    p.add_argument("-e", "--execute", metavar="SPARQL", help="run this SPARQL text")
    p.add_argument("--allow-service", action="append", default=[], metavar="IRI",
                   help="let SERVICE call this endpoint (repeatable; none by default)")
    _store_url(p)
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="query parameter")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--rows", type=int, default=50, help="rows to show in table format")
    p.add_argument("--list", action="store_true", help="list the canned queries")
    p.add_argument("--show", action="store_true", help="print the query text instead of running it")
    p.add_argument("--timeout", type=_positive, metavar="SECONDS",
                   help="stop the query after this long (it runs in a process that is killed; default: no limit)")
    p.add_argument("--max-rows", type=_rows, metavar="N", help="stop when the result passes N rows (default: no cap)")

    p = command("info", cmd_info, "list the snapshots in the store with their triple counts")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _store_url(p)

    p = command("validate", cmd_validate, "check the store against the SHACL shapes (exit 1 on violations)")
    p.add_argument("--snapshot", help="only this snapshot graph IRI")

    command("optimize", cmd_optimize, "compact the store's indexes (faster queries after several ingests; "
            "'ingest all' does it)")

    p = command("export", cmd_export, "export the store or one snapshot")
    p.add_argument("--format", choices=["nquads", "trig", "turtle", "ntriples", "jsonld"], default="nquads")
    p.add_argument("--snapshot", help="only this snapshot graph IRI (needed for turtle/ntriples)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")

    p = command("publish", cmd_publish, "put snapshots and their PROV/VoID records on a SPARQL server "
                "(Graph Store HTTP Protocol)")
    p.add_argument("--to", required=True, metavar="URL", help="the server's graph store endpoint, e.g. "
                   "http://127.0.0.1:7878/store")
    p.add_argument("--snapshot", action="append", metavar="G", help="only this snapshot graph IRI (repeatable)")

    p = command("backup", cmd_backup, "back up the store into a new folder (works while a notebook holds it)")
    p.add_argument("folder", type=Path, help="the backup folder to create (must not exist)")

    p = command("restore", cmd_restore, "restore a backup folder as the store (the old store is kept, renamed)")
    p.add_argument("folder", type=Path, help="a folder written by 'ptmkg backup'")
    p.add_argument("--replace", action="store_true", help="restore over a non-empty store (kept aside, renamed)")

    p = command("serve", cmd_serve, "serve the store as a read-only SPARQL endpoint")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=7878)
    p.add_argument("--cors", action="store_true", help="allow cross-origin requests (off by default)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="stop a query after this long and answer 503 (default: 30)")
    p.add_argument("--max-result-mb", type=float, default=100.0, metavar="MB",
                   help="refuse (422) a result larger than this once serialised (default: 100)")
    p.add_argument("--allow-service", nargs="+", default=[], metavar="IRI",
                   help="endpoint IRIs that SERVICE may call (default: none; every SERVICE is refused)")
    p.add_argument("--workers", type=int, default=4, help="queries answered at once (default: 4)")
    p.add_argument("--cache-mb", type=float, default=64.0, metavar="MB",
                   help="keep answers for repeated queries, up to this much (default: 64; 0: no cache)")

    for extension in ("ptmkg.energy.cli", "ptmkg.claims.cli", "ptmkg.teaching.cli"):
        try:
            module = __import__(extension, fromlist=["register"])
        except ModuleNotFoundError as e:
            if e.name and extension.startswith(e.name):
                continue
            raise
        module.register(sub, command)
    return parser


_show_python_warning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Input warnings (:class:`ptmkg.releases.ShortInputWarning`) as one ``ptmkg: warning:`` line."""
    from ptmkg.releases import ShortInputWarning

    if issubclass(category, ShortInputWarning):
        print(f"ptmkg: warning: {message}", file=sys.stderr)
    else:
        _show_python_warning(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes print one line and exit 2."""
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        return args.func(args)
    except PtmkgError as e:
        print(f"ptmkg: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ptmkg: interrupted; the store is unchanged by the unfinished step", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:
        if e.filename is None:
            return _internal_error()
        print(f"ptmkg: error: {e.filename}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - a bug, not a user mistake: say so
        return _internal_error()


def _internal_error() -> int:
    traceback.print_exc()
    print(f"ptmkg: internal error: this is a bug in ptmkg {__version__}, not a mistake of yours; please report it "
          "with the traceback above and the command you ran", file=sys.stderr)
    return 70


if __name__ == "__main__":
    sys.exit(main())
