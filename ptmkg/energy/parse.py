"""Parsers for the free text found in papers and model cards: hardware, durations,
emissions (mass of CO2e) and energy.

Every parser returns a typed result carrying the raw text, or :class:`Unparsed` with a
reason.  No parser guesses a number that the text does not state.

Interpretation of Google TPU slice names (``TPU v3-8``, ``v3-256 pod``): the suffix
counts TensorCores, as in Google Cloud's naming; chips = cores / cores_per_chip
(2 for v2, v3, v4, v5p; 1 for v5e).  So ``TPU v3-8`` is 4 chips and ``TPUv3-32 pod``
16 chips.  A leading count multiplies: ``7 TPUs v3-8`` is 28 chips.  TDPs in the
hardware table are per chip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .hardware import HardwareMatch, normalise, resolve_hardware

__all__ = [
    "Unparsed", "HardwareSpec", "Duration", "Mass", "Energy",
    "parse_hardware", "parse_duration", "parse_emissions", "parse_energy", "parse_number",
]


@dataclass(frozen=True)
class Unparsed:
    """Input that could not be read without guessing."""

    raw: str
    reason: str


@dataclass(frozen=True)
class HardwareSpec:
    """Accelerator named in text and how many of them (``count`` None if not stated)."""

    raw: str
    match: HardwareMatch
    count: int | None
    count_basis: str  # "stated", "tpu-slice", "stated×tpu-slice" or "not stated"


@dataclass(frozen=True)
class Duration:
    """A duration in hours.  ``accelerator_hours`` is True when the text states a total
    over devices ("GPU hours"); ``low``/``high`` differ only for stated ranges."""

    raw: str
    hours: float
    low: float
    high: float
    accelerator_hours: bool


@dataclass(frozen=True)
class Mass:
    """A CO2e mass as written (``value`` in ``unit``) and in grams."""

    raw: str
    value: float
    unit: str
    grams: float


@dataclass(frozen=True)
class Energy:
    """An energy as written (``value`` in ``unit``) and in kWh."""

    raw: str
    value: float
    unit: str
    kwh: float


_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)"
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}


def parse_number(text: str) -> float | None:
    """Read ``"1,234.5"``, ``"1.2e3"``, ``"100k"``; None if not a number."""
    m = re.fullmatch(rf"\s*{_NUM}\s*(k|thousand|m|million|b|billion)?\s*", text.lower())
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * _SCALE.get(m.group(2) or "", 1.0)


# ---------------------------------------------------------------- hardware

_SKIP_BEFORE = {"nvidia", "tesla", "geforce", "amd", "google", "cloud", "instinct", "quadro", "x"}


def _count_before(tokens: list[str], start: int) -> int | None:
    """Product of the numbers directly before the name: ``32 x 8 x a100`` → 256."""
    nums: list[int] = []
    i = start - 1
    while i >= 0:
        t = tokens[i]
        if t.isdigit():
            nums.append(int(t))
        elif not (t in _SKIP_BEFORE or re.fullmatch(r"\d+(\.\d+)?gb", t)):
            break
        i -= 1
    if not nums:
        return None
    out = 1
    for n in nums:
        out *= n
    return out


def _count_after(tokens: list[str], end: int) -> int | None:
    """``a100 80gb x 8`` → 8 (an ``x`` then a number after the name)."""
    i = end
    while i < len(tokens) and (re.fullmatch(r"\d+(\.\d+)?gb|pcie|sxm\d?|nvl|gpu", tokens[i])):
        i += 1
    if i + 1 < len(tokens) and tokens[i] == "x" and tokens[i + 1].isdigit():
        return int(tokens[i + 1])
    return None


def parse_hardware(text: str) -> HardwareSpec | Unparsed:
    """Accelerator and count from e.g. ``"8 16GB V100"``, ``"2x RTX 3090"``,
    ``"A100 x8"``, ``"TPUv3-32 pod"`` (16 chips; see module docstring)."""
    match = resolve_hardware(text)
    if match is None:
        return Unparsed(text, "no known accelerator named")
    tokens = normalise(text)
    # resolve_hardware singularises plurals; positions are unchanged by that
    stated = _count_before(tokens, match.start) or _count_after(tokens, match.end)
    hw = match.hardware
    if hw.cores_per_chip and match.end < len(tokens) and tokens[match.end].isdigit():
        cores = int(tokens[match.end])
        if cores % hw.cores_per_chip:
            return Unparsed(text, f"TPU slice of {cores} cores is not a whole number of chips")
        chips = cores // hw.cores_per_chip
        if stated:
            return HardwareSpec(text, match, stated * chips, "stated×tpu-slice")
        return HardwareSpec(text, match, chips, "tpu-slice")
    if stated:
        return HardwareSpec(text, match, stated, "stated")
    return HardwareSpec(text, match, None, "not stated")


# ---------------------------------------------------------------- durations

_HOURS_PER = {
    "s": 1 / 3600, "sec": 1 / 3600, "secs": 1 / 3600, "second": 1 / 3600, "seconds": 1 / 3600,
    "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "m": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0,
    "w": 168.0, "wk": 168.0, "wks": 168.0, "week": 168.0, "weeks": 168.0,
    "month": 730.0, "months": 730.0,  # 365 × 24 / 12
}
_UNIT_RE = "|".join(sorted(map(re.escape, _HOURS_PER), key=len, reverse=True))
_DEVICE_HOURS = re.compile(r"\b(gpu|tpu|accelerator|device|chip|core|node)[- ]?(hours?|hrs?|days?)\b")
_UNKNOWN = re.compile(r"\b(unknown|unavailable|not specified|n/?a|none|tbd|not available)\b")


def _duration_terms(text: str) -> list[tuple[float, float, str, int, int]]:
    """(low, high, unit, start, end) for each ``<number>[ - <number>][k] <unit>``."""
    pat = re.compile(
        rf"{_NUM}\s*(k|m)?\s*(?:(?:-|–|to)\s*{_NUM}\s*(k|m)?\s*)?"
        rf"(?:(?:gpu|tpu|accelerator|device|chip|core|node)[- ]?)?({_UNIT_RE})\b"
    )
    out = []
    for m in pat.finditer(text):
        lo = float(m.group(1).replace(",", "")) * (1e3 if m.group(2) == "k" else 1e6 if m.group(2) == "m" else 1)
        hi = lo
        if m.group(3):
            hi = float(m.group(3).replace(",", "")) * (1e3 if m.group(4) == "k" else 1e6 if m.group(4) == "m" else 1)
        out.append((lo, hi, m.group(5), m.start(), m.end()))
    return out


def parse_duration(text: str, default_unit: str | None = None) -> Duration | Unparsed:
    """Hours from ``"14.8 days"``, ``"3 h 20 min"``, ``"100k GPU hours"``, ``"36h"``,
    ``"960 - 1080 hours"``, ``"a × b = 1440 hours"`` (the part after the last ``=``).

    Adjacent terms add up (``3 h 20 min``); a parenthesised restatement is ignored
    (``168 (1 week)``).  A bare number is read in ``default_unit`` (e.g. ``"h"`` for a
    card's "Hours used" line) and is Unparsed without one.
    """
    low_text = text.lower()
    if "=" in low_text:
        low_text = low_text.rsplit("=", 1)[1]
    main = re.split(r"[(\[]", low_text, maxsplit=1)[0]
    if not main.strip():
        main = low_text
    terms = _duration_terms(main)
    if not terms:
        m = re.match(rf"\s*(?:~|about|approx\.?|approximately)?\s*{_NUM}\s*(k)?\s*(?:(?:-|–|to)\s*{_NUM}\s*)?$", main)
        if m and default_unit:
            scale = _HOURS_PER[default_unit] * (1e3 if m.group(2) else 1)
            lo = float(m.group(1).replace(",", "")) * scale
            hi = float(m.group(3).replace(",", "")) * scale if m.group(3) else lo
            return Duration(text, (lo + hi) / 2, lo, hi, False)
        if _UNKNOWN.search(low_text):
            return Unparsed(text, "duration stated as unknown")
        return Unparsed(text, "no number with a time unit")
    # keep the first run of adjacent terms (separated only by spaces/"and"/",")
    run = [terms[0]]
    for t in terms[1:]:
        gap = main[run[-1][4] : t[3]]
        if re.fullmatch(r"[\s,]*(and)?[\s,]*", gap):
            run.append(t)
        else:
            break
    lo = sum(t[0] * _HOURS_PER[t[2]] for t in run)
    hi = sum(t[1] * _HOURS_PER[t[2]] for t in run)
    per_device = bool(_DEVICE_HOURS.search(main[run[0][3] : run[-1][4]]))
    return Duration(text, (lo + hi) / 2, lo, hi, per_device)


# ---------------------------------------------------------------- emissions / energy

_GRAMS = {
    "mt": 1e12, "megatonnes": 1e12, "megatonne": 1e12,
    "t": 1e6, "tonnes": 1e6, "tonne": 1e6, "metric tons": 1e6, "metric ton": 1e6,
    "kg": 1e3, "kgs": 1e3, "kilograms": 1e3, "kilogram": 1e3,
    "g": 1.0, "gr": 1.0, "grams": 1.0, "gram": 1.0,
    "mg": 1e-3,
    "lbs": 453.59237, "lb": 453.59237, "pounds": 453.59237, "pound": 453.59237,
}
_MASS_UNIT_RE = "|".join(sorted(map(re.escape, _GRAMS), key=len, reverse=True))
_KWH = {"gwh": 1e6, "mwh": 1e3, "kwh": 1.0, "wh": 1e-3, "gj": 1e6 / 3600, "mj": 1 / 3.6, "kj": 1 / 3600, "j": 1 / 3.6e6}
_ENERGY_UNIT_RE = "|".join(sorted(_KWH, key=len, reverse=True))


def parse_emissions(text: str, default_unit: str | None = None) -> Mass | Unparsed:
    """CO2e mass from ``"149.2 kg eq. CO2"``, ``"0.6 kg CO2e"``, ``"552 tCO2e"``,
    ``"1,438 lbs"``.  ``default_unit`` (e.g. ``"g"`` for the Hub's ``co2_eq_emissions``)
    applies to a bare number.  A bare "ton(s)" is Unparsed: metric or short ton is
    not said."""
    low = text.lower().replace("₂", "2")
    m = re.search(rf"{_NUM}\s*({_MASS_UNIT_RE})(?=\s*(co2|carbon|eq|$|[^a-z]))", low)
    if m:
        value = float(m.group(1).replace(",", ""))
        unit = m.group(2)
        return Mass(text, value, unit, value * _GRAMS[unit])
    if re.search(rf"{_NUM}\s*(short )?tons?\b", low) and not re.search(r"metric tons?", low):
        return Unparsed(text, "'ton' is ambiguous (metric or short ton)")
    n = parse_number(low)
    if n is not None and default_unit is not None:
        return Mass(text, n, default_unit, n * _GRAMS[default_unit])
    if _UNKNOWN.search(low):
        return Unparsed(text, "emissions stated as unknown")
    return Unparsed(text, "no number with a mass unit")


def parse_energy(text: str, default_unit: str | None = None) -> Energy | Unparsed:
    """Energy from ``"1,287 MWh"``, ``"45.2 kWh"``, ``"500 Wh"``, ``"3.6 MJ"``."""
    low = text.lower()
    m = re.search(rf"{_NUM}\s*({_ENERGY_UNIT_RE})\b", low)
    if m:
        value = float(m.group(1).replace(",", ""))
        return Energy(text, value, m.group(2), value * _KWH[m.group(2)])
    n = parse_number(low)
    if n is not None and default_unit is not None:
        return Energy(text, n, default_unit, n * _KWH[default_unit])
    return Unparsed(text, "no number with an energy unit")
