"""Shared look of every chart: a colour-blind-safe palette, marker shapes, fixed heights."""

from __future__ import annotations

import plotly.graph_objects as go

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
        template="plotly_white",
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
