"""CLI start-up: median wall time of fresh ``ptmkg`` processes (``--help``, ``--version``, a canned query).

    python bench/cli.py [--runs 7] [--store DIR]

The query runs on a starter store built once into a temporary folder (or ``--store``). Each command
runs in a new process, ``python -m ptmkg.cli`` beside this interpreter, so no shim of a version manager
is timed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "--help": ["--help"],
    "--version": ["--version"],
    "query models-per-licence": ["query", "models-per-licence"],
    "query -e COUNT": ["query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
}


def wall(argv: list[str]) -> float:
    """Seconds one ``ptmkg`` process takes, start to exit."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ptmkg.cli", *argv], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ptmkg-bench-cli-") as tmp:
        store = args.store or Path(tmp) / "store"
        if args.store is None:
            subprocess.run([sys.executable, "-m", "ptmkg.cli", "build", "--store", str(store)], check=True,
                           stdout=subprocess.DEVNULL)
        print(f"| command | median s | min s | max s |  ({args.runs} runs each)\n|---|---:|---:|---:|")
        for label, argv in COMMANDS.items():
            extra = ["--store", str(store)] if argv[0] == "query" else []
            times = [wall(argv + extra) for _ in range(args.runs)]
            print(f"| `ptmkg {label}` | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")


if __name__ == "__main__":
    main()
