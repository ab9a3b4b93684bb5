"""Plotly figure builders: the only part of the package that imports plotly."""

import plotly.graph_objects as go

from .common import MODEL, MODEL_B, TRAIN, VAL, presentation
from .fit import degree_figure, fit_figure, grid, loss_figure
from .playback import to_html

Figure = go.Figure

__all__ = [
    "MODEL",
    "MODEL_B",
    "TRAIN",
    "VAL",
    "Figure",
    "degree_figure",
    "fit_figure",
    "grid",
    "loss_figure",
    "presentation",
    "to_html",
]
