"""Figures of the theory pages: capacity curve, bias-variance, spaghetti, learning curve, double descent.

Every error axis is logarithmic and clipped to the interesting range: an interpolating fit can miss
by 1e15, which would flatten everything else; hovering still reads the exact values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..analysis import Band, BiasVariance, CapacityCurve, DoubleDescent, LearningCurve, Spaghetti
from ..settings import log_grid
from .common import BIAS, MODEL, MODEL_B, NOISE, TRAIN, TRUTH, VAL, hline, layout, log_axis, log_axis_for, off_chart

DEGREE_COLOURS = (MODEL_B, MODEL, BIAS)  # learning-curve degrees; train/validation differ by dash and marker
FLOOR = 1e-6  # interpolating fits have error ~1e-30; keep the log axis readable
SPAGHETTI_MAX = 40  # more thin curves add nothing but weight in the browser
BEST_MARKER = dict(symbol="star", size=15, color=VAL, line=dict(width=1, color="black"))


def _band(fig: go.Figure, x: np.ndarray, b: Band, colour: str, name: str, *, dash: str = "solid", symbol: str) -> None:
    """A line of b.mid with markers, over a light fill between b.lo and b.hi."""
    lo, hi, mid = (np.maximum(v, FLOOR) for v in (b.lo, b.hi, b.mid))
    fig.add_scatter(x=x, y=hi, mode="lines", line=dict(width=0), hoverinfo="skip", showlegend=False)
    fig.add_scatter(
        x=x,
        y=lo,
        mode="lines",
        line=dict(width=0),
        fill="tonexty",
        fillcolor=_fade(colour),
        hoverinfo="skip",
        showlegend=False,
    )
    fig.add_scatter(
        x=x,
        y=mid,
        mode="lines+markers",
        name=name,
        line=dict(color=colour, dash=dash, width=2),
        marker=dict(symbol=symbol, size=7, color=colour),
        customdata=np.c_[b.lo, b.hi],
        hovertemplate="%{y:.3g} (%{customdata[0]:.3g} – %{customdata[1]:.3g})",
    )


def _fade(colour: str, alpha: float = 0.18) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _y_range(low: Sequence[float] | np.ndarray, high: float) -> list[float]:
    """Log-axis range from the smallest shown value to `high` (clipping the blow-ups above)."""
    lo = max(float(np.nanmin(np.maximum(low, FLOOR))), FLOOR)
    return [np.log10(lo) - 0.2, np.log10(max(high, 10 * lo))]


def _log_y(fig: go.Figure, rng: list[float]) -> float:
    """A capped log y axis over rng (exponents) with decade labels; returns its top value."""
    fig.update_yaxes(**log_axis(10 ** rng[0], 10 ** rng[1], range_=True))
    return float(10 ** rng[1])


def _off(fig: go.Figure, x: np.ndarray, y: np.ndarray, top: float, colour: str, name: str) -> None:
    """Values above the capped axis as ▲ on its top edge, their value on hover."""
    tr = off_chart(x, y, top, colour, name)
    if tr:
        fig.add_scatter(**{k: v for k, v in tr.items() if k != "type"})


def _vline(fig: go.Figure, x: float, text: str, log_x: bool, dash: str = "solid") -> None:
    """A vertical line with a label at its top."""
    fig.add_vline(x=x, line=dict(color=MODEL, width=2, dash=dash))
    # vline annotations take a log axis' x as an exponent (x=20 lands at 1e20): place the label ourselves
    fig.add_annotation(
        x=np.log10(x) if log_x else x, y=1, yref="paper", text=text, showarrow=False, xanchor="left", yanchor="top"
    )


def _log_x(fig: go.Figure, x: np.ndarray) -> None:
    """A log x axis with ticks on the 1-2-5 grid."""
    ticks = log_grid(float(np.min(x)), float(np.max(x)))
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{v:g}" for v in ticks])  # plain counts, never "1k"


def _legend_below(fig: go.Figure) -> None:
    """Many legend entries: below the plot, in trace order, so they never cover the title."""
    fig.update_layout(
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.22, yanchor="top", traceorder="normal"),
        height=460,
        margin=dict(b=120),
    )


def _marks(
    fig: go.Figure, best: float, best_y: float, current: float | None, t: dict[str, str], noise: float, log_x: bool
) -> None:
    """The best capacity (star), the current one (vertical line) and the noise floor σ² (dashed)."""
    fig.add_scatter(x=[best], y=[max(best_y, FLOOR)], mode="markers", name=t["best"], marker=BEST_MARKER)
    if current is not None:
        _vline(fig, current, t["current"], log_x)
    if noise**2 > 0:  # a tiny noise (1e-200) squares to 0, and a log axis cannot draw 0
        hline(fig, noise**2, NOISE, t["noise"], log_y=True)


def capacity_figure(
    cc: CapacityCurve,
    current: float | None,
    noise: float,
    *,
    title: str = "Error against capacity",
    xlabel: str = "degree",
    log_x: bool = False,
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Median training and validation MSE over the datasets with 10–90% bands; best and current capacity marked.

    The y axis is capped ~30x above the simplest model's error: medians above it sit as ▲ on the top edge.
    """
    t = {
        "train": "training MSE",
        "val": "validation MSE",
        "best": "best",
        "current": "current",
        "noise": "noise σ²",
        "off": "off the chart",
        "y": "MSE (median over the datasets)",
        **(labels or {}),
    }
    fig = go.Figure()
    _band(fig, cc.cap, cc.train, TRAIN, t["train"], symbol="circle")
    _band(fig, cc.cap, cc.val, VAL, t["val"], dash="dot", symbol="triangle-up")
    i = int(np.nanargmin(cc.val.mid))
    _marks(fig, cc.best, cc.val.mid[i], current, t, noise, log_x)
    top = _log_y(fig, _y_range(cc.train.lo, 30 * max(cc.val.mid[0], noise**2)))
    _off(fig, cc.cap, cc.val.mid, top, VAL, t["off"])
    if log_x:
        fig.update_xaxes(type="log", tickvals=cc.cap, ticktext=[f"{v:g}" for v in cc.cap])
    layout(fig, title, xlabel, t["y"])
    _legend_below(fig)  # above the plot, a phone's narrow chart wrapped it over the title
    return fig


def bias_variance_figure(
    bv: BiasVariance,
    current: float | None,
    *,
    title: str = "Bias² + variance + noise = expected test error",
    xlabel: str = "degree",
    log_x: bool = False,
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """bias², variance and σ² against capacity, their sum (line) and the measured test error (triangles, ±2 SE)."""
    t = {
        "bias2": "bias²",
        "var": "variance",
        "noise": "noise σ²",
        "total": "bias² + variance + σ²",
        "measured": "measured test error",
        "best": "best",
        "current": "current",
        "off": "off the chart",
        "y": "MSE (mean over the datasets)",
        **(labels or {}),
    }
    x = bv.cap
    fig = go.Figure()
    lines = (
        (t["bias2"], bv.bias2, BIAS, "dash", "square"),
        (t["var"], bv.var, MODEL_B, "dashdot", "diamond"),
        (t["noise"], np.full(len(x), bv.noise), NOISE, "dot", "line-ew"),
        (t["total"], bv.total, TRUTH, "solid", "circle"),
    )
    for name, y, colour, dash, symbol in lines:
        fig.add_scatter(
            x=x,
            y=np.maximum(y, FLOOR),
            mode="lines+markers",
            name=name,
            line=dict(color=colour, dash=dash, width=2),
            marker=dict(symbol=symbol, size=6, color=colour),
            hovertemplate="%{y:.3g}",
        )
    fig.add_scatter(
        x=x,
        y=bv.measured,
        mode="markers",
        name=t["measured"],
        marker=dict(symbol="triangle-up", size=10, color=VAL, line=dict(width=1, color="black")),
        error_y=dict(type="data", array=2 * bv.measured_se, color=VAL),
        hovertemplate="%{y:.3g}",
    )
    _marks(fig, bv.best, float(bv.total.min()), current, t, 0.0, log_x)
    low = np.r_[bv.bias2, bv.var, bv.noise]
    top = _log_y(fig, _y_range(low[low > 0] if (low > 0).any() else low, 30 * bv.total[0]))
    _off(fig, x, bv.total, top, TRUTH, t["off"])
    if log_x:
        fig.update_xaxes(type="log", tickvals=x, ticktext=[f"{v:g}" for v in x])
    layout(fig, title, xlabel, t["y"])
    _legend_below(fig)
    return fig


def spaghetti_figure(
    sp: Spaghetti,
    *,
    title: str = "Fits to different datasets",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Up to SPAGHETTI_MAX fitted curves (thin), their mean over all datasets (thick) and the truth (dashed)."""
    t = {"fits": "fit to one dataset", "mean": "mean fit", "truth": "truth", **(labels or {})}
    fits = sp.fits[:SPAGHETTI_MAX]  # (S, G)
    # One trace with gaps between curves: 40 traces would cost 40 legend entries and render slower.
    xs = np.tile(np.r_[sp.x, np.nan], len(fits))
    ys = np.c_[fits, np.full(len(fits), np.nan)].ravel()
    fig = go.Figure()
    fig.add_scatter(
        x=xs, y=ys, mode="lines", name=t["fits"], line=dict(color=MODEL_B, width=1), opacity=0.35, hoverinfo="skip"
    )
    fig.add_scatter(x=sp.x, y=sp.truth, mode="lines", name=t["truth"], line=dict(color=TRUTH, dash="dash", width=2))
    fig.add_scatter(x=sp.x, y=sp.mean, mode="lines", name=t["mean"], line=dict(color=MODEL, width=3))
    span = float(np.ptp(sp.truth)) or 1.0
    fig.update_yaxes(range=[sp.truth.min() - 0.6 * span, sp.truth.max() + 0.6 * span])
    return layout(fig, title, "x", "y")


def learning_figure(
    lc: LearningCurve,
    noise: float,
    *,
    title: str = "Error against the number of training points",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Per degree (colour): median training MSE (solid, circles) and validation MSE (dotted, triangles, band)."""
    t = {
        "train": "degree {d}: training",
        "val": "degree {d}: validation",
        "noise": "noise σ²",
        "n": "training points",
        "y": "MSE (median over the datasets)",
        **(labels or {}),
    }
    fig = go.Figure()
    for d, tr, va, colour in zip(lc.degrees, lc.train, lc.val, DEGREE_COLOURS * 2, strict=False):
        fig.add_scatter(
            x=lc.n,
            y=np.maximum(tr.mid, FLOOR),
            mode="lines+markers",
            name=t["train"].format(d=d),
            line=dict(color=colour, width=2),
            marker=dict(symbol="circle", size=7, color=colour),
            hovertemplate="%{y:.3g}",
        )
        _band(fig, lc.n, va, colour, t["val"].format(d=d), dash="dot", symbol="triangle-up")
    if noise**2 > 0:  # a tiny noise (1e-200) squares to 0, and a log axis cannot draw 0
        hline(fig, noise**2, NOISE, t["noise"], log_y=True)
    # Interpolating fits (training error 0) drop off the bottom rather than stretch the axis to 1e-6.
    low = [max(float(np.min([b.mid for b in lc.train])), 1e-3 * (noise**2 or 1.0))]
    high = max(30 * max(float(b.mid[-1]) for b in lc.val), 30 * noise**2)
    _log_y(fig, _y_range(low, high))
    _log_x(fig, lc.n)
    layout(fig, title, t["n"], t["y"])
    _legend_below(fig)
    return fig


def double_descent_figure(
    dd: DoubleDescent,
    *,
    title: str = "Double descent",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Median training and test MSE against the feature count (10–90% bands); the threshold p = N marked."""
    t = {
        "train": "training MSE",
        "val": "test MSE",
        "threshold": "interpolation threshold p = N = {n}",
        "p": "features p",
        "y": "MSE (median over the datasets)",
        **(labels or {}),
    }
    fig = go.Figure()
    _band(fig, dd.p, dd.train, TRAIN, t["train"], symbol="circle")
    _band(fig, dd.p, dd.test, VAL, t["val"], dash="dot", symbol="triangle-up")
    _vline(fig, dd.n, t["threshold"].format(n=dd.n), log_x=True, dash="dash")
    below = dd.p < dd.n
    first = float(dd.test.mid[below].min()) if below.any() else float(dd.test.mid.min())
    # The training error is 0 beyond the threshold: it drops off the bottom, below the test error.
    _log_y(fig, _y_range([float(dd.test.mid.min()) / 10], 1e3 * first))
    _log_x(fig, dd.p)
    layout(fig, title, t["p"], t["y"])
    fig.update_layout(legend_traceorder="normal")
    return fig


def norm_figure(
    dd: DoubleDescent,
    *,
    title: str = "Size of the fitted weights",
    labels: dict[str, str] | None = None,
) -> go.Figure:
    """Median ‖c‖ of the minimum-norm weights against p: it peaks at the threshold too."""
    t = {"norm": "weight norm ‖c‖", "p": "features p", **(labels or {})}
    fig = go.Figure()
    _band(fig, dd.p, dd.norm, MODEL_B, t["norm"], symbol="diamond")
    fig.add_vline(x=dd.n, line=dict(color=MODEL, width=2, dash="dash"))
    fig.update_yaxes(**log_axis_for(dd.norm.lo, dd.norm.hi, dd.norm.mid))
    _log_x(fig, dd.p)
    return layout(fig, title, t["p"], t["norm"])
