"""Class challenge charts at the reveal: validation against test error, and submissions against the gap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .common import MODEL, TRAIN, VAL, base_layout, figure, log_axis_for


def _finite(*cols: Sequence[float]) -> np.ndarray:
    """Mask of the rows where every column is a finite positive number (log axes)."""
    a = np.array(cols, dtype=np.float64)  # (k, n)
    return np.all(np.isfinite(a) & (a > 0), axis=0)


def val_test_figure(
    val: Sequence[float],
    test: Sequence[float],
    names: Sequence[str],
    chosen: Sequence[bool],
    title: str,
    labels: dict[str, str],
) -> go.Figure:
    """Every submission's validation error (x) against its hidden test error (y), log-log, with the line y = x.

    `chosen` marks each student's best-by-validation submission, the one the leaderboard counted. Points above
    the line did worse on new data than the validation set promised. labels: "all", "chosen", "equal", "val", "test".
    """
    ok = _finite(val, test)
    v, te = np.asarray(val, dtype=np.float64)[ok], np.asarray(test, dtype=np.float64)[ok]
    nm = [n for n, k in zip(names, ok, strict=True) if k]
    ch = np.asarray(chosen, dtype=bool)[ok]
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": labels["all"],
            "x": v[~ch].tolist(),
            "y": te[~ch].tolist(),
            "text": [n for n, c in zip(nm, ch, strict=True) if not c],
            "marker": {"color": TRAIN, "size": 7, "opacity": 0.5},
            "hovertemplate": "%{text}<br>%{x:.3g} → %{y:.3g}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": labels["chosen"],
            "x": v[ch].tolist(),
            "y": te[ch].tolist(),
            "text": [n for n, c in zip(nm, ch, strict=True) if c],
            "marker": {"color": MODEL, "size": 11, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
            "hovertemplate": "%{text}<br>%{x:.3g} → %{y:.3g}<extra></extra>",
        },
    ]
    if len(v):
        lo, hi = float(min(v.min(), te.min())), float(max(v.max(), te.max()))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": labels["equal"],
                "x": [lo, hi],
                "y": [lo, hi],
                "line": {"color": "#000000", "dash": "dash", "width": 1},
                "hoverinfo": "skip",
            }
        )
    lay = base_layout(title, labels["val"], labels["test"], hovermode="closest")
    ax = log_axis_for(v, te)  # one scale on both axes, so that y = x is the diagonal
    lay["xaxis"] |= ax
    lay["yaxis"] |= ax
    lay["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0.0}  # under the plot: half-width charts
    lay["margin"] = {**lay["margin"], "b": 90}
    return figure(traces, lay)


def gap_figure(
    counts: Sequence[int], gaps: Sequence[float], names: Sequence[str], title: str, labels: dict[str, str]
) -> go.Figure:
    """Each student's number of submissions (x) against the gap test − validation of the counted one (y).

    labels: "students", "count", "gap".
    """
    g = np.asarray(gaps, dtype=np.float64)
    ok = np.isfinite(g)
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": labels["students"],
            "x": np.asarray(counts, dtype=np.int64)[ok].tolist(),
            "y": g[ok].tolist(),
            "text": [n for n, k in zip(names, ok, strict=True) if k],
            "marker": {"color": VAL, "size": 10, "symbol": "triangle-up"},
            "hovertemplate": "%{text}<br>%{x} → %{y:.3g}<extra></extra>",
        }
    ]
    lay = base_layout(title, labels["count"], labels["gap"], hovermode="closest")
    lay["xaxis"]["rangemode"] = "tozero"
    lay["xaxis"]["dtick"] = 1 if (max(counts, default=0) <= 20) else None
    lay["shapes"].append(
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0, "line": {"color": "#999999"}}
    )
    return figure(traces, lay)
