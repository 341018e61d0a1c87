"""Jupyter widgets over a :class:`ptmkg.KG` (ipywidgets 8); each keeps its state testable without a browser."""

from ptmkg.widgets.claim_explorer import ClaimExplorer
from ptmkg.widgets.energy_calculator import EnergyCalculator
from ptmkg.widgets.exercise import ExerciseWidget
from ptmkg.widgets.lineage_explorer import LineageExplorer
from ptmkg.widgets.query_explorer import QueryExplorer

__all__ = ["ClaimExplorer", "EnergyCalculator", "ExerciseWidget", "LineageExplorer", "QueryExplorer"]
