"""Plotly figure builders: the only part of the package that imports plotly."""

from .common import MODEL, MODEL_B, TRAIN, VAL
from .fit import degree_figure, fit_figure, grid, loss_figure

__all__ = ["MODEL", "MODEL_B", "TRAIN", "VAL", "degree_figure", "fit_figure", "grid", "loss_figure"]
