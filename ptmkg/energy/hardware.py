"""Accelerator table (``hardware.csv``) and a resolver from free text to a table row.

The table lists per-device power figures with the vendor data sheet (or paper) that
publishes them.  ``tdp_w`` is ``None`` where no figure is published (TPU v5e/v5p).
Rows of one ``family`` are variants (form factor, memory); the first row of a family
in the CSV is the default chosen when the text does not name a variant.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

__all__ = ["Hardware", "HardwareMatch", "hardware_table", "normalise", "resolve_hardware"]


@dataclass(frozen=True)
class Hardware:
    """One accelerator variant from ``hardware.csv``."""

    id: str
    vendor: str
    family: str
    name: str
    variant: str
    memory_gb: float | None
    tdp_w: float | None
    cores_per_chip: int | None
    tdp_basis: str
    source_url: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class HardwareMatch:
    """Result of :func:`resolve_hardware`.

    ``hardware`` is the chosen row; ``candidates`` all rows the text is compatible
    with (length 1 when the variant is pinned down).  ``alias`` is the matched alias
    and ``end`` the token index just after it in the normalised text.
    """

    hardware: Hardware
    candidates: tuple[Hardware, ...]
    alias: str
    start: int
    end: int

    @property
    def specific(self) -> bool:
        """True when the text identifies exactly one variant."""
        return len(self.candidates) == 1

    @property
    def tdp_range(self) -> tuple[float, float] | None:
        """Min and max published TDP over the candidate variants (None if unknown)."""
        tdps = [c.tdp_w for c in self.candidates if c.tdp_w is not None]
        return (min(tdps), max(tdps)) if tdps else None


def _num(value: str) -> float | None:
    return float(value) if value.strip() else None


@lru_cache(maxsize=1)
def hardware_table() -> tuple[Hardware, ...]:
    """All rows of the packaged ``hardware.csv``, in file order."""
    text = files("ptmkg.energy").joinpath("hardware.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        cores = _num(r["cores_per_chip"])
        rows.append(
            Hardware(
                id=r["id"],
                vendor=r["vendor"],
                family=r["family"],
                name=r["name"],
                variant=r["variant"],
                memory_gb=_num(r["memory_gb"]),
                tdp_w=_num(r["tdp_w"]),
                cores_per_chip=int(cores) if cores is not None else None,
                tdp_basis=r["tdp_basis"],
                source_url=r["source_url"],
                aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            )
        )
    return tuple(rows)


_WORDS = {
    "one": "1", "single": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "sixteen": "16",
}


def normalise(text: str) -> list[str]:
    """Lower-case, split glued tokens (``RTX3090`` → ``rtx 3090``, ``8x`` → ``8 x``,
    ``TPUv3`` → ``tpu v3``, ``80 GB`` → ``80gb``) and return the token list."""
    s = text.lower().replace("×", " x ").replace("*", " ")
    s = re.sub(r"[-_/,;:()\[\]{}+=~\"'!?]|\.(?!\d)", " ", s)
    s = re.sub(r"\b(\d+)x(?=[a-z])", r"\1 x ", s)  # "256xA100", "1xRTX4070"
    s = re.sub(r"\b(rtx|gtx|tpus?)(?=v?\d)", r"\1 ", s)
    s = re.sub(r"\btpus\b", "tpu", s)
    s = re.sub(r"(\d)(ti)\b", r"\1 \2", s)
    s = re.sub(r"\b(\d+)x\b", r"\1 x", s)
    s = re.sub(r"\bx(\d+)\b", r"x \1", s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*gb\b", r"\1gb", s)
    for word, digit in _WORDS.items():
        s = re.sub(rf"\b{word}\b", digit, s)
    return s.split()


_FORM_TOKENS = ("pcie", "sxm", "nvl")


def _variant_filter(cands: list[Hardware], tokens: list[str]) -> list[Hardware]:
    """Keep candidates consistent with form-factor and memory tokens in the text."""
    forms = {f for t in tokens for f in _FORM_TOKENS if t.startswith(f)}
    if forms:
        kept = [c for c in cands if any(c.variant.lower().startswith(f) for f in forms)]
        cands = kept or cands
    mems = {float(t[:-2]) for t in tokens if re.fullmatch(r"\d+(\.\d+)?gb", t)}
    if mems:
        kept = [c for c in cands if c.memory_gb in mems]
        cands = kept or cands
    return cands


@lru_cache(maxsize=1)
def _alias_index() -> tuple[tuple[tuple[str, ...], Hardware], ...]:
    pairs = [(tuple(normalise(a)), h) for h in hardware_table() for a in h.aliases]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _find(tokens: list[str], alias: tuple[str, ...]) -> int:
    n = len(alias)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == alias:
            return i
    return -1


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    return frozenset(t for alias, _ in _alias_index() for t in alias)


def _singular(tokens: list[str]) -> list[str]:
    """``h100s`` → ``h100`` unless the plural form is itself a name (``l40s``, ``v100s``)."""
    vocab = _vocabulary()
    return [t[:-1] if t.endswith("s") and t not in vocab and t[:-1] in vocab else t for t in tokens]


def resolve_hardware(text: str) -> HardwareMatch | None:
    """Resolve free text such as ``"8x A100 80GB"`` or ``"Tesla V100 SXM2"`` to a row.

    The longest alias found wins (``titan x pascal`` over ``titan x``); ties go to the
    earliest position.  Variants of the family are then narrowed by form factor
    (``pcie``/``sxm*``/``nvl``) and memory (``32gb``) tokens.  Returns None when no
    alias occurs.
    """
    tokens = _singular(normalise(text))
    best: tuple[int, int, tuple[str, ...], Hardware] | None = None
    for alias, hw in _alias_index():
        pos = _find(tokens, alias)
        if pos < 0:
            continue
        key = (len(alias), -pos)
        if best is None or key > (best[0], -best[1]):
            best = (len(alias), pos, alias, hw)
    if best is None:
        return None
    n, pos, alias, hw = best
    family = [h for h in hardware_table() if h.family == hw.family]
    cands = _variant_filter(family, tokens)
    return HardwareMatch(
        hardware=cands[0], candidates=tuple(cands), alias=" ".join(alias), start=pos, end=pos + n
    )
