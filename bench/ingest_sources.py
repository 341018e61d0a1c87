"""Ingest every registered source found under ../shared/data, one snapshot per folder.

    python bench/ingest_sources.py [--data ../shared/data] [--repeat 3]

Each folder is ingested into a fresh in-memory store ``repeat`` times (read → map → load);
prints a markdown table of the best time, the triples loaded and triples per second.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ptmkg import KG  # noqa: E402
from ptmkg.ingest import INGESTORS  # noqa: E402


def measure(source: str, folder: Path, repeat: int) -> tuple[float, int]:
    """Best wall time over ``repeat`` fresh ingests, and the triple count."""
    best, triples = float("inf"), 0
    for _ in range(repeat):
        kg = KG.memory()
        t0 = time.perf_counter()
        result = kg.ingest(source, folder)
        best = min(best, time.perf_counter() - t0)
        triples = result.triples
    return best, triples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    jobs = [(i.name, args.data / d) for i in INGESTORS.values() for d in i.shared_dirs if (args.data / d).exists()]
    if not jobs:
        sys.exit(f"no registered source folder under {args.data}")
    print("| source | folder | seconds | triples | triples/s |")
    print("| --- | --- | ---: | ---: | ---: |")
    for source, folder in jobs:
        seconds, triples = measure(source, folder, args.repeat)
        print(f"| {source} | {folder.name} | {seconds:.2f} | {triples:,} | {triples / seconds:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
