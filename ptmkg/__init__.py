"""ptmkg: a reproducibility knowledge graph of pre-trained models."""

__version__ = "0.1.0"
__released__ = "2026-12-02"  # the date of this version: dates the query collection it ships

from ptmkg.kg import KG  # noqa: E402

__all__ = ["KG", "__version__"]
