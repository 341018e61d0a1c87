"""Sampling frames: what population each source's snapshots can speak for, and how they were drawn.

A claim's verdict (SUPPORTED / NOT SUPPORTED) is only as good as the frame it was measured on: a sample of
popular model families says nothing about the share of *all* Hub models with a card. Each source has one
:class:`Frame` here, looked up by source name (the ``hf`` source by the kind of its input files);
``SnapshotInfo.metadata`` writes it into the snapshot's catalog record, and the claims engine gives a verdict
only where the frame covers the claim's population (``POPULATIONS`` keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from ptmkg.namespaces import ID

CENSUS, STUDY_SAMPLE, CONVENIENCE = "census", "study sample", "convenience sample"

POPULATIONS: dict[str, str] = {
    "hf-models": "all Hugging Face Hub models at a date",
    "hf-family-trees": "Hugging Face model family trees (lineage from a base model)",
    "hf-co2-reporting": "Hugging Face models whose metadata report training emissions (co2_eq_emissions)",
    "hf-top-downloads": "the most downloaded Hugging Face models (top-k by monthly downloads), the Hub side of "
                        "registry comparisons",
    "ptlms-2024": "pre-trained language models on Hugging Face collected by Ajibode et al. (52,227 PTLMs, 2024)",
    "peatmoss-2023": "PeaTMOSS: Hugging Face and PyTorch Hub PTMs and the GitHub repositories that reuse them (2023)",
    "peatmoss-popular-2023": "PeaTMOSS PTMs with more than 50 monthly downloads (14,296, 2023)",
    "ptm-hub-packages": "PTM packages on model hubs (PTMTorrent: Hugging Face, PyTorch Hub, ONNX Model Zoo, ...)",
    "code-lm-papers-2023": "publications training language models for code tasks (Hort et al. review, to 2023)",
    "published-ml-models": "published ML models with reported training energy (Counting Carbon's 95)",
    "pmc-jupyter": "PubMed Central articles citing GitHub repositories with Jupyter notebooks, and those notebooks",
    "hf-practitioners": "Hugging Face practitioners (interview studies)",
    "hf-forum": "Hugging Face forum topics and Hub uploads",
    "dl-reengineering-issues": "issues of open-source deep-learning re-engineering repositories",
    "hf-mirror-2024": "a mirrored Hugging Face instance scanned for malicious models (2024)",
    "reproduction-project": "one team's reproduction project",
}


@dataclass(frozen=True)
class Frame:
    """The sampling frame of a source's snapshots: its kind, the populations it covers (a claim about one of them
    can be judged on it), how it was drawn, by which study, and from which larger population (``drawn_from``)."""

    kind: str
    covers: tuple[str, ...]
    drawn: str
    study: str = ""
    drawn_from: str = ""

    def __post_init__(self) -> None:
        unknown = (set(self.covers) | {self.drawn_from}) - set(POPULATIONS) - {""}
        if self.kind not in {CENSUS, STUDY_SAMPLE, CONVENIENCE} or unknown:
            raise ValueError(f"bad frame: kind {self.kind!r}, unknown populations {sorted(unknown)}")


FAMILY_TREES = Frame(CONVENIENCE, ("hf-family-trees",),
                     "24 family trees rooted at popular base models, published by the authors",
                     "Laufer, Oderinwale, Kleinberg, Anatomy of a Machine Learning Ecosystem, arXiv:2508.06811",
                     drawn_from="hf-models")
HUB_HARVEST = Frame(CONVENIENCE, (), "Hub records harvested by search, author or listing order (not a census)",
                    drawn_from="hf-models")
FRAMES: dict[str, Frame] = {
    "hf": HUB_HARVEST,
    "starter": Frame(CONVENIENCE, (), "seeded demo subset of the family trees chosen to show every lineage relation",
                     drawn_from="hf-family-trees"),
    "starter-carbon": Frame(CONVENIENCE, (), "demo subset of the 2026 carbon re-extraction, models naming "
                                             "their hardware first", drawn_from="hf-co2-reporting"),
    "hf-carbon": Frame(CENSUS, ("hf-co2-reporting",),
                       "every Hub model whose metadata report co2_eq_emissions at mining time",
                       "Castaño et al., ESEM 2023 (2023 snapshot); its April 2026 re-extraction", "hf-models"),
    "ptlm-versioning": Frame(STUDY_SAMPLE, ("ptlms-2024",),
                             "PTLMs found on the Hub by the study's search; check samples drawn from them",
                             "Ajibode et al., EMSE, arXiv:2409.10472", "hf-models"),
    "esem24": Frame(STUDY_SAMPLE, ("hf-top-downloads", "peatmoss-2023"),
                    "PeaTMOSS June 2022 download snapshot (models with downloads) and its descendants table",
                    "Jones et al., ESEM 2024, arXiv:2406.08205", "hf-models"),
    "hf-extraction": Frame(STUDY_SAMPLE, ("peatmoss-popular-2023",),
                           "50 hand-labelled and 500 automatically extracted PeaTMOSS models with >50 downloads",
                           "PurdueDualityLab hf-metadata-extraction", "peatmoss-popular-2023"),
    "peatmoss": Frame(CENSUS, ("peatmoss-2023",), "the PeaTMOSS database as published",
                      "Jiang et al., MSR 2024, arXiv:2402.00699"),
    "ptmtorrent": Frame(STUDY_SAMPLE, ("ptm-hub-packages",),
                        "PTMTorrent's ONNX Model Zoo and PyTorch Hub packages (the shared copy)",
                        "Jiang et al., MSR 2023, arXiv:2303.08934"),
    "counting-carbon": Frame(STUDY_SAMPLE, ("published-ml-models",),
                             "95 published models chosen by the authors for their energy data",
                             "Luccioni & Hernández-García, arXiv:2302.08476"),
    "fairjupyter": Frame(CENSUS, ("pmc-jupyter",),
                         "every PMC article citing a GitHub repository with Jupyter notebooks (the public tables)",
                         "Samuel & Mietchen, FAIR Jupyter"),
    "literature": Frame(STUDY_SAMPLE, ("code-lm-papers-2023",),
                        "a systematic-review coding sheet in the Hort et al. layout, one row per publication",
                        "Hort, Grishina, Moonen, ESEM 2023, arXiv:2307.02443"),
}


def frame_for(source: str, files: tuple[str, ...] = ()) -> Frame | None:
    """The frame of a source's snapshot; ``hf`` family-tree CSVs are the family-tree sample. None: not data."""
    if source == "hf" and files and all(f.endswith(".csv") for f in files):
        return FAMILY_TREES
    return FRAMES.get(source)


def population_iri(key: str) -> str:
    """``id/population/<key>``."""
    return f"{ID}population/{key}"
