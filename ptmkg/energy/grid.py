"""Grid carbon intensity and data-centre PUE.

Intensities come from the data files shipped inside the ``codecarbon`` package
(read from its install directory; codecarbon itself is never imported or run):

* ``data/private_infra/global_energy_mix.json`` — per-country annual carbon intensity
  of electricity (Our World in Data energy data; the year is given per country);
* ``data/cloud/impact.csv`` — Google Cloud region intensities (source URL per row);
* ``data/private_infra/carbon_intensity_per_source.json`` — the world average (IEA) used
  as fallback.

AWS/Azure regions are mapped to their country by ``cloud_regions.csv``.  PUE defaults
per provider are in ``pue.csv`` with a source URL each.

Ranges: a country or region figure is one published annual value, so ``low == high``.
The world-average fallback carries the 10th–90th percentile of the per-country
intensities as its range.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path
from statistics import quantiles

__all__ = ["Intensity", "Pue", "grid_intensity", "default_pue", "country_iso3", "find_country"]


@dataclass(frozen=True)
class Intensity:
    """Grid carbon intensity in g CO2e/kWh with provenance."""

    g_per_kwh: float
    low: float
    high: float
    source: str
    year: int | None
    fallback: bool
    scope: str  # "cloud-region", "country" or "world"
    key: str  # region id, ISO3 code or "WORLD"


@dataclass(frozen=True)
class Pue:
    """Power usage effectiveness with its range and source."""

    provider: str
    pue: float
    low: float
    high: float
    year: int
    basis: str
    source_url: str


def _codecarbon_data() -> Path:
    spec = find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the codecarbon package (data files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _cc_label(path: str) -> str:
    return f"codecarbon {version('codecarbon')} {path}"


@lru_cache(maxsize=1)
def _energy_mix() -> dict[str, dict]:
    return json.loads((_codecarbon_data() / "private_infra/global_energy_mix.json").read_text())


@lru_cache(maxsize=1)
def _world() -> Intensity:
    per_source = json.loads((_codecarbon_data() / "private_infra/carbon_intensity_per_source.json").read_text())
    values = sorted(v["carbon_intensity"] for v in _energy_mix().values())
    deciles = quantiles(values, n=10)
    value = float(per_source["world_average"])
    return Intensity(
        g_per_kwh=value,
        low=deciles[0],
        high=deciles[-1],
        source=f"{per_source['world_average_source']} (via {_cc_label('carbon_intensity_per_source.json')}); "
        f"range = 10th-90th percentile of per-country intensities in global_energy_mix.json",
        year=2019,
        fallback=True,
        scope="world",
        key="WORLD",
    )


@lru_cache(maxsize=1)
def _cloud_impact() -> dict[tuple[str, str], dict]:
    text = (_codecarbon_data() / "cloud/impact.csv").read_text(encoding="utf-8-sig")
    return {(r["provider"].lower(), r["region"].lower()): r for r in csv.DictReader(text.splitlines())}


def _packaged_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(files("ptmkg.energy").joinpath(name).read_text(encoding="utf-8").splitlines()))


@lru_cache(maxsize=1)
def _region_countries() -> dict[tuple[str, str], str]:
    return {(r["provider"], r["region"]): r["country_iso3"] for r in _packaged_csv("cloud_regions.csv")}


_COUNTRY_ALIASES = {"usa": "USA", "us": "USA", "u.s.": "USA", "america": "USA", "uk": "GBR", "england": "GBR",
                    "scotland": "GBR", "holland": "NLD", "korea": "KOR", "south korea": "KOR", "russia": "RUS"}


@lru_cache(maxsize=512)
def country_iso3(name: str) -> str | None:
    """ISO 3166 alpha-3 code for a country name or code (``"France"``, ``"FR"``, ``"USA"``)."""
    key = name.strip().lower()
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    if key.upper() in _energy_mix():
        return key.upper()
    for iso, row in _energy_mix().items():
        if row["country_name"].lower() == key:
            return iso
    import pycountry  # installed with codecarbon

    try:
        return pycountry.countries.lookup(name.strip()).alpha_3
    except LookupError:
        return None


@lru_cache(maxsize=1)
def _country_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    names = {row["country_name"].lower(): iso for iso, row in _energy_mix().items()}
    names.update({"usa": "USA", "u.s.a.": "USA", "united states of america": "USA", "uk": "GBR"})
    ordered = sorted(names.items(), key=lambda kv: -len(kv[0]))
    return tuple((re.compile(rf"(?<![a-z]){re.escape(n)}(?![a-z])"), iso) for n, iso in ordered)


def close_countries(text: str, n: int = 3) -> list[str]:
    """Country names close to ``text`` (for "did you mean"), from the grid-intensity table."""
    from difflib import get_close_matches

    names = {row["country_name"]: iso for iso, row in _energy_mix().items() if row.get("country_name")}
    return get_close_matches(text.strip().title(), list(names), n=n, cutoff=0.75)


def find_country(text: str) -> str | None:
    """First country named in free text (``"Eemshaven, Netherlands, Europe"`` → ``NLD``)."""
    low = text.lower()
    hits = [(m.start(), iso) for pat, iso in _country_patterns() for m in [pat.search(low)] if m]
    return min(hits)[1] if hits else None


def _country(iso: str) -> Intensity | None:
    row = _energy_mix().get(iso)
    if row is None:
        return None
    v = float(row["carbon_intensity"])
    return Intensity(v, v, v, _cc_label("global_energy_mix.json") + " (Our World in Data energy data)",
                     int(row["year"]), False, "country", iso)


def _norm_region(region: str) -> str:
    return region.strip().lower()


def _region(region: str, provider: str | None) -> Intensity | None:
    reg = _norm_region(region)
    providers = [provider] if provider else ["gcp", "aws", "azure"]
    for p in providers:
        row = _cloud_impact().get((p, reg))
        if row is not None:
            v = float(row["impact"])
            return Intensity(v, v, v, f"{row['source']} (via {_cc_label('cloud/impact.csv')})",
                             None, False, "cloud-region", f"{p}:{reg}")
        iso = _region_countries().get((p, reg)) or _region_countries().get((p, re.sub(r"[\s-]", "", reg)))
        if iso is not None:
            found = _country(iso)
            if found is not None:
                return Intensity(found.g_per_kwh, found.low, found.high,
                                 f"{found.source}; region {p}:{reg} mapped to {iso} by ptmkg cloud_regions.csv",
                                 found.year, False, "country", iso)
    return None


def grid_intensity(country: str | None = None, region: str | None = None,
                   provider: str | None = None) -> Intensity:
    """Carbon intensity for a cloud region (preferred) or a country; otherwise the world
    average with ``fallback=True``.  ``provider`` is ``gcp``/``aws``/``azure``."""
    prov = provider.lower() if provider else None
    if region:
        found = _region(region, prov)
        if found is not None:
            return found
    if country:
        iso = country_iso3(country)
        found = _country(iso) if iso else None
        if found is not None:
            return found
    return _world()


@lru_cache(maxsize=1)
def _pue_table() -> dict[str, Pue]:
    return {
        r["provider"]: Pue(r["provider"], float(r["pue"]), float(r["pue_low"]), float(r["pue_high"]),
                           int(r["year"]), r["basis"], r["source_url"])
        for r in _packaged_csv("pue.csv")
    }


def default_pue(provider: str | None = None) -> Pue:
    """Published PUE of a cloud provider, or the ``default`` (industry average) row."""
    table = _pue_table()
    return table.get((provider or "default").lower(), table["default"])
