"""Bias², variance and noise against training epochs (log axes), the measured test error, and the best epoch."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..bv_epochs import EpochCurves
from .common import BIAS, MODEL_B, NOISE, TRUTH, VAL, base_layout, figure, line_x, log_axis, log_axis_for

FLOOR = 1e-6  # a variance of exactly 0 (all networks start alike) has no place on a log axis
BEST = dict(symbol="star", size=15, color=VAL, line=dict(width=1, color="black"))


def bv_epochs_figure(c: EpochCurves, current: int | None = None, labels: dict[str, str] | None = None) -> go.Figure:
    """The decomposition at each recorded epoch: bias², variance, σ², their sum and the measured error (±2 SE).

    A star and a vertical line mark the epoch of lowest expected test error; `current` (an epoch) a dashed line.
    """
    t = {
        "title": "Bias² + variance + noise during training",
        "x": "epoch",
        "y": "MSE (mean over the datasets)",
        "bias2": "bias²",
        "var": "variance",
        "noise": "noise σ²",
        "total": "bias² + variance + σ²",
        "measured": "measured test error",
        "best": "lowest test error",
        "current": "current",
        **(labels or {}),
    }
    bv, x = c.bv, c.epochs.tolist()
    traces = []
    for name, y, colour, dash, symbol in (
        (t["bias2"], bv.bias2, BIAS, "dash", "square"),
        (t["var"], bv.var, MODEL_B, "dashdot", "diamond"),
        (t["noise"], np.full(len(x), bv.noise), NOISE, "dot", "line-ew"),
        (t["total"], bv.total, TRUTH, "solid", "circle"),
    ):
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": np.maximum(y, FLOOR).tolist(),
                "mode": "lines+markers",
                "name": name,
                "line": {"color": colour, "dash": dash, "width": 2},
                "marker": {"symbol": symbol, "size": 6, "color": colour},
                "hovertemplate": "%{y:.3g}",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": bv.measured.tolist(),
            "mode": "markers",
            "name": t["measured"],
            "marker": {"symbol": "triangle-up", "size": 10, "color": VAL, "line": {"width": 1, "color": "black"}},
            "error_y": {"type": "data", "array": (2 * bv.measured_se).tolist(), "color": VAL},
            "hovertemplate": "%{y:.3g}",
        }
    )
    i = int(np.argmin(bv.total))
    traces.append(
        {
            "type": "scatter",
            "x": [x[i]],
            "y": [float(bv.total[i])],
            "mode": "markers",
            "name": f"{t['best']} ({x[i]})",
            "marker": BEST,
            "hovertemplate": "%{x}: %{y:.3g}<extra></extra>",
        }
    )
    lay = base_layout(t["title"], t["x"], t["y"], height=460)
    lay["xaxis"] |= log_axis(min(x), max(x))
    lay["yaxis"] |= log_axis_for(np.maximum(bv.bias2, FLOOR), np.maximum(bv.var, FLOOR), bv.total, bv.measured)
    lay["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"}
    lay["margin"] = {**lay["margin"], "b": 120}
    line_x(lay, x[i], VAL, "dot")
    if current is not None:
        line_x(lay, current, TRUTH, "dash", t["current"])
    return figure(traces, lay)
