"""How a reported training energy was obtained: computed by its authors from TDP, or reported independently.

Counting Carbon's "reported" energies were themselves computed by the data's authors as TDP × accelerators ×
training time (some × a PUE such as 1.12); an estimator that uses the same formula reproduces them exactly, so
comparing against them is circular. :func:`report_basis` finds those: a reported kWh equal (to 0.05 %) to
TDP × count × hours × k, with k a PUE-like factor between 1 and 2 given to two decimals, was computed with that
formula; any other kWh (e.g. Patterson et al.'s figures from measured processor power) was not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TDP_FORMULA = "computed from TDP"
INDEPENDENT = "independent of TDP"
TOLERANCE = 5e-4
"""Relative gap within which a reported kWh counts as TDP × count × hours × a two-decimal factor."""


@dataclass(frozen=True)
class Basis:
    """How a reported energy relates to the TDP formula: its ``kind`` (:data:`TDP_FORMULA` or
    :data:`INDEPENDENT`), the overhead ``factor`` used when computed (1 = TDP alone, 1.12 = a PUE), and the
    ``ratio`` reported / (TDP × count × hours)."""

    kind: str
    ratio: float
    factor: float | None = None

    @property
    def circular(self) -> bool:
        """Whether a TDP-based estimate compared with this number only checks the arithmetic."""
        return self.kind == TDP_FORMULA

    def __str__(self) -> str:
        if self.circular:
            return "computed by its authors as TDP × accelerators × time" + (
                f" × {self.factor:g}" if self.factor != 1 else "")
        return f"not TDP × accelerators × time (ratio {self.ratio:.3f}): measured or reported independently"


def report_basis(kwh: float, tdp_w: float, count: float, hours: float) -> Basis | None:
    """The :class:`Basis` of a reported ``kwh`` given the run's TDP (W per accelerator), accelerator count and
    hours; None when any input is missing or not positive (nothing to compare)."""
    values = (kwh, tdp_w, count, hours)
    if any(v is None or not math.isfinite(v) or v <= 0 for v in values):
        return None
    ratio = kwh / (tdp_w * count * hours / 1000)
    factor = round(ratio, 2)
    if 1 <= factor <= 2 and abs(ratio - factor) <= TOLERANCE * ratio:
        return Basis(TDP_FORMULA, ratio, factor)
    return Basis(INDEPENDENT, ratio)
