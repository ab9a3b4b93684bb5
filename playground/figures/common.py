"""Shared look of every chart: a colour-blind-safe palette, marker shapes, fixed heights."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

# Set once: a template named per figure is re-validated every time (~18 ms a figure).
pio.templates.default = "plotly_white"

# Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
TRAIN = "#0072B2"  # blue, circles
VAL = "#E69F00"  # orange, triangles
MODEL = "#D55E00"  # vermillion
MODEL_B = "#009E73"  # bluish green
TRUTH = "#000000"  # black, dashed
BIAS = "#CC79A7"  # reddish purple
NOISE = "#999999"
EXTRA = ("#56B4E9", "#F0E442", "#0072B2", "#D55E00", "#009E73", "#CC79A7")

TRAIN_MARKER = dict(symbol="circle", size=8, color=TRAIN, line=dict(width=1, color="white"))
VAL_MARKER = dict(symbol="triangle-up", size=7, color=VAL, opacity=0.55)

HEIGHT = 380

# The template's layout only (its per-trace defaults are for trace types we do not draw): built once.
LIGHT = {"layout": pio.templates["plotly_white"].layout.to_plotly_json()}


def base_layout(title: str, x: str, y: str, height: int = HEIGHT, **kw: Any) -> dict[str, Any]:
    """The common layout as a plain dict; `uirevision` keeps the user's zoom across redraws."""
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "xaxis": {"title": {"text": x}},
        "yaxis": {"title": {"text": y}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        "hovermode": "x unified",
        "uirevision": "keep",
        "template": LIGHT,
        "shapes": [],
        "annotations": [],
        **kw,
    }


def figure(traces: list[dict[str, Any]], lay: dict[str, Any]) -> go.Figure:
    """A figure from plain dicts without per-property validation (~10x faster; tests validate the output)."""
    return go.Figure(data=traces, layout=lay, _validate=False)


def line_x(lay: dict[str, Any], x: float, color: str, dash: str = "solid", text: str | None = None) -> None:
    """A vertical line across the plot (in a layout dict)."""
    lay["shapes"].append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"color": color, "width": 2, "dash": dash},
        }
    )
    if text:
        lay["annotations"].append(
            {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": text, "showarrow": False, "yanchor": "bottom"}
        )


def line_y(lay: dict[str, Any], y: float, color: str, text: str | None = None, log_y: bool = False) -> None:
    """A dashed horizontal line across the plot; annotations on a log axis take the exponent, shapes the value."""
    lay["shapes"].append(
        {
            "type": "line",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": y,
            "y1": y,
            "line": {"color": color, "width": 1.5, "dash": "dash"},
        }
    )
    if text:
        ya = math.log10(y) if log_y else y
        lay["annotations"].append(
            {
                "x": 0,
                "y": ya,
                "xref": "paper",
                "yref": "y",
                "text": text,
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
            }
        )


def band_x(lay: dict[str, Any], x0: float, x1: float, color: str, opacity: float = 0.12) -> None:
    """A shaded vertical band (in a layout dict)."""
    lay["shapes"].append(
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": x0,
            "x1": x1,
            "y0": 0,
            "y1": 1,
            "fillcolor": color,
            "opacity": opacity,
            "line": {"width": 0},
        }
    )


def layout(fig: go.Figure, title: str, x: str, y: str, height: int = HEIGHT, **kw: object) -> go.Figure:
    """Apply the common layout; `uirevision` keeps the user's zoom across redraws."""
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left"),
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        margin=dict(l=60, r=20, t=50, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        hovermode="x unified",
        uirevision="keep",
        **kw,
    )
    return fig


def presentation(fig: go.Figure, factor: float = 1.6) -> go.Figure:
    """Scale fonts, markers and lines up for a projector."""
    fig.update_layout(font=dict(size=round(12 * factor)), height=round((fig.layout.height or HEIGHT) * 1.2))
    for tr in fig.data:
        m = getattr(tr, "marker", None)
        if m is not None and isinstance(m.size, (int, float)):
            m.size = m.size * factor
        ln = getattr(tr, "line", None)
        if ln is not None and isinstance(ln.width, (int, float)):
            ln.width = ln.width * factor
    return fig


def to_html(fig: go.Figure) -> str:
    """A standalone interactive HTML page of the figure (plotly.js inlined: works offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)
