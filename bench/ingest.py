"""Ingest benchmark: ptmkg end to end vs pyoxigraph's bulk loader (the limit) vs rdflib parsing.

The limit and rdflib read the same N-Quads that ptmkg produced (the snapshot's named graph plus
its catalog record), so all three build the same quads.

    python bench/ingest.py                       # ../shared/data/hf-lineage + synthetic 100k
    python bench/ingest.py --sizes 100000 1000000

Each measurement runs in its own process so that peak memory (max RSS) is its own.
Prints a markdown table: dataset, step, triples, seconds, triples/s, peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(step: str, src: str, work: str) -> dict:
    """One measurement in this process."""
    work_dir = Path(work)
    if step == "ptmkg":
        from ptmkg import KG

        kg = KG(work_dir / "store")
        t0 = time.perf_counter()
        result = kg.ingest("hf", src)
        seconds = time.perf_counter() - t0
        kg.export(work_dir / "snapshot.nq", "nquads")
        return {"triples": result.triples, "seconds": seconds, "peak_mb": _peak_mb()}
    if step == "bulk_load":
        import pyoxigraph as ox

        store = ox.Store(str(work_dir / "bulk"))
        t0 = time.perf_counter()
        store.bulk_load(path=src, format=ox.RdfFormat.N_QUADS)
        seconds = time.perf_counter() - t0
        return {"triples": len(store), "seconds": seconds, "peak_mb": _peak_mb()}
    if step == "rdflib":
        import rdflib

        g = rdflib.Dataset()
        t0 = time.perf_counter()
        g.parse(src, format="nquads")
        seconds = time.perf_counter() - t0
        return {"triples": sum(len(c) for c in g.contexts()), "seconds": seconds, "peak_mb": _peak_mb()}
    raise ValueError(step)


def measure(step: str, src: Path, work: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", step, str(src), str(work)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(name: str, src: Path, rdflib_max: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="ptmkg-bench-") as tmp:
        work = Path(tmp)
        rows = [{"dataset": name, "step": "ptmkg end to end", **measure("ptmkg", src, work)}]
        nt = work / "snapshot.nq"
        rows.append({"dataset": name, "step": "pyoxigraph bulk_load (limit)", **measure("bulk_load", nt, work)})
        if rows[0]["triples"] <= rdflib_max:
            rows.append({"dataset": name, "step": "rdflib parse", **measure("rdflib", nt, work)})
        return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "hf-lineage")
    ap.add_argument("--rdflib-max", type=int, default=5_000_000, help="skip rdflib above this many triples")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    from synthetic_hub import write

    rows = []
    if args.shared.exists():
        rows += bench("hf-lineage (24 family trees)", args.shared, args.rdflib_max)
    else:
        print(f"({args.shared} absent: skipping the real data)", file=sys.stderr)
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="ptmkg-syn-") as tmp:
            src = write(n, Path(tmp) / f"synthetic-{n}_20261122_000000.jsonl")
            rows += bench(f"synthetic {n:,} models", src, args.rdflib_max)
    limits = {r["dataset"]: r["triples"] / r["seconds"] for r in rows if r["step"].startswith("pyoxigraph")}
    print("| dataset | step | triples | seconds | triples/s | vs bulk_load | peak memory |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        rate = r["triples"] / r["seconds"]
        print(f"| {r['dataset']} | {r['step']} | {r['triples']:,} | {r['seconds']:.1f} | {rate:,.0f} | "
              f"{rate / limits[r['dataset']]:.2f}× | {r['peak_mb']:,.0f} MB |")


if __name__ == "__main__":
    main()
