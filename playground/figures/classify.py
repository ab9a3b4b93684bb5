"""Figures of a classifier: decision boundary over the points, loss and accuracy per epoch, confusion matrix.

These are redrawn many times while a network trains, so they are built from plain dicts without
Plotly's per-property validation (about 0.5 ms instead of about 5 ms a figure, measured on the page's figures).
The tests validate every builder's output with a full `go.Figure(fig.to_dict())`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from ..data import Dataset
from .common import HEIGHT, NOISE, TRAIN, VAL, layout, log_axis_for

# Okabe–Ito blue and vermillion: the classes stay apart under every common colour-vision deficiency.
CLASS_COLOURS = ("#0072B2", "#D55E00")
CLASS_LIGHT = ("#80B9D9", "#EAAF80")  # the same hues halfway to white, for the probability background
CLASS_SYMBOLS = ("circle", "diamond")  # class is shown by colour and by shape
BOUNDARY = "#000000"
LEGEND_MARGIN = 100  # px below the plot: the x-axis title and up to two rows of legend
TRACE_TYPES = ("heatmap", "contour", "scatter")  # the only trace types drawn here


@functools.cache
def _base_layout() -> dict[str, Any]:
    """The shared chart look (common.layout) as a plain dict, computed once.

    The template keeps its trace defaults only for the trace types used here: the same look, and a
    third of the template's size, which every redraw copies and serializes.
    """
    base = layout(go.Figure(), "", "", "").layout.to_plotly_json()
    tpl = base.get("template") or pio.templates[pio.templates.default].to_plotly_json()
    data = {k: v for k, v in tpl.get("data", {}).items() if k in TRACE_TYPES}
    return {**base, "template": {**tpl, "data": data}}


def _layout(title: str, x: str, y: str, height: int = HEIGHT, **kw: Any) -> dict[str, Any]:
    base = _base_layout()  # shared, never mutated: only top-level keys are replaced
    return {
        **base,
        "title": {**base["title"], "text": title},
        "xaxis": {"title": {"text": x}},
        "yaxis": {"title": {"text": y}},
        "height": height,
        # The legend sits at the foot of the figure: in a half-width column a top legend runs into the title.
        "legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
        "margin": {**base.get("margin", {}), "b": LEGEND_MARGIN},
        **kw,
    }


def class_colourscale(discrete: bool) -> list[list[Any]]:
    """Light blue through white to light orange for P(class 1), or (discrete) the predicted class's colour only."""
    if discrete:  # a step at 0.5: every cell takes its predicted class's colour (interpolated z keeps the edge)
        return [[0.0, CLASS_LIGHT[0]], [0.5, CLASS_LIGHT[0]], [0.5, CLASS_LIGHT[1]], [1.0, CLASS_LIGHT[1]]]
    return [[0.0, CLASS_LIGHT[0]], [0.5, "#FFFFFF"], [1.0, CLASS_LIGHT[1]]]


def class_colourbar(t: dict[str, str], discrete: bool, top: float = 1.0) -> dict[str, Any]:
    """The colour bar's title and ticks: probabilities, or the two classes (top: z of P = 1)."""
    if discrete:
        return {
            "title": {"text": t.get("pred", "predicted class")},
            "tickvals": [top / 4, 3 * top / 4],
            "ticktext": [t.get("class0", "class 0"), t.get("class1", "class 1")],
        }
    return {"title": {"text": t.get("prob", "P(class 1)")}}


def _figure(traces: list[dict[str, Any]], lay: dict[str, Any]) -> go.Figure:
    return go.Figure(data=traces, layout=lay, _validate=False)


def boundary_figure(
    data: Dataset,
    gx: np.ndarray,
    gy: np.ndarray,
    prob: np.ndarray,
    *,
    title: str = "Decision boundary",
    labels: dict[str, str] | None = None,
    height: int = 460,
    show_val: bool = True,
    discrete: bool = False,
) -> go.Figure:
    """P(class 1) as a background over the grid, the 0.5 contour, training (filled) and validation (open) points.

    `discrete` colours each cell by its predicted class instead of the probability (TensorFlow Playground's
    "Discretize output"); `show_val` False leaves the validation points out.
    """
    t = labels or {}
    hover = "x1 %{x:.2f}, x2 %{y:.2f}<br>P = %{z:.2f}<extra></extra>"
    extra: dict[str, Any] = {}
    if discrete:  # the class under the cursor (P stays in the hover: what the class was decided from)
        extra["customdata"] = (np.asarray(prob) > 0.5).astype(np.int8)
        cls = t.get("class", "class")
        hover = f"x1 %{{x:.2f}}, x2 %{{y:.2f}}<br>{cls} %{{customdata}} (P = %{{z:.2f}})<extra></extra>"
    # One contour trace draws both: the probability as a smooth background (coloring "heatmap") and a single
    # line at P = 0.5, the decision boundary. One trace sends the grid once.
    traces: list[dict[str, Any]] = [
        {
            "type": "contour",
            "x": gx,
            "y": gy,
            "z": prob,  # (len(gy), len(gx))
            "zmin": 0.0,
            "zmax": 1.0,
            "autocontour": False,
            "contours": {"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "heatmap", "showlabels": False},
            "line": {"color": BOUNDARY, "width": 2.5, "smoothing": 0.0},
            "colorscale": class_colourscale(discrete),
            "colorbar": {**class_colourbar(t, discrete), "thickness": 12, "len": 0.8},
            "hovertemplate": hover,
            "name": t.get("boundary", "boundary (P = 0.5)"),
            "showlegend": False,
            **extra,
        },
        {  # the legend entry of the boundary (a contour's own entry shows its colour scale, not the line)
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "lines",
            "name": t.get("boundary", "boundary (P = 0.5)"),
            "line": {"color": BOUNDARY, "width": 2.5},
        },
    ]
    sets = [("train", data.x, data.y, False)]
    if show_val:
        sets.append(("val", data.x_val, data.y_val, True))
    for which, xt, yt, hollow in sets:
        x, y = xt.numpy(), yt.numpy()  # (N, 2), (N,)
        for c in (0, 1):
            pts = x[y == c].round(4)  # (N_c, 2)
            traces.append(
                {
                    "type": "scatter",
                    # plain lists: for a few hundred numbers JSON beats Plotly's per-array base64 path
                    "x": pts[:, 0].tolist(),
                    "y": pts[:, 1].tolist(),
                    "mode": "markers",
                    "name": t.get(f"{which}{c}", f"{'validation' if hollow else 'training'}, class {c}"),
                    "marker": {
                        "symbol": CLASS_SYMBOLS[c] + ("-open" if hollow else ""),
                        "size": 8 if hollow else 7,
                        "color": CLASS_COLOURS[c],
                        # a white rim keeps filled points visible on the coloured background
                        "line": {"width": 2, "color": CLASS_COLOURS[c]} if hollow else {"width": 1, "color": "white"},
                    },
                    "hovertemplate": "x1 %{x:.2f}, x2 %{y:.2f}<extra>%{fullData.name}</extra>",
                }
            )
    lay = _layout(
        title,
        "x1",
        "x2",
        height,
        hovermode="closest",
        xaxis={"title": {"text": "x1"}, "range": [float(gx[0]), float(gx[-1])], "constrain": "domain"},
        # equal scales, so circles look round
        yaxis={"title": {"text": "x2"}, "range": [float(gy[0]), float(gy[-1])], "scaleanchor": "x", "scaleratio": 1},
    )
    return _figure(traces, lay)


def history_figure(
    train: Sequence[float],
    val: Sequence[float],
    best_epoch: int | None,
    *,
    kind: str = "loss",
    title: str = "Loss per epoch",
    labels: dict[str, str] | None = None,
    total_epochs: int | None = None,
    chance: float | None = None,
    epochs: Sequence[int] | None = None,
    height: int = 340,
) -> go.Figure:
    """Training and validation cross-entropy (log axis) or accuracy per epoch; best epoch marked, the rest shaded.

    `epochs` gives the epoch of each value when they are samples (default: one value per epoch from 0).
    """
    t = labels or {}
    tr, va = _finite(train), _finite(val)
    ep = np.arange(len(tr)) if epochs is None else np.asarray(epochs)
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": ep,
            "y": tr,
            "mode": "lines",
            "name": t.get("train", "training"),
            "line": {"color": TRAIN, "width": 2},
        },
        {
            "type": "scatter",
            "x": ep,
            "y": va,
            "mode": "lines",
            "name": t.get("val", "validation"),
            "line": {"color": VAL, "width": 2, "dash": "dot"},
        },
    ]
    shapes: list[dict[str, Any]] = []
    if best_epoch is not None and len(ep) and ep[0] <= best_epoch <= ep[-1]:
        end = int(ep[-1])
        best_val = va[int(np.argmin(np.abs(ep - best_epoch)))]  # the sample nearest the best epoch
        if end > best_epoch:  # the epochs after the best one: where validation got worse
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": best_epoch,
                    "x1": end,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": VAL,
                    "opacity": 0.12,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        shapes.append(_vline(best_epoch, VAL))
        traces.append(
            {
                "type": "scatter",
                "x": [best_epoch],
                "y": [best_val],
                "mode": "markers",
                "name": t.get("best", "best epoch"),
                "marker": {"symbol": "star", "size": 14, "color": VAL, "line": {"width": 1, "color": "black"}},
            }
        )
    if chance is not None:
        shapes.append(_hline(chance, NOISE))
        traces.append(  # a legend entry for the chance line (shapes have none)
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "lines",
                "name": t.get("chance", "chance level"),
                "line": {"color": NOISE, "dash": "dash"},
            }
        )
    acc = kind == "accuracy"
    xaxis: dict[str, Any] = {"title": {"text": t.get("epoch", "epoch")}}
    if total_epochs:
        xaxis["range"] = [0, total_epochs]
    yaxis: dict[str, Any] = {"title": {"text": t.get("metric", "accuracy" if acc else "cross-entropy")}}
    yaxis.update({"range": [0, 1.02], "tickformat": ".0%"} if acc else log_axis_for(tr, va))
    lay = _layout(title, "", "", height, shapes=shapes, xaxis=xaxis, yaxis=yaxis)
    return _figure(traces, lay)


def training_figures(
    data: Dataset,
    gx: np.ndarray,
    gy: np.ndarray,
    prob: np.ndarray,
    loss: tuple[Sequence[float], Sequence[float]],
    acc: tuple[Sequence[float], Sequence[float]],
    best_epoch: int | None,
    *,
    acc_epochs: Sequence[int] | None = None,
    chance: float | None = None,
    total_epochs: int | None = None,
    titles: tuple[str, str, str] = ("Decision boundary", "Cross-entropy per epoch", "Accuracy per epoch"),
    labels: dict[str, dict[str, str]] | None = None,
    show_val: bool = True,
    discrete: bool = False,
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """One frame of a training run: boundary, cross-entropy and accuracy (train, validation) per epoch."""
    t = labels or {}
    return (
        boundary_figure(data, gx, gy, prob, title=titles[0], labels=t.get("pts"), show_val=show_val, discrete=discrete),
        history_figure(*loss, best_epoch, title=titles[1], labels=t.get("loss"), total_epochs=total_epochs),
        history_figure(
            *acc,
            best_epoch,
            kind="accuracy",
            title=titles[2],
            labels=t.get("acc"),
            total_epochs=total_epochs,
            chance=chance,
            epochs=acc_epochs,
        ),
    )


def confusion_figure(
    cm: np.ndarray, *, title: str = "Confusion matrix (validation)", labels: dict[str, str] | None = None
) -> go.Figure:
    """2x2 counts (rows: true class, columns: predicted class) with each row's share as text."""
    t = labels or {}
    cm = np.asarray(cm)
    rows = np.maximum(cm.sum(1, keepdims=True), 1)  # (2, 1); 1 avoids 0/0 for an absent class
    text = [[f"{cm[i, j]}<br>({cm[i, j] / rows[i, 0]:.0%})" for j in (0, 1)] for i in (0, 1)]
    names = [t.get("class0", "class 0"), t.get("class1", "class 1")]
    trace = {
        "type": "heatmap",
        "x": names,
        "y": names,
        "z": cm / rows,  # colour by the row share, so a rare class is as visible as a common one
        "zmin": 0.0,
        "zmax": 1.0,
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": 16},
        "colorscale": [[0.0, "#FFFFFF"], [1.0, CLASS_COLOURS[0]]],  # white to Okabe–Ito blue: share of the row
        "showscale": False,
        "hovertemplate": "%{y} → %{x}: %{text}<extra></extra>",
    }
    lay = _layout(
        title,
        "",
        "",
        300,
        hovermode="closest",
        margin={**_base_layout().get("margin", {}), "b": 60},  # no legend to make room for
        xaxis={"title": {"text": t.get("pred", "predicted")}, "side": "bottom"},
        yaxis={"title": {"text": t.get("true", "true")}, "autorange": "reversed"},
    )
    return _figure([trace], lay)


def _vline(x: float, colour: str) -> dict[str, Any]:
    line = {"color": colour, "width": 1.5, "dash": "dash"}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def _hline(y: float, colour: str) -> dict[str, Any]:
    line = {"color": colour, "width": 1.5, "dash": "dash"}
    return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def _finite(a: Sequence[float] | np.ndarray) -> np.ndarray:
    """Non-finite values become gaps, so a diverged run still draws."""
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, np.nan)
