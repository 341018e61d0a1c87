"""Energy and CO2e estimate of a training run from hardware, count and time.

    energy_kWh = (count × TDP × utilisation + cpu_w + memory_w) × hours × PUE / 1000
    co2_kg     = energy_kWh × intensity_g_per_kWh / 1000

``cpu_w``/``memory_w`` are total watts for the run (not per accelerator) and are not
scaled by utilisation.  Low/high bounds come only from inputs that carry a range:

* TDP — when the hardware text leaves the variant open (``"V100"``: 250–300 W);
* utilisation — when given as a ``(low, high)`` tuple (central value = midpoint);
* PUE — when taken from the provider table (``pue.csv``) rather than passed in;
* intensity — the world-average fallback carries a range (see :mod:`.grid`).

Every factor is positive, so the low (high) bound is the product of the low (high)
inputs.  Inputs that were given as plain numbers are exact for the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .grid import default_pue, grid_intensity
from .hardware import Hardware, resolve_hardware

__all__ = ["Estimate", "estimate"]

METHOD = "count × TDP × utilisation × hours × PUE / 1000 (+ cpu_w, memory_w × hours × PUE / 1000); × grid intensity"


@dataclass(frozen=True)
class Estimate:
    """Result of :func:`estimate`: central values with bounds, constants and method."""

    energy_kwh: float
    energy_low: float
    energy_high: float
    co2_kg: float
    co2_low: float
    co2_high: float
    uncertain: tuple[str, ...]
    constants: dict[str, object] = field(default_factory=dict)
    method: str = METHOD


def _hardware(accelerator: str | Hardware) -> tuple[float, float, float, dict[str, object]]:
    """(tdp, tdp_low, tdp_high, constants) for a table row or free text."""
    if isinstance(accelerator, Hardware):
        rows: tuple[Hardware, ...] = (accelerator,)
        chosen = accelerator
    else:
        match = resolve_hardware(accelerator)
        if match is None:
            raise ValueError(f"unknown accelerator {accelerator!r}; pass tdp_w")
        rows, chosen = match.candidates, match.hardware
    tdps = [r.tdp_w for r in rows if r.tdp_w is not None]
    if chosen.tdp_w is None or not tdps:
        raise ValueError(f"no published TDP for {chosen.id}; pass tdp_w")
    consts = {"hardware_id": chosen.id, "tdp_source": chosen.source_url, "tdp_basis": chosen.tdp_basis,
              "hardware_candidates": [r.id for r in rows]}
    return chosen.tdp_w, min(tdps), max(tdps), consts


def estimate(
    accelerator: str | Hardware | None,
    count: int,
    hours: float,
    utilisation: float | tuple[float, float] = 1.0,
    cpu_w: float | None = None,
    memory_w: float | None = None,
    pue: float | None = None,
    country: str | None = None,
    region: str | None = None,
    provider: str | None = None,
    intensity_g_per_kwh: float | None = None,
    tdp_w: float | None = None,
) -> Estimate:
    """Estimate energy (kWh) and emissions (kg CO2e) of ``count`` accelerators running
    ``hours`` wall-clock hours.  ``tdp_w`` overrides the table TDP (then
    ``accelerator`` may be None).  Without ``pue`` the provider's published PUE is used
    (``default`` row when no provider); without ``intensity_g_per_kwh`` the grid
    intensity of region/country, else the world average (flagged as fallback)."""
    if count <= 0 or hours < 0:
        raise ValueError("count must be positive and hours non-negative")
    uncertain: list[str] = []
    constants: dict[str, object] = {}

    if tdp_w is not None:
        tdp = tdp_lo = tdp_hi = float(tdp_w)
        constants.update(tdp_source="caller")
    elif accelerator is not None:
        tdp, tdp_lo, tdp_hi, hw_consts = _hardware(accelerator)
        constants.update(hw_consts)
        if tdp_lo != tdp_hi:
            uncertain.append("tdp (hardware variant not stated)")
    else:
        raise ValueError("pass accelerator or tdp_w")
    constants["tdp_w"] = tdp

    if isinstance(utilisation, tuple):
        u_lo, u_hi = utilisation
        u = (u_lo + u_hi) / 2
        if u_lo != u_hi:
            uncertain.append("utilisation range")
    else:
        u = u_lo = u_hi = float(utilisation)
    if not 0 < u_lo <= u_hi <= 1:
        raise ValueError("utilisation must lie in (0, 1]")
    constants["utilisation"] = utilisation

    if pue is not None:
        p = p_lo = p_hi = float(pue)
        constants.update(pue=p, pue_source="caller")
    else:
        row = default_pue(provider)
        p, p_lo, p_hi = row.pue, row.low, row.high
        constants.update(pue=p, pue_source=row.source_url, pue_basis=row.basis, pue_year=row.year)
        if p_lo != p_hi:
            uncertain.append(f"pue range ({row.provider})")

    if intensity_g_per_kwh is not None:
        ci = ci_lo = ci_hi = float(intensity_g_per_kwh)
        constants.update(intensity_g_per_kwh=ci, intensity_source="caller", intensity_fallback=False)
    else:
        it = grid_intensity(country=country, region=region, provider=provider)
        ci, ci_lo, ci_hi = it.g_per_kwh, it.low, it.high
        constants.update(intensity_g_per_kwh=ci, intensity_source=it.source, intensity_year=it.year,
                         intensity_fallback=it.fallback, intensity_scope=it.scope, intensity_key=it.key)
        if ci_lo != ci_hi:
            uncertain.append("intensity range (world-average fallback)")

    extra_w = (cpu_w or 0.0) + (memory_w or 0.0)
    constants.update(cpu_w=cpu_w, memory_w=memory_w)

    def energy(tdp_: float, u_: float, p_: float) -> float:
        return (count * tdp_ * u_ + extra_w) * hours * p_ / 1000.0

    e, e_lo, e_hi = energy(tdp, u, p), energy(tdp_lo, u_lo, p_lo), energy(tdp_hi, u_hi, p_hi)
    return Estimate(
        energy_kwh=e, energy_low=e_lo, energy_high=e_hi,
        co2_kg=e * ci / 1000.0, co2_low=e_lo * ci_lo / 1000.0, co2_high=e_hi * ci_hi / 1000.0,
        uncertain=tuple(uncertain), constants=constants,
    )
