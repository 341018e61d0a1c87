"""Carbon fields from a Hugging Face model card: YAML front matter and Markdown body.

YAML: ``co2_eq_emissions`` as a number (grams, the Hub's convention) or a mapping with
``emissions`` (grams), ``source``, ``training_type``, ``geographical_location``,
``hardware_used``.  Body: the ML CO2 Impact template lines ("Hardware Type:", "Hours
used:", "Cloud Provider:", "Compute Region:", "Carbon Emitted (...):") and close
variants ("Site:", "Carbon emitted:").  Where both carry a field, YAML wins.

Cloud providers are normalised to ``aws``/``gcp``/``azure`` (Google Colab runs in
Google data centres and maps to ``gcp``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .grid import find_country
from .parse import HardwareSpec, Mass, Unparsed, parse_duration, parse_emissions, parse_hardware

__all__ = ["Field", "CardCarbon", "extract_card", "split_front_matter", "parse_provider", "FIELD_HINT"]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Field:
    """One extracted field: the raw text, its parsed value (or Unparsed) and origin."""

    raw: str
    parsed: object
    origin: str  # "yaml" or "body"

    @property
    def ok(self) -> bool:
        """True when the raw text parsed to a value."""
        return not isinstance(self.parsed, Unparsed)


@dataclass(frozen=True)
class CardCarbon:
    """Carbon-related fields of a card; None where the card says nothing."""

    hardware: Field | None = None
    accelerator_count: Field | None = None
    hours: Field | None = None
    cloud_provider: Field | None = None
    region: Field | None = None
    location: Field | None = None
    emissions_g: Field | None = None
    source: Field | None = None
    training_type: Field | None = None


_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def _load_mapping(text: str) -> dict:
    try:
        meta = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def split_front_matter(card: str) -> tuple[dict, str]:
    """(YAML mapping, body) of a card; ``({}, card)`` without valid front matter."""
    m = _FRONT_MATTER.match(card)
    if not m:
        return {}, card
    return _load_mapping(m.group(1)), card[m.end():]


_PROVIDERS = (("aws", r"\baws\b|amazon|sagemaker"), ("gcp", r"\bgcp\b|google|colab"),
              ("azure", r"azure|microsoft"))
_UNKNOWN = re.compile(r"^\W*(unknown|unavailable|not specified|n/?a|none|tbd|-+|\?)\W*$", re.I)


def parse_provider(text: str) -> str | Unparsed:
    """``"AWS"`` → ``aws``; ``"GCP (as mentioned ...)"`` → ``gcp``; else Unparsed."""
    low = text.lower()
    hits = [name for name, pat in _PROVIDERS if re.search(pat, low)]
    if len(hits) == 1:
        return hits[0]
    return Unparsed(text, "several providers named" if hits else "no known cloud provider")


_REGION = re.compile(r"\b([a-z]{2,}(?:-[a-z]+)+-?\d{1,2}[a-z]?|(?:east|west|north|south|central)[a-z]*\s?us\s?\d?"
                     r"|(?:us|eu|asia|europe)\s(?:east|west|north|south|central)\d?)\b", re.I)


def _parse_region(text: str) -> str | Unparsed:
    m = _REGION.search(text)
    if m:
        return re.sub(r"\s+", " ", m.group(1).lower()).strip()
    if _UNKNOWN.match(text):
        return Unparsed(text, "region stated as unknown")
    return Unparsed(text, "no cloud region code")


def _parse_location(text: str) -> str | Unparsed:
    if _UNKNOWN.match(text):
        return Unparsed(text, "location stated as unknown")
    iso = find_country(text)
    return iso if iso else Unparsed(text, "no country named")


_LABELS = {
    "hardware_type": r"hardware (?:type|used)|gpus? used",
    "hardware": r"hardware",
    "hours": r"hours used|training time|training duration",
    "cloud_provider": r"cloud provider",
    "region": r"compute region",
    "location": r"site|geographical location|location",
    "emissions": r"carbon emitted|co2 emitted|carbon emissions?|co2(?:eq)? emissions?|emissions?",
}
_LINE = re.compile(
    r"^\s*(?:[-*+]|\d+\.)?\s*(?P<label>" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items())
    + r")\s*(?:\([^)]*\))?\s*:\s*(?P<value>.+?)\s*$",
    re.I,
)


# A regex (Python and Rust syntax) that every card with a body field or front-matter emissions matches: a
# line starting, after bullets and emphasis, with the first word of a label, with a colon later on the line.
# Cheap to run over many cards at once (e.g. polars ``str.contains``) before calling :func:`extract_card`.
FIELD_HINT = (r"(?im)^[\s*_`+\-\d.]*(?:hardware|gpus?|hours|training|cloud|compute|site|geographical|location"
              r"|carbon|co2|emissions?)[^\n]*:")


def _body_fields(body: str) -> dict[str, str]:
    """First value for each label found in the body, emphasis markers removed."""
    found: dict[str, str] = {}
    for line in body.splitlines():
        clean = re.sub(r"[*_`]+", "", line)
        m = _LINE.match(clean)
        if not m:
            continue
        key = next(k for k in _LABELS if m.group(k))
        found.setdefault(key, m.group("value"))
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


# Model-card template text left in place means the field was not filled in.
_PLACEHOLDER = re.compile(r"^\W*(more information needed|needs more information|\{\{.*\}\}|n/?a|tbd|none)\W*$", re.I)


def _field(raw: str | None, parser, origin: str) -> Field | None:
    if raw is None or _PLACEHOLDER.match(raw):
        return None
    return Field(raw, parser(raw), origin)


def _count_field(hw: Field | None) -> Field | None:
    if hw is None or not isinstance(hw.parsed, HardwareSpec) or hw.parsed.count is None:
        return None
    return Field(hw.raw, hw.parsed.count, hw.origin)


def extract_card(card: str) -> CardCarbon:
    """Extract carbon fields from a full model card (front matter optional)."""
    m = _FRONT_MATTER.match(card)
    # Only co2_eq_emissions is read from the front matter: skip the YAML parse when it is not there.
    meta = _load_mapping(m.group(1)) if m and "co2_eq_emissions" in m.group(1) else {}
    body = card[m.end():] if m else card
    co2 = meta.get("co2_eq_emissions")
    y: dict[str, str | None] = {}
    if isinstance(co2, dict):
        y = {k: _text(co2.get(k)) for k in ("emissions", "source", "training_type",
                                            "geographical_location", "hardware_used")}
    elif co2 is not None:
        y = {"emissions": _text(co2)}
    b = _body_fields(body)

    def pick(ykey: str | None, bkey: str | None, parser) -> Field | None:
        if ykey and y.get(ykey) is not None and not _UNKNOWN.match(y[ykey] or ""):
            return _field(y[ykey], parser, "yaml")
        if bkey and bkey in b:
            return _field(b[bkey], parser, "body")
        return None

    hardware = pick("hardware_used", "hardware_type" if "hardware_type" in b else "hardware", parse_hardware)
    emissions = pick("emissions", None, lambda s: parse_emissions(s, default_unit="g"))
    if emissions is None and "emissions" in b:
        emissions = _field(b["emissions"], parse_emissions, "body")
    hours = pick(None, "hours", lambda s: parse_duration(s, default_unit="h"))
    return CardCarbon(
        hardware=hardware,
        accelerator_count=_count_field(hardware),
        hours=hours,
        cloud_provider=pick(None, "cloud_provider", parse_provider),
        region=pick(None, "region", _parse_region),
        location=pick("geographical_location", "location", _parse_location),
        emissions_g=Field(emissions.raw, emissions.parsed.grams if isinstance(emissions.parsed, Mass)
                          else emissions.parsed, emissions.origin) if emissions else None,
        source=pick("source", None, lambda s: s),
        training_type=pick("training_type", None, lambda s: s),
    )

