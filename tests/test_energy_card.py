"""Model-card carbon extraction (synthetic cards written for the test)."""

from ptmkg.energy import HardwareSpec, Unparsed, extract_card, parse_provider, split_front_matter

CARD = """---
license: mit
co2_eq_emissions:
  emissions: 1200
  source: codecarbon
  training_type: fine-tuning
  geographical_location: Oregon, USA
  hardware_used: 4 x A100
---
# Model

## Environmental impact
- **Hardware Type:** 8 A100
- **Hours used:** 72
- **Cloud Provider:** AWS
- **Compute Region:** us-east-1
- **Carbon Emitted** *(Power consumption x Time x Carbon produced based on location of power grid)*: 1.2 kg eq. CO2
"""


def test_yaml_wins_over_body():
    c = extract_card(CARD)
    assert c.hardware.origin == "yaml" and c.accelerator_count.parsed == 4
    assert isinstance(c.hardware.parsed, HardwareSpec) and c.hardware.parsed.match.hardware.family == "a100"
    assert c.emissions_g.parsed == 1200 and c.emissions_g.origin == "yaml"
    assert c.location.parsed == "USA" and c.source.parsed == "codecarbon"
    assert c.training_type.raw == "fine-tuning"


def test_body_fields():
    _, body = split_front_matter(CARD)
    c = extract_card(body)
    assert c.hardware.raw == "8 A100" and c.accelerator_count.parsed == 8
    assert c.hours.parsed.hours == 72 and c.cloud_provider.parsed == "aws"
    assert c.region.parsed == "us-east-1" and c.emissions_g.parsed == 1200.0
    assert c.emissions_g.origin == "body" and c.location is None


def test_numeric_yaml_is_grams_and_unknowns_unparsed():
    assert extract_card("---\nco2_eq_emissions: 17.5\n---\nbody").emissions_g.parsed == 17.5
    c = extract_card("* **Hours used:** Unknown\n* **Cloud Provider:** Unknown\n* **Hardware Type:** TPU v3-256\n")
    assert isinstance(c.hours.parsed, Unparsed) and isinstance(c.cloud_provider.parsed, Unparsed)
    assert c.accelerator_count.parsed == 128 and not c.hours.ok


def test_plain_lines_and_providers():
    c = extract_card("- Hardware type: RTX 2080 Ti.\n- Site: Zurich, Switzerland.\n- Carbon emitted: 0.6 kg CO2e\n")
    assert c.hardware.parsed.match.hardware.id == "nvidia-rtx-2080-ti" and c.accelerator_count is None
    assert c.location.parsed == "CHE" and c.emissions_g.parsed == 600
    assert parse_provider("GCP (as mentioned in the technical report)") == "gcp"
    assert parse_provider("Google Colab") == "gcp"
    assert isinstance(parse_provider("AWS and Azure"), Unparsed)


def test_no_front_matter_and_bad_yaml():
    assert split_front_matter("# title") == ({}, "# title")
    meta, body = split_front_matter("---\n: : :\n  - [\n---\nrest")
    assert meta == {} and body == "rest"
    assert extract_card("no carbon here").hardware is None


def test_template_placeholders_are_not_facts():
    card = ("## Environmental Impact\n- **Hardware Type:** [More Information Needed]\n"
            "- **Hours used:** {{ hours_used | default(\"[More Information Needed]\", true)}}\n"
            "- **Cloud Provider:** N/A\n- **Compute Region:** us-east-1\n")
    c = extract_card(card)
    assert (c.hardware, c.hours, c.cloud_provider) == (None, None, None)
    assert c.region is not None and c.region.parsed == "us-east-1"
