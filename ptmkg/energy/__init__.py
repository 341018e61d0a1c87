"""Energy and carbon of model training: accelerator table, grid intensity and PUE,
parsers for hardware/duration/emission text, an estimator and model-card extraction.

Pure library: no graph or store code; the store layer calls this public API.
"""

from .basis import Basis, report_basis
from .card_extract import CardCarbon, Field, extract_card, parse_provider, split_front_matter
from .estimate import Estimate, estimate
from .grid import Intensity, Pue, country_iso3, default_pue, find_country, grid_intensity
from .hardware import Hardware, HardwareMatch, hardware_table, resolve_hardware
from .parse import (Duration, Energy, HardwareSpec, Mass, Unparsed, parse_duration, parse_emissions,
                    parse_energy, parse_hardware, parse_number)

__all__ = [
    "Basis", "report_basis",
    "CardCarbon", "Field", "extract_card", "parse_provider", "split_front_matter",
    "Estimate", "estimate",
    "Intensity", "Pue", "country_iso3", "default_pue", "find_country", "grid_intensity",
    "Hardware", "HardwareMatch", "hardware_table", "resolve_hardware",
    "Duration", "Energy", "HardwareSpec", "Mass", "Unparsed",
    "parse_duration", "parse_emissions", "parse_energy", "parse_hardware", "parse_number",
]
