"""Load test of ``ptmkg serve`` on loopback: concurrent clients running a mixed canned-query workload.

    python bench/endpoint.py --store /tmp/x [--clients 16] [--requests 10000] [--max-seconds 120]
                             [--queries NAME ...] [--cache-mb 64 0] [--oxigraph]

Starts ``ptmkg serve`` on a free loopback port (``--url`` targets a running endpoint instead), runs
``--clients`` client processes, each sending up to ``--requests`` GET requests (JSON results; the
workload's queries in turn, each client from its own offset) over one kept-alive connection, and
stops every client at ``--max-seconds``. The workload: the canned queries (claims' and federated
ones aside) whose median time in process is at most ``--max-query-ms`` (interactive queries;
``--max-query-ms 0`` keeps them all, up to the course's 0.6 s ones). Prints requests/s, p50/p95/p99 latency and errors, beside
the same queries run one after another through ``KG.query`` in this process. ``--oxigraph`` adds
the same load against ``oxigraph serve-read-only`` (the server ``ptmkg serve`` replaced).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from ptmkg import KG
from ptmkg.namespaces import PREFIXES
from ptmkg.queries import catalogue
from ptmkg.sparql_guard import service_targets
from ptmkg.store import bind

# Canned queries an endpoint user runs: everything but the claims' measuring queries (the claim runner's
# job) and federated exercises (their SERVICE endpoints are not part of this load).
DEFAULT_QUERIES = [q.name for q in catalogue() if not q.name.startswith("claims/") and not service_targets(q.sparql)]
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def workload(names: list[str]) -> list[str]:
    """The queries' text with their default parameters bound and the project prefixes declared."""
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    texts = []
    for name in names:
        q = catalogue().get(name)
        texts.append(prologue + bind(q.sparql, {k: q.defaults[k] for k in q.parameters if k in q.defaults}))
    return texts


def _client(args: tuple[str, list[str], int, int, float]) -> tuple[list[float], int, str]:
    """One client: up to ``n`` requests until ``deadline``; returns latencies (s), errors, first error."""
    url, texts, offset, n, deadline = args
    parts = urlsplit(url)
    paths = [f"{parts.path}?{urlencode({'query': t})}" for t in texts]
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    latencies, errors, first = [], 0, ""
    for i in range(n):
        if time.monotonic() > deadline:
            break
        t = time.perf_counter()
        try:
            conn.request("GET", paths[(offset + i) % len(paths)], headers={"Accept": ACCEPT})
            resp = conn.getresponse()
            body = resp.read()
            json_ = "json" in (resp.getheader("Content-Type") or "")
            if resp.status != 200 or not body or (json_ and not body.rstrip().endswith(b"}")):
                errors += 1
                first = first or f"HTTP {resp.status}: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as e:
            errors += 1
            first = first or repr(e)
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        latencies.append(time.perf_counter() - t)
    conn.close()
    return latencies, errors, first


def load(url: str, texts: list[str], clients: int, requests: int, max_seconds: float) -> dict[str, object]:
    """Run the clients against ``url``; summary statistics."""
    deadline = time.monotonic() + max_seconds
    with mp.get_context("fork").Pool(clients) as pool:
        start = time.perf_counter()
        results = pool.map(_client, [(url, texts, i * 7, requests, deadline) for i in range(clients)])
        elapsed = time.perf_counter() - start
    lat = sorted(x for r in results for x in r[0])
    return {"requests": len(lat), "seconds": elapsed, "errors": sum(r[1] for r in results),
            "first_error": next((r[2] for r in results if r[2]), ""), **percentiles(lat)}


def percentiles(lat: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of sorted latencies in seconds."""
    if not lat:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {"p50": q[49] * 1e3, "p95": q[94] * 1e3, "p99": q[98] * 1e3}


def in_process(store: Path, texts: list[str], rounds: int) -> tuple[dict[str, object], list[float]]:
    """The same queries through ``KG.query``, one after another, ``rounds`` times over; and each query's median."""
    kg = KG(store, read_only=True)
    lat: list[list[float]] = [[] for _ in texts]
    start = time.perf_counter()
    for _ in range(rounds):
        for i, text in enumerate(texts):
            t = time.perf_counter()
            kg.query(text)
            lat[i].append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    del kg
    every = sorted(x for q in lat for x in q)
    return ({"requests": len(every), "seconds": elapsed, "errors": 0, "first_error": "", **percentiles(every)},
            [statistics.median(q) for q in lat])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str | None:
    """Oxigraph's server next to this Python (a version manager's shim on PATH may not pass signals on)."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def start(cmd: list[str], url: str) -> subprocess.Popen:
    """Start a server and wait until it answers."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = urlsplit(url)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", parts.path + "?" + urlencode({"query": "ASK {}"}))
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"server did not start: {' '.join(cmd)}")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="a ptmkg store (e.g. from 'ptmkg build --store DIR')")
    ap.add_argument("--url", help="a running endpoint's /query URL (default: start ptmkg serve)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=10_000, help="requests per client (at most)")
    ap.add_argument("--max-seconds", type=float, default=120.0, help="stop every client after this long")
    ap.add_argument("--queries", nargs="+", default=DEFAULT_QUERIES, help="canned query names of the workload")
    ap.add_argument("--max-query-ms", type=float, default=20.0,
                    help="keep the queries whose median time in process is at most this (0: keep all)")
    ap.add_argument("--workers", type=int, default=4, help="ptmkg serve --workers")
    ap.add_argument("--cache-mb", type=float, nargs="+", default=[64.0],
                    help="ptmkg serve --cache-mb; several values load one server each (0: no answer cache)")
    ap.add_argument("--oxigraph", action="store_true", help="also load 'oxigraph serve-read-only' the same way")
    args = ap.parse_args()
    names, texts = args.queries, workload(args.queries)
    if args.max_query_ms:
        _, medians = in_process(args.store, texts, rounds=3)
        keep = [i for i, m in enumerate(medians) if m * 1e3 <= args.max_query_ms]
        names, texts = [names[i] for i in keep], [texts[i] for i in keep]
    print(f"workload: {len(texts)} canned queries ({', '.join(names)}); {args.clients} clients x up to "
          f"{args.requests} requests, at most {args.max_seconds:g} s; {os.cpu_count()} cores", flush=True)

    rows = [("KG.query in process (sequential)", in_process(args.store, texts, rounds=20)[0])]
    targets = []
    if args.url:
        targets.append(("endpoint at " + args.url, None, args.url))
    else:
        for mb in args.cache_mb:
            port = free_port()
            cache = f"{mb:g} MB answer cache" if mb else "no answer cache"
            targets.append((f"ptmkg serve ({args.workers} workers, {cache})",
                            [sys.executable, "-m", "ptmkg.cli", "serve", "--store", str(args.store), "--port",
                             str(port), "--workers", str(args.workers), "--cache-mb", f"{mb:g}"],
                            f"http://127.0.0.1:{port}/query"))
    if args.oxigraph and oxigraph_binary():
        port = free_port()
        targets.append(("oxigraph serve-read-only", [oxigraph_binary(), "serve-read-only", "--location", str(args.store),
                        "--bind", f"127.0.0.1:{port}", "--union-default-graph"], f"http://127.0.0.1:{port}/query"))
    for label, cmd, url in targets:
        proc = start(cmd, url) if cmd else None
        try:
            rows.append((label, load(url, texts, args.clients, args.requests, args.max_seconds)))
        finally:
            if proc:
                stop(proc)

    base = rows[0][1]
    print("\n| path | requests | seconds | requests/s | p50 ms | p95 ms | p99 ms | p99 / in-process p99 | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in rows:
        print(f"| {label} | {r['requests']:,} | {r['seconds']:.1f} | {r['requests'] / r['seconds']:,.0f} | "
              f"{r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['p99'] / base['p99']:.1f}x | {r['errors']} |")
    for label, r in rows:
        if r["first_error"]:
            print(f"{label}: first error: {r['first_error']}")


if __name__ == "__main__":
    main()
