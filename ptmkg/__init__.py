"""ptmkg: a reproducibility knowledge graph of pre-trained models."""

__version__ = "0.1.0"

from ptmkg.kg import KG  # noqa: E402

__all__ = ["KG", "__version__"]
