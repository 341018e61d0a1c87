"""ptmkg: a reproducibility knowledge graph of pre-trained models."""

__version__ = "0.1.0"
__released__ = "2026-12-02"  # the date of this version: dates the query collection it ships

__all__ = ["KG", "__version__"]


def __getattr__(name: str) -> object:
    """``ptmkg.KG``, imported on first use (so that ``ptmkg --help`` does not load the store and polars)."""
    if name == "KG":
        from ptmkg.kg import KG

        return KG
    raise AttributeError(f"module 'ptmkg' has no attribute {name!r}")
