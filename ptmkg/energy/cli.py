"""``ptmkg energy``: estimate the store's training runs, or one run from flags."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING

from ptmkg.errors import PtmkgError

if TYPE_CHECKING:  # the energy library and polars are imported by the commands, not by 'ptmkg --help'
    from ptmkg.energy.estimate import Estimate

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def parse_utilisation(text: str) -> float | tuple[float, float]:
    """``"0.8"`` → 0.8; ``"0.6-0.9"`` → (0.6, 0.9)."""
    try:
        parts = [float(p) for p in text.split("-")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise PtmkgError(f"--utilisation takes a fraction such as 0.8 or a range such as 0.6-0.9, got '{text}'")


def close_hardware(text: str, n: int = 5) -> list[str]:
    """Ids of table accelerators whose id, name or alias is close to ``text``."""
    from ptmkg.energy.hardware import hardware_table

    names: dict[str, str] = {}
    for h in hardware_table():
        for name in (h.id, f"{h.name} {h.variant}".lower(), h.name.lower(), *h.aliases):
            names.setdefault(name, h.id)
    found = get_close_matches(text.lower(), list(names), n=3 * n, cutoff=0.5)
    return list(dict.fromkeys(names[f] for f in found))[:n]


def _check_inputs(args: argparse.Namespace) -> None:
    """One-line errors for inputs the library would otherwise resolve silently."""
    from ptmkg.energy.grid import close_countries, country_iso3, grid_intensity
    from ptmkg.energy.hardware import hardware_table, resolve_hardware

    if args.gpu is None and args.tdp_w is None:
        raise PtmkgError("give --gpu (see hardware.csv) or --tdp-w")
    if args.gpu is not None and args.tdp_w is None and resolve_hardware(args.gpu) is None:
        close = close_hardware(args.gpu)
        hint = f"close matches: {', '.join(close)}" if close else f"no close match among {len(hardware_table())} accelerators"
        raise PtmkgError(f"unknown GPU '{args.gpu}'; {hint}")
    if args.country and country_iso3(args.country) is None:
        close = close_countries(args.country)
        hint = f"did you mean {', '.join(close)}?" if close else "use a name or an ISO 3166 code"
        raise PtmkgError(f"unknown country '{args.country}'; {hint}")
    if args.region and args.intensity is None and grid_intensity(region=args.region, provider=args.provider).fallback:
        raise PtmkgError(f"unknown cloud region '{args.region}'" + (f" for {args.provider}" if args.provider else ""))


def calculate(args: argparse.Namespace) -> Estimate:
    """The estimate for the flags of ``ptmkg energy calc``."""
    from ptmkg.energy.estimate import estimate

    _check_inputs(args)
    try:
        return estimate(args.gpu, args.count, args.hours, utilisation=parse_utilisation(args.utilisation),
                        cpu_w=args.cpu_w, memory_w=args.memory_w, pue=args.pue, country=args.country,
                        region=args.region, provider=args.provider, intensity_g_per_kwh=args.intensity,
                        tdp_w=args.tdp_w)
    except ValueError as e:
        raise PtmkgError(str(e).replace("pass tdp_w", "pass --tdp-w")) from None


def cmd_calc(args: argparse.Namespace) -> int:
    import polars as pl

    from ptmkg.cli import print_frame

    e = calculate(args)
    if args.format == "json":
        print(json.dumps(asdict(e), ensure_ascii=False))
        return 0
    print_frame(pl.DataFrame({"quantity": ["energy", "emissions"], "value": [e.energy_kwh, e.co2_kg],
                              "low": [e.energy_low, e.co2_low], "high": [e.energy_high, e.co2_high],
                              "unit": ["kWh", "kg CO2e"]}))
    print()
    print_frame(pl.DataFrame({"constant": list(e.constants), "value": [str(v) for v in e.constants.values()]}),
                rows=100)
    print(f"\nmethod: {e.method}")
    if e.uncertain:
        print(f"bounds from: {'; '.join(e.uncertain)}")
    return 0


def cmd_estimate(args: argparse.Namespace) -> int:
    import polars as pl

    from ptmkg.cli import print_frame
    from ptmkg.energy.graph import estimate_store
    from ptmkg.kg import KG

    result = estimate_store(KG(args.store), utilisation=parse_utilisation(args.utilisation), pue=args.pue)
    state = "loaded" if result.loaded else "unchanged (same inputs and constants already estimated)"
    print(f"energy-estimates: {state}: {result.triples:,} triples in {result.seconds:.1f} s -> {result.graph}")
    print(f"estimated: {result.estimated:,} runs; skipped: {sum(result.skipped.values()):,} runs")
    if result.skipped:
        print_frame(pl.DataFrame({"reason": list(result.skipped), "runs": list(result.skipped.values())}), rows=100)
    return 0


def _store_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=argparse.SUPPRESS,
                   help="store directory (default: $PTMKG_STORE or ~/.ptmkg/store)")


def register(sub: argparse._SubParsersAction, command: Command) -> None:
    """Add ``ptmkg energy estimate`` and ``ptmkg energy calc``."""
    p = command("energy", cmd_estimate, "energy and CO2e of training runs: estimate the store, or one run")
    actions = p.add_subparsers(dest="energy_command", required=True, metavar="ACTION")

    est = actions.add_parser("estimate", help="estimate every training run in the store (replaces earlier estimates)",
                             description="Estimate energy and CO2e of every TrainingRun with hardware and "
                                         "duration into the energy-estimates snapshot.")
    _store_flag(est)
    est.add_argument("--utilisation", default="1.0", help="fraction of TDP drawn, or LOW-HIGH (default 1.0)")
    est.add_argument("--pue", type=float, help="PUE for every run (default: the provider's published PUE)")
    est.set_defaults(func=cmd_estimate)

    calc = actions.add_parser("calc", help="estimate one run from flags",
                              description="Energy (kWh) and CO2e (kg) of COUNT accelerators for HOURS hours.")
    calc.add_argument("--gpu", help="accelerator, e.g. A100-SXM4-80GB, V100, 'TPU v3'")
    calc.add_argument("--count", type=int, required=True, help="number of accelerators")
    calc.add_argument("--hours", type=float, required=True, help="wall-clock hours")
    calc.add_argument("--utilisation", default="1.0", help="fraction of TDP drawn, or LOW-HIGH (default 1.0)")
    calc.add_argument("--pue", type=float, help="data-centre PUE (default: the provider's published PUE)")
    calc.add_argument("--intensity", type=float, help="grid carbon intensity in g CO2e/kWh (overrides location)")
    calc.add_argument("--country", help="country name or ISO code for the grid intensity")
    calc.add_argument("--region", help="cloud region, e.g. us-east-1, europe-west4")
    calc.add_argument("--provider", choices=["aws", "gcp", "azure"], help="cloud provider (PUE and region lookup)")
    calc.add_argument("--cpu-w", type=float, help="extra CPU watts for the whole run")
    calc.add_argument("--memory-w", type=float, help="extra memory watts for the whole run")
    calc.add_argument("--tdp-w", type=float, help="TDP per accelerator in watts (overrides the table)")
    calc.add_argument("--format", choices=["table", "json"], default="table")
    calc.set_defaults(func=cmd_calc)
