"""Shared look of every chart: a colour-blind-safe palette, marker shapes, fixed heights."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np

# Imported here, with the import lock: plotly looks pandas up in sys.modules when it builds a figure, and two
# sessions' first runs on a cold server could otherwise see it half imported (AttributeError; seen in CI).
import pandas  # type: ignore[import-untyped]  # noqa: F401  (no stubs installed)
import plotly
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


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_DECADE_TICKS = 8  # more labelled decades than this and every k-th one is labelled
MINOR_GRID = "#eeeeee"


def decade_label(k: int) -> str:
    """10^k as a student reads it: 0.001 … 1000 written out, beyond that 10⁻⁵ or 10⁶ (never 1µ, 1M)."""
    return f"{10.0**k:,.{max(-k, 0)}f}" if -3 <= k <= 3 else "10" + str(k).translate(SUPERSCRIPT)


def data_decades(*arrays: Any, floor: float = 0.0) -> tuple[float, float]:
    """The smallest and largest finite values above `floor` in the arrays (for a log axis; (1, 10) when none)."""
    v = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays]) if arrays else np.empty(0)
    v = v[np.isfinite(v) & (v > floor)]
    return (float(v.min()), float(v.max())) if len(v) else (1.0, 10.0)


def log_axis(lo: float, hi: float, range_: bool = False) -> dict[str, Any]:
    """A log axis from lo to hi (values, lo > 0): decades labelled in plain numbers, a minor grid at 2..9.

    Every log axis of the app goes through here: plotly's own labels use SI suffixes (1µ, 1M, 1T) that read
    as units. With `range_`, the axis is also fixed to [lo, hi].
    """
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    b = max(b, a + 1)
    step = max(1, math.ceil((b - a + 1) / MAX_DECADE_TICKS))
    ks = list(range(a, b + 1, step))
    ax: dict[str, Any] = {
        "type": "log",
        "tickmode": "array",
        "tickvals": [10.0**k for k in ks],
        "ticktext": [decade_label(k) for k in ks],
    }
    if step == 1:  # 2..9 of each decade: the grid shows the scale between the labels
        minor = [float(f"{m}e{k}") for k in range(a, b) for m in range(2, 10)]
        ax["minor"] = {"tickmode": "array", "tickvals": minor, "showgrid": True, "gridcolor": MINOR_GRID, "ticks": ""}
    if range_:
        ax["range"] = [math.log10(lo), math.log10(hi)]
    return ax


def log_axis_for(*arrays: Any) -> dict[str, Any]:
    """A log axis (as log_axis) spanning the positive finite values of the arrays; plotly picks the range."""
    return log_axis(*data_decades(*arrays))


def off_chart(x: Any, y: Any, top: float, colour: str, name: str) -> dict[str, Any] | None:
    """Points above a capped log axis, drawn as ▲ on its top edge with their true value on hover (or None)."""
    x, y = np.asarray(x), np.asarray(y, dtype=float)
    out = ~(y <= top)  # NaN (a diverged fit) is off the chart too
    if not out.any():
        return None
    return {
        "type": "scatter",
        "x": x[out],
        "y": np.full(int(out.sum()), top),
        "mode": "markers",
        "name": name,
        "marker": {"symbol": "triangle-up-open", "size": 11, "color": colour, "line": {"width": 2}},
        "customdata": y[out],
        "hovertemplate": "%{customdata:.3g}",
        "cliponaxis": False,
    }


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
                "font": {"color": color},
            }
        )


def hline(fig: go.Figure, y: float, color: str, text: str | None = None, log_y: bool = False) -> None:
    """line_y on a go.Figure: its add_hline puts a log axis' label at the value as an exponent (far away)."""
    lay: dict[str, Any] = {"shapes": [], "annotations": []}
    line_y(lay, y, color, text, log_y)
    for sh in lay["shapes"]:
        fig.add_shape(sh)
    for an in lay["annotations"]:
        fig.add_annotation(an)


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


# Plotly's typed-array specs ({dtype, bdata, shape}) decoded into numbers (rows for 2-D), for the figures' own
# scripts: some plotly.js builds (Streamlit's among them) leave them undecoded where those scripts read them.
DECODE_JS = r"""
  const DT = {u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array, u4: Uint32Array, i4: Int32Array,
              f4: Float32Array, f8: Float64Array};
  function decode(v) {
    if (!v || typeof v !== 'object' || typeof v.bdata !== 'string' || !DT[v.dtype]) return v;
    const bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const flat = Array.from(new DT[v.dtype](bytes.buffer));
    const shape = String(v.shape || flat.length).split(',').map(Number);
    if (shape.length < 2) return flat;
    const rows = [];
    for (let r = 0; r < shape[0]; r++) rows.push(flat.slice(r * shape[1], (r + 1) * shape[1]));
    return rows;
  }
"""


@functools.cache
def plotly_js() -> str:
    """plotly.js as the plotly package ships it (it sets window.Plotly), for the app's kept charts."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
