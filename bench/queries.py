"""Canned-query benchmark: every catalogue query (default parameters) on one store, warm, in process.

    python bench/queries.py --store /tmp/all-shared        # e.g. built by `ptmkg ingest all ../shared/data`
    python bench/queries.py --synthetic 100000             # a synthetic Hub of 100k models (bench/synthetic_hub.py)
    python bench/queries.py --store DIR --only family-lineage claims/POP-01 --timeout 60
    python bench/queries.py --synthetic 100000 --param family-lineage:root=org690/model-11657

Each query runs twice in a worker process that has the store open read-only; the table shows both runs
(the second is the warm one, the figure the targets are about), the warm run's CPU seconds (the wall time
less what waiting for a core on a loaded machine added) and the rows, sorted by the warm time, then the
totals; each query's line goes to stderr as it ends. A query over ``--timeout`` seconds is reported as such: the worker is killed and a new
one carries on with the next query. Federated exercises (SERVICE) are left out: their endpoints are not
part of a store. ``--synthetic N`` builds the store once into ``--cache`` (default
``$TMPDIR/ptmkg-synthetic-N``) and reuses it afterwards.
"""

from __future__ import annotations

import argparse
import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rows(result: object) -> int:
    """Rows of a SELECT frame, triples of a CONSTRUCT/DESCRIBE, 1 for ASK."""
    if isinstance(result, bool):
        return 1
    return result.height if hasattr(result, "height") else len(result)


def worker(store: str, names: list[str], repeat: int, params: dict[str, dict[str, str]]) -> None:
    """Run ``names`` on ``store`` (``params``: per query, its parameters), printing one JSON line when each
    query starts and when it ends (wall-clock and CPU seconds of each run)."""
    from ptmkg import KG
    from ptmkg.queries import catalogue

    kg = KG(store, read_only=True)
    for name in names:
        print(json.dumps({"start": name}), flush=True)
        times, cpu, rows = [], [], 0
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            rows = _rows(catalogue().get(name).run(kg, **params.get(name, {})))
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(json.dumps({"name": name, "times": times, "cpu": cpu, "rows": rows}), flush=True)


def _pump(stream, lines: queue.Queue[str]) -> None:
    """Every line of ``stream`` into ``lines``, then an empty string at its end."""
    for line in stream:
        lines.put(line)
    lines.put("")


def run(store: Path, names: list[str], repeat: int, timeout: float, params: dict[str, dict[str, str]]) -> list[dict]:
    """Every query of ``names`` on ``store``, each in a worker process; a query over ``timeout`` s is cut off."""
    results: list[dict] = []
    todo = list(names)
    while todo:
        proc = subprocess.Popen([sys.executable, __file__, "--worker", str(store), "--repeat", str(repeat),
                                 "--params-json", json.dumps(params), *todo],
                                stdout=subprocess.PIPE, text=True, bufsize=1)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        current, started = None, time.perf_counter()
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                if current is not None and time.perf_counter() - started > timeout:
                    proc.kill()
                    results.append({"name": current, "times": None, "cpu": None, "rows": None})
                    print(f"{current}: timeout after {timeout:.0f} s", file=sys.stderr, flush=True)
                    todo.remove(current)
                    break
                continue
            if not line:
                break
            msg = json.loads(line)
            if "start" in msg:
                current, started = msg["start"], time.perf_counter()
            else:
                results.append(msg)
                todo.remove(msg["name"])
                current = None
                print(f"{msg['name']}: {msg['rows']:,} rows, {' / '.join(f'{t:.3f}' for t in msg['times'])} s",
                      file=sys.stderr, flush=True)
        proc.wait()
        if proc.returncode not in (0, -9) and todo:
            raise SystemExit(f"worker failed (exit {proc.returncode}) while running {current or todo[0]}")
    return results


def synthetic_store(n: int, cache: Path | None) -> Path:
    """A store of ``n`` synthetic Hub models (built once, then reused)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic_hub

    from ptmkg import KG

    folder = cache or Path(tempfile.gettempdir()) / f"ptmkg-synthetic-{n}"
    store = folder / "store"
    if (folder / "done").exists():
        return store
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    records = synthetic_hub.write(n, folder / f"hf_models_synthetic_{n}.jsonl")
    kg = KG(store)
    result = kg.ingest("hf", records, retrieved="2025-01-01")
    kg.optimize()
    del kg
    (folder / "done").write_text(f"{result.triples}\n")
    print(f"built {store}: {n:,} models, {result.triples:,} triples in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)
    return store


def table(results: list[dict], title: str) -> str:
    """The results as a markdown table, slowest (warm) first, with totals."""
    def warm(r: dict) -> float:
        return float("inf") if r["times"] is None else r["times"][-1]

    lines = [f"**{title}**", "", "| query | rows | 1st run (s) | warm (s) | warm CPU (s) |", "|---|---:|---:|---:|---:|"]
    for r in sorted(results, key=warm, reverse=True):
        if r["times"] is None:
            lines.append(f"| {r['name']} | – | timeout | timeout | – |")
        else:
            lines.append(f"| {r['name']} | {r['rows']:,} | {r['times'][0]:.3f} | {r['times'][-1]:.3f} "
                         f"| {r['cpu'][-1]:.3f} |")
    done = [r for r in results if r["times"] is not None]
    first, second = sum(r["times"][0] for r in done), sum(r["times"][-1] for r in done)
    over = sum(1 for r in results if warm(r) >= 1.0)
    lines.append(f"| **total ({len(done)} queries; {over} at 1 s or more)** | | {first:.2f} | {second:.2f} "
                 f"| {sum(r['cpu'][-1] for r in done):.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an existing ptmkg store")
    where.add_argument("--synthetic", type=int, metavar="N", help="a synthetic store of N models")
    where.add_argument("--worker", metavar="STORE", help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help="where --synthetic keeps its store")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="these queries only")
    ap.add_argument("--repeat", type=int, default=2, help="runs per query (default 2; the last is reported)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per query before it is cut off")
    ap.add_argument("--param", action="append", default=[], metavar="QUERY:NAME=VALUE",
                    help="a parameter of one query instead of its default (repeatable)")
    ap.add_argument("--params-json", default="{}", help=argparse.SUPPRESS)
    ap.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.names, a.repeat, json.loads(a.params_json))
        return
    params: dict[str, dict[str, str]] = {}
    for item in a.param:
        query, _, binding = item.partition(":")
        key, _, value = binding.partition("=")
        params.setdefault(query, {})[key] = value
    from ptmkg.queries import catalogue
    from ptmkg.sparql_guard import service_targets

    names = a.only or [q.name for q in catalogue() if not service_targets(q.sparql)]
    store = a.store if a.store else synthetic_store(a.synthetic, a.cache)
    title = f"{a.synthetic:,} synthetic models" if a.synthetic else str(a.store)
    given = "; ".join(f"{q} {k}={v}" for q, kv in params.items() for k, v in kv.items())
    print(table(run(store, names, a.repeat, a.timeout, params), title + (f" ({given})" if given else "")))


if __name__ == "__main__":
    main()
