"""Figures of one fit: points and curves, loss per epoch, error against degree."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..data import DOMAIN, Dataset
from .common import MODEL, NOISE, TRAIN, TRAIN_MARKER, TRUTH, VAL, VAL_MARKER, hline, layout, vline, vrect

Curve = tuple[str, np.ndarray, str]  # (name, y on the grid, colour)


def grid(n: int = 400) -> np.ndarray:
    """Evenly spaced x over the data domain, for drawing curves."""
    return np.linspace(*DOMAIN, n)


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
    xs = grid()
    fig = go.Figure()
    if show_val:
        fig.add_scatter(
            x=data.x_val.numpy(),
            y=data.y_val.numpy(),
            mode="markers",
            name=t.get("val", "validation points"),
            marker=VAL_MARKER,
        )
    fig.add_scatter(
        x=data.x.numpy(), y=data.y.numpy(), mode="markers", name=t.get("train", "training points"), marker=TRAIN_MARKER
    )
    if data.has_truth:  # uploaded points have none
        fig.add_scatter(
            x=xs,
            y=data.truth_fn(xs),
            mode="lines",
            name=t.get("truth", "truth"),
            line=dict(color=TRUTH, dash="dash", width=2),
        )
    for name, ys, colour in curves:
        fig.add_scatter(x=xs, y=ys, mode="lines", name=name, line=dict(color=colour, width=3))
    # Fix the y range to the data: a wild interpolant should leave the frame, not squash the points.
    lo, hi = float(min(data.y.min(), data.y_val.min())), float(max(data.y.max(), data.y_val.max()))
    pad = 0.25 * (hi - lo) + 0.1
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_xaxes(range=[DOMAIN[0] - 0.03, DOMAIN[1] + 0.03])
    return layout(fig, title, "x", "y", **({"height": height} if height else {}))


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
    fig = go.Figure()
    fig.add_scatter(
        x=ep, y=_finite(tr), mode="lines", name=t.get("train", "training loss"), line=dict(color=TRAIN, width=2)
    )
    fig.add_scatter(
        x=ep,
        y=_finite(va),
        mode="lines",
        name=t.get("val", "validation loss"),
        line=dict(color=VAL, width=2, dash="dot"),
    )
    if best_epoch is not None and 0 <= best_epoch < len(va):
        end = max(len(tr) - 1, best_epoch)
        if end > best_epoch:
            vrect(fig, best_epoch, end, VAL)
        vline(fig, best_epoch, VAL, "dash")
        fig.add_scatter(
            x=[best_epoch],
            y=[va[best_epoch]],
            mode="markers",
            name=t.get("best", "best epoch"),
            marker=dict(symbol="star", size=14, color=VAL, line=dict(width=1, color="black")),
        )
    if total_epochs:
        fig.update_xaxes(range=[0, total_epochs])
    fig.update_yaxes(type="log")
    return layout(fig, title, t.get("epoch", "epoch"), metric)


def degree_figure(
    train_err: Sequence[float],
    val_err: Sequence[float],
    current: int,
    noise: float,
    *,
    title: str = "Error against polynomial degree",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Training and validation MSE for every degree, current degree and best degree marked, σ² as floor."""
    t = labels or {}
    tr, va = np.asarray(train_err, dtype=float), np.asarray(val_err, dtype=float)
    d = np.arange(len(tr))
    fig = go.Figure()
    fig.add_scatter(
        x=d,
        y=_floor(tr),
        mode="lines+markers",
        name=t.get("train", "training MSE"),
        line=dict(color=TRAIN),
        marker=dict(symbol="circle"),
    )
    fig.add_scatter(
        x=d,
        y=_floor(va),
        mode="lines+markers",
        name=t.get("val", "validation MSE"),
        line=dict(color=VAL, dash="dot"),
        marker=dict(symbol="triangle-up"),
    )
    best = int(np.nanargmin(va))
    fig.add_scatter(
        x=[best],
        y=[va[best]],
        mode="markers",
        name=t.get("best", "best degree"),
        marker=dict(symbol="star", size=15, color=VAL, line=dict(width=1, color="black")),
    )
    vline(fig, current, MODEL, text=t.get("current", "current"))
    if noise**2 > 0:  # a tiny noise (1e-200) squares to 0, and a log axis cannot draw 0
        hline(fig, noise**2, NOISE, text=t.get("noise", "noise σ²"), log_y=True)
    fig.update_yaxes(type="log")
    return layout(fig, title, t.get("degree", "degree"), "MSE")


def _finite(a: np.ndarray) -> np.ndarray:
    """Non-finite values become gaps, so a diverged run still draws."""
    return np.where(np.isfinite(a), a, np.nan)


def _floor(a: np.ndarray) -> np.ndarray:
    """Interpolating fits have error ~1e-30; floor it so the log axis stays readable."""
    return np.maximum(_finite(a), 1e-6)
