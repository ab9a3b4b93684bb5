"""Figures of one fit: points and curves, loss per epoch, error against degree.

Built from plain dicts without per-property validation: these redraw many times a second while a
network trains (tests validate the output with a full `go.Figure(fig.to_dict())`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..data import DOMAIN, Dataset
from .common import (
    MODEL,
    NOISE,
    TRAIN,
    TRAIN_MARKER,
    TRUTH,
    VAL,
    VAL_MARKER,
    band_x,
    base_layout,
    figure,
    line_x,
    line_y,
    log_axis,
    log_axis_for,
    off_chart,
)

Curve = tuple[str, np.ndarray, str]  # (name, y on the grid, colour)

# Below the plot: in a half-width column a legend on top runs into the title.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"}
MARGIN_BELOW = {"l": 60, "r": 20, "t": 50, "b": 90}


def grid(n: int = 400, span: tuple[float, float] = DOMAIN) -> np.ndarray:
    """Evenly spaced x over span (the data's x-range, `Dataset.x_range`; the generated data's domain by default)."""
    return np.linspace(*span, n)


def _layout(title: str, x: str, y: str, height: int | None = None, **kw: Any) -> dict[str, Any]:
    extra = {"height": height} if height else {}
    return base_layout(title, x, y, legend=LEGEND_BELOW, margin=MARGIN_BELOW, **extra, **kw)


def fit_figure(
    data: Dataset,
    curves: Sequence[Curve],
    *,
    title: str = "Data and fitted curve",
    show_val: bool = True,
    labels: dict[str, str] | None = None,
    height: int | None = None,
) -> go.Figure:
    """Training points (circles), validation points (triangles), the truth (dashed) and fitted curves."""
    t = labels or {}
    x_lo, x_hi = data.x_range  # uploaded points may cover part of [-1, 1], or more
    xs = grid(span=(x_lo, x_hi))
    traces: list[dict[str, Any]] = []
    if show_val:
        traces.append(
            {
                "type": "scatter",
                "x": data.x_val.numpy(),
                "y": data.y_val.numpy(),
                "mode": "markers",
                "name": t.get("val", "validation points"),
                "marker": VAL_MARKER,
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": data.x.numpy(),
            "y": data.y.numpy(),
            "mode": "markers",
            "name": t.get("train", "training points"),
            "marker": TRAIN_MARKER,
        }
    )
    if data.has_truth:  # uploaded points have none
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": data.truth_fn(xs),
                "mode": "lines",
                "name": t.get("truth", "truth"),
                "line": {"color": TRUTH, "dash": "dash", "width": 2},
            }
        )
    for name, ys, colour in curves:
        traces.append(
            {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": name, "line": {"color": colour, "width": 3}}
        )
    # Fix the y range to the data: a wild interpolant should leave the frame, not squash the points.
    ys = np.concatenate([np.asarray(data.y), np.asarray(data.y_val)])  # numpy: no GIL hand-off per call
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.25 * (hi - lo) + 0.1
    lay = _layout(title, "x", "y", height)
    x_pad = 0.015 * (x_hi - x_lo)
    lay["xaxis"]["range"] = [x_lo - x_pad, x_hi + x_pad]
    lay["yaxis"]["range"] = [lo - pad, hi + pad]
    return figure(traces, lay)


def loss_figure(
    train_loss: Sequence[float],
    val_loss: Sequence[float],
    best_epoch: int | None,
    *,
    title: str = "Loss per epoch",
    metric: str = "MSE",
    labels: dict[str, str] | None = None,
    total_epochs: int | None = None,
) -> go.Figure:
    """Training and validation loss per epoch (log scale), best epoch marked, the rest shaded."""
    t = labels or {}
    tr, va = np.asarray(train_loss, dtype=float), np.asarray(val_loss, dtype=float)
    ep = np.arange(len(tr))
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": ep,
            "y": _finite(tr),
            "mode": "lines",
            "name": t.get("train", "training loss"),
            "line": {"color": TRAIN, "width": 2},
        },
        {
            "type": "scatter",
            "x": ep,
            "y": _finite(va),
            "mode": "lines",
            "name": t.get("val", "validation loss"),
            "line": {"color": VAL, "width": 2, "dash": "dot"},
        },
    ]
    lay = _layout(title, t.get("epoch", "epoch"), metric)
    lay["yaxis"].update(log_axis_for(tr, va))
    if best_epoch is not None and 0 <= best_epoch < len(va):
        end = max(len(tr) - 1, best_epoch)
        if end > best_epoch:
            band_x(lay, best_epoch, end, VAL)
        line_x(lay, best_epoch, VAL, "dash")
        traces.append(
            {
                "type": "scatter",
                "x": [best_epoch],
                "y": [va[best_epoch]],
                "mode": "markers",
                "name": t.get("best", "best epoch"),
                "marker": {"symbol": "star", "size": 14, "color": VAL, "line": {"width": 1, "color": "black"}},
            }
        )
    if total_epochs:
        lay["xaxis"]["range"] = [0, total_epochs]
    return figure(traces, lay)


def degree_figure(
    train_err: Sequence[float] | np.ndarray,
    val_err: Sequence[float] | np.ndarray,
    current: int,
    noise: float,
    *,
    title: str = "Error against polynomial degree",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Training and validation MSE for every degree, current and best degree marked, σ² as floor.

    The y axis spans the useful decades only: blown-up fits sit as ▲ on its top edge (hover: their value),
    interpolating fits' training error (~1e-30) on its bottom edge.
    """
    t = labels or {}
    tr, va = _finite(np.asarray(train_err, dtype=float)), _finite(np.asarray(val_err, dtype=float))
    d = np.arange(len(tr))
    best = best_degree(tr, va)
    lo, hi = degree_range(tr, va, noise)
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": d,
            "y": np.clip(tr, lo, hi),
            "mode": "lines+markers",
            "name": t.get("train", "training MSE"),
            "line": {"color": TRAIN},
            "marker": {"symbol": "circle"},
            "customdata": tr,
            "hovertemplate": "%{customdata:.3g}",
        },
        {
            "type": "scatter",
            "x": d,
            "y": np.where(va <= hi, np.maximum(va, lo), np.nan),  # above the top: a gap, and a ▲ below
            "mode": "lines+markers",
            "name": t.get("val", "validation MSE"),
            "line": {"color": VAL, "dash": "dot"},
            "marker": {"symbol": "triangle-up"},
            "customdata": va,
            "hovertemplate": "%{customdata:.3g}",
        },
        {
            "type": "scatter",
            "x": [best],
            "y": [va[best]],
            "mode": "markers",
            "name": t.get("best", "best degree"),
            "marker": {"symbol": "star", "size": 15, "color": VAL, "line": {"width": 1, "color": "black"}},
        },
    ]
    off = off_chart(d, va, hi, VAL, t.get("off", "validation MSE off the chart"))
    if off:
        traces.append(off)
    lay = _layout(title, t.get("degree", "degree"), "MSE")
    lay["yaxis"].update(log_axis(lo, hi, range_=True))
    line_x(lay, current, MODEL)
    lay["annotations"].append(  # inside the plot, so it never sits on the legend or the title
        {
            "x": current,
            "y": 0.98,
            "xref": "x",
            "yref": "paper",
            "text": t.get("current", "current"),
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"color": MODEL},
        }
    )
    if lo < noise**2 < hi:  # a tiny noise (1e-200) squares to 0, and a log axis cannot draw 0
        line_y(lay, noise**2, NOISE, text=t.get("noise", "noise σ²"), log_y=True)
    return figure(traces, lay)


def best_degree(tr: np.ndarray, va: np.ndarray) -> int:
    """The degree with the lowest validation error among those that do not interpolate the training points.

    An interpolant's training error is ~1e-30, a billionth of its validation error: with 8 points it is the
    minimum-norm curve through them, never the model a student should pick.
    """
    fits = np.isfinite(va) & (tr > 1e-9 * np.abs(va))
    return int(np.nanargmin(np.where(fits, va, np.nan))) if fits.any() else int(np.nanargmin(va))


def degree_range(tr: np.ndarray, va: np.ndarray, noise: float) -> tuple[float, float]:
    """The useful decades of the degree chart: from below the best errors to ~100x the simplest fit's."""
    ref = float(np.nanmin(va)) if np.isfinite(va).any() else 1.0  # the best validation error
    ref = max(ref, noise**2, 1e-12)
    first = float(va[0]) if np.isfinite(va[0]) else ref
    hi = 10 ** math.ceil(math.log10(30 * max(first, ref)))
    fitted = tr[np.isfinite(tr) & (tr > 1e-9 * ref)]  # interpolants' ~1e-30 would stretch the axis
    low = min(float(fitted.min()) if len(fitted) else ref, noise**2 if noise**2 > 0 else ref, ref)
    return 10 ** math.floor(math.log10(max(low, ref * 1e-4))), float(hi)


def _finite(a: np.ndarray) -> np.ndarray:
    """Non-finite values become gaps, so a diverged run still draws."""
    return np.where(np.isfinite(a), a, np.nan)
