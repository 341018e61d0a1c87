"""The catalogue on Oxigraph (ptmkg's engine) against rdflib, on one store: time per query and the ratio.

    python bench/rdflib_compare.py --store /work/stores/shared            # every catalogue query
    python bench/rdflib_compare.py --store DIR --timeout 60 --budget 600 --only models-per-licence

Oxigraph: every query twice in a worker with the store open read-only (``bench/queries.py``; the warm run
is reported). rdflib: the store is exported as N-Quads (``KG.export``) and parsed into an rdflib
``Dataset`` whose default graph is the union of the snapshots (``default_union=True``, as ptmkg queries
it); each query then runs once, with ptmkg's prefixes and its parameters bound the same way, and its
result is made a polars frame. Every rdflib query runs in a forked child of the process holding the
parsed data; a query over ``--timeout`` seconds is killed and reported as a lower bound on the ratio.
The rdflib part (parse and queries) stops after ``--budget`` seconds; queries not reached by then are
reported. Queries run fastest-on-Oxigraph first, so the budget covers as many as it can. A query rdflib
cannot parse (``LATERAL``, SEP-0006) is reported as such. Rows are compared: rdflib's union default
graph holds each triple once, Oxigraph's once per snapshot, so a count that depends on multiplicity can
differ.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import queries as oxbench  # noqa: E402  (bench/queries.py)


def rdflib_dataset(store: Path, folder: Path):
    """The store's quads in an rdflib Dataset with the union of its graphs as default graph, and the
    seconds the export and the parse took."""
    import rdflib

    from ptmkg import KG

    dump = folder / "store.nq"
    t0 = time.perf_counter()
    KG(store, read_only=True).export(dump, "nquads")
    t1 = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(dump, format="nquads")
    dump.unlink()
    return ds, t1 - t0, time.perf_counter() - t1


def _frame(result) -> int:
    """Rows of an rdflib result, made a polars frame as ptmkg returns SELECT results (triples of a
    CONSTRUCT/DESCRIBE, 1 for ASK)."""
    import polars as pl

    if result.type == "ASK":
        return 1
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return len(result.graph)
    names = [str(v) for v in result.vars]
    rows = list(result)
    frame = pl.DataFrame({n: [None if r[i] is None else r[i].toPython() for r in rows] for i, n in enumerate(names)},
                         strict=False)
    return frame.height


def _child(ds, sparql: str, conn) -> None:
    """Run one query on ``ds`` and send (seconds, CPU seconds, rows) or ("error", message) through ``conn``."""
    from ptmkg.namespaces import PREFIXES

    try:
        t0, c0 = time.perf_counter(), time.process_time()
        rows = _frame(ds.query(sparql, initNs=PREFIXES))
        conn.send((time.perf_counter() - t0, time.process_time() - c0, rows))
    except Exception as e:  # noqa: BLE001  (any failure of rdflib is the result being measured)
        conn.send(("error", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:120]))


def run_rdflib(ds, texts: dict[str, str], timeout: float, deadline: float) -> dict[str, dict]:
    """Every query of ``texts`` (name → bound SPARQL, in order) on ``ds``, each in a forked child."""
    ctx = mp.get_context("fork")
    gc.freeze()  # the parsed data stays shared with the children instead of being copied by their GC
    out: dict[str, dict] = {}
    for name, sparql in texts.items():
        left = deadline - time.perf_counter()
        if left <= 1:
            out[name] = {"status": "not reached"}
            continue
        here, there = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(ds, sparql, there))
        proc.start()
        limit = min(timeout, left)
        if here.poll(limit):
            msg = here.recv()
            out[name] = ({"status": "error", "error": msg[1]} if msg[0] == "error"
                         else {"status": "ok", "seconds": msg[0], "cpu": msg[1], "rows": msg[2]})
        else:
            proc.kill()
            out[name] = {"status": "timeout" if limit == timeout else "budget", "seconds": limit}
        proc.join()
        print(f"rdflib {name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def table(ox: dict[str, dict], rd: dict[str, dict], title: str) -> str:
    """Both engines' times per query and the ratio rdflib / Oxigraph (wall clock; CPU in brackets) as a
    markdown table. A timeout gives a lower bound on the ratio; a query cut off by the budget gives none."""
    lines = [f"**{title}**", "", "| query | rows (Oxigraph) | Oxigraph warm s (CPU) | rows (rdflib) | rdflib s (CPU) "
             "| ratio (CPU) |", "|---|---:|---:|---:|---:|---:|"]
    ratios = []
    for name, r in rd.items():
        o = ox[name]
        ox_s, ox_c = (o["times"][-1], o["cpu"][-1]) if o["times"] else (None, None)
        ox_cell = "timeout" if ox_s is None else f"{ox_s:.3f} ({ox_c:.3f})"
        ox_rows = "–" if o["rows"] is None else f"{o['rows']:,}"
        if r["status"] == "ok" and ox_s:
            ratio, cpu_ratio = r["seconds"] / ox_s, r["cpu"] / max(ox_c, 1e-3)
            ratios.append(ratio)
            rd_cells = f"{r['rows']:,} | {r['seconds']:.3f} ({r['cpu']:.3f}) | {ratio:,.0f}× ({cpu_ratio:,.0f}×)"
        elif r["status"] == "ok":
            rd_cells = f"{r['rows']:,} | {r['seconds']:.3f} ({r['cpu']:.3f}) | –"
        elif r["status"] == "timeout":
            bound = r["seconds"] / ox_s if ox_s else None
            if bound is not None:
                ratios.append(bound)
            rd_cells = f"– | > {r['seconds']:.0f} (timeout) | " + ("–" if bound is None else f"> {bound:,.0f}×")
        elif r["status"] == "budget":
            rd_cells = f"– | cut off by the budget after {r['seconds']:.0f} s | –"
        elif r["status"] == "error":
            rd_cells = f"– | {r['error'].replace('|', '/')} | –"
        else:
            rd_cells = "– | not reached | –"
        lines.append(f"| {name} | {ox_rows} | {ox_cell} | {rd_cells} |")
    if ratios:
        ratios.sort()
        lines += ["", f"Wall-clock ratio over the {len(ratios)} queries rdflib ran or timed out on (a timeout as its "
                      f"lower bound): min {ratios[0]:,.0f}×, median {ratios[len(ratios) // 2]:,.0f}×, "
                      f"{sum(1 for x in ratios if x >= 30)} at 30× or more."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True, help="an existing ptmkg store (opened read-only)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="these queries only")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per rdflib query before it is killed")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for the whole rdflib part")
    ap.add_argument("--ox-timeout", type=float, default=120.0, help="seconds per Oxigraph query")
    a = ap.parse_args()

    from ptmkg.queries import catalogue
    from ptmkg.sparql_guard import service_targets
    from ptmkg.store import bind

    names = a.only or [q.name for q in catalogue() if not service_targets(q.sparql)]
    ox = {r["name"]: r for r in oxbench.run(a.store, names, 2, a.ox_timeout, {})}
    order = sorted(names, key=lambda n: ox[n]["times"][-1] if ox[n]["times"] else float("inf"))
    texts = {}
    for name in order:
        q = catalogue().get(name)
        texts[name] = bind(q.sparql, {p: q.defaults[p] for p in q.parameters})
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ds, export_s, parse_s = rdflib_dataset(a.store, Path(tmp))
    print(f"export {export_s:.1f} s, rdflib parse {parse_s:.1f} s ({len(ds):,} quads)", file=sys.stderr, flush=True)
    rd = run_rdflib(ds, texts, a.timeout, start + a.budget)
    print(table(ox, rd, f"{a.store}: Oxigraph vs rdflib (rdflib: export {export_s:.0f} s + parse {parse_s:.0f} s; "
                         f"per query {a.timeout:.0f} s, all within {a.budget:.0f} s)"))


if __name__ == "__main__":
    main()
