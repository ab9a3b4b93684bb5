"""Inside the network: a picture per neuron, links by weight, and one neuron enlarged (TensorFlow Playground's view).

One figure, two plot areas: on the left the network, each neuron a small heatmap of its activation over the
plane (inputs, hidden layers, output) joined by links whose thickness and colour follow the weight; on the right
one picture large, over the training points: the output until a neuron is hovered (NETWORK_JS swaps it in; the
figure itself shows the output without the script). The pictures are Inside's uint8 levels, sent as typed arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..data import Dataset
from ..inside import LEVELS, Inside
from .classify import CLASS_COLOURS, CLASS_LIGHT, CLASS_SYMBOLS
from .common import DECODE_JS, LIGHT

SIZE = 1.0  # a neuron's picture is SIZE x SIZE in the network's own coordinates
STEP_Y = 1.3  # neuron centres one above another
STEP_X = 3.3  # layer columns: room for the links between pictures
STRONG = [[0.0, CLASS_COLOURS[0]], [0.5, "#FFFFFF"], [1.0, CLASS_COLOURS[1]]]  # negative blue, positive orange
PALE = [[0.0, CLASS_LIGHT[0]], [0.5, "#FFFFFF"], [1.0, CLASS_LIGHT[1]]]  # the boundary chart's background
WIDTHS = (0.6, 1.4, 2.6, 4.2)  # link widths (px) for |w| up to 1/4, 2/4, 3/4, all of the largest |w|
SPLIT = 0.64  # the network takes the paper's left 64 %, the enlarged picture the rest

WORDS = {
    "input": "Input",
    "hidden": "Layer {k}",
    "output": "Output",
    "neurons": "{m} of {n}",
    "neuron": "layer {k}, neuron {i}",
    "out_name": "output: P(class 1)",
    "weight": "weight {w}",
    "bias": "bias {b}",
    "range": "from {lo} to {hi}",
}


def _f(v: float) -> str:
    return f"{float(v):.3g}"


def _column(n: int) -> np.ndarray:
    """Centres (n,) of a column of n pictures, top to bottom, around 0."""
    return (np.arange(n)[::-1] - (n - 1) / 2) * STEP_Y


def network_figure(
    ins: Inside,
    data: Dataset | None = None,
    *,
    names: Sequence[str] | None = None,
    title: str = "",
    labels: dict[str, str] | None = None,
    height: int = 500,
) -> go.Figure:
    """The network's neuron pictures joined by their weights, and one picture enlarged over the training points."""
    w = {**WORDS, **(labels or {})}
    names = list(names or ins.names)
    xs = [k * STEP_X for k in range(len(ins.maps))]
    ys = [_column(n) for n in ins.shown]
    traces = _links(ins, xs, ys, w, names)  # first, under the pictures
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    out_index = _pictures(ins, xs, ys, w, names, traces, shapes, annotations)
    big = len(traces)
    traces += _enlarged(ins, data)
    big_title = len(annotations)
    annotations.append(
        {"x": 0.5, "y": 1.0, "xref": "x2 domain", "yref": "y2 domain", "text": w["out_name"],
         "showarrow": False, "yanchor": "bottom"}
    )  # fmt: skip
    rows = max(ins.shown)
    half_y = (rows - 1) / 2 * STEP_Y + SIZE / 2 + 0.15
    hidden_axis = {"visible": False, "fixedrange": True, "constrain": "domain"}
    lay = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 80 if title else 50, "b": 30},
        "hovermode": "closest",
        "showlegend": False,
        "template": LIGHT,
        "plot_bgcolor": "white",
        "xaxis": {**hidden_axis, "domain": [0.0, SPLIT], "range": [-SIZE / 2 - 0.15, xs[-1] + SIZE / 2 + 0.15]},
        "yaxis": {**hidden_axis, "range": [-half_y, half_y], "scaleanchor": "x", "scaleratio": 1},
        "xaxis2": {"domain": [SPLIT + 0.04, 1.0], "range": [float(ins.gx[0]), float(ins.gx[-1])], "fixedrange": True,
                   "constrain": "domain", "showgrid": False, "zeroline": False, "title": {"text": "x1"}, "anchor": "y2"},
        "yaxis2": {"range": [float(ins.gy[0]), float(ins.gy[-1])], "scaleanchor": "x2", "scaleratio": 1,
                   "fixedrange": True, "constrain": "domain", "showgrid": False, "zeroline": False, "title": {"text": "x2"},
                   "anchor": "x2"},
        "shapes": shapes,
        "annotations": annotations,
        "meta": {"network": True, "big": big, "out": out_index, "title": big_title, "split": SPLIT},
    }  # fmt: skip
    return go.Figure(data=traces, layout=lay, _validate=False)


def _links(
    ins: Inside, xs: list[float], ys: list[np.ndarray], w: dict[str, str], names: Sequence[str]
) -> list[dict[str, Any]]:
    """The weights as lines, binned by |w| into a few widths, per sign, each bin one trace; then their hover points."""
    last = len(ins.maps) - 1
    top = max((float(np.abs(a).max()) for a in ins.weights if a.size), default=0.0) or 1.0
    bins: dict[tuple[int, int], tuple[list, list]] = {}
    hx, hy, htext = [], [], []
    for k, wt in enumerate(ins.weights):  # (n_out, n_in): layer k to layer k + 1
        x0, x1 = xs[k] + SIZE / 2, xs[k + 1] - SIZE / 2
        n_out = wt.shape[0]
        for j in range(n_out):
            for i in range(wt.shape[1]):
                v = float(wt[j, i])
                b = min(int(abs(v) / top * len(WIDTHS)), len(WIDTHS) - 1)
                lx, ly = bins.setdefault((b, v > 0), ([], []))
                lx += [x0, x1, None]
                ly += [round(float(ys[k][i]), 3), round(float(ys[k + 1][j]), 3), None]
                s = 0.25 + 0.5 * (j / (n_out - 1) if n_out > 1 else 0.5)  # distinct hover points, never stacked
                hx.append(round(x0 + s * (x1 - x0), 3))
                hy.append(round(float(ys[k][i] + s * (ys[k + 1][j] - ys[k][i])), 3))
                htext.append(
                    f"{w['weight'].format(w=_f(v))}<br>{_label(w, names, k, i, last)} → {_label(w, names, k + 1, j, last)}"
                )
    traces = [
        {"type": "scatter", "x": lx, "y": ly, "mode": "lines", "hoverinfo": "skip", "showlegend": False,
         "line": {"width": WIDTHS[b], "color": CLASS_COLOURS[1] if pos else CLASS_COLOURS[0]},
         "opacity": 0.35 + 0.15 * b}
        for (b, pos), (lx, ly) in sorted(bins.items())
    ]  # fmt: skip
    traces.append(
        {"type": "scatter", "x": hx, "y": hy, "mode": "markers", "text": htext, "showlegend": False,
         "marker": {"size": 9, "color": "rgba(0,0,0,0)"}, "hovertemplate": "%{text}<extra></extra>",
         "meta": {"links": True}}
    )  # fmt: skip
    return traces


def _pictures(
    ins: Inside, xs: list[float], ys: list[np.ndarray], w: dict[str, str], names: Sequence[str],
    traces: list[dict[str, Any]], shapes: list[dict[str, Any]], annotations: list[dict[str, Any]],
) -> int:  # fmt: skip
    """Each neuron's picture (a heatmap placed by x0/dx, y0/dy in the network's coordinates), its frame and each
    layer's heading, appended; returns the output picture's trace index (its picture is P(class 1))."""
    last, g, out_index = len(ins.maps) - 1, len(ins.gx), 0
    for k in range(len(ins.maps)):
        for i in range(ins.shown[k]):
            cx, cy = xs[k], float(ys[k][i])
            name = _label(w, names, k, i, last)
            lines = [f"<b>{name}</b>"]
            if k > 0:
                lines.append(w["bias"].format(b=_f(ins.bias[k - 1][i])))
            if k < last:
                lines.append(w["range"].format(lo=_f(ins.lo[k][i]), hi=_f(ins.hi[k][i])))
            if k == last:
                out_index = len(traces)
            traces.append(
                {"type": "heatmap", "z": ins.maps[k][i], "x0": cx - SIZE / 2 + SIZE / (2 * g), "dx": SIZE / g,
                 "y0": cy - SIZE / 2 + SIZE / (2 * g), "dy": SIZE / g, "zmin": 0, "zmax": LEVELS,
                 "colorscale": STRONG, "showscale": False, "hovertemplate": "<br>".join(lines) + "<extra></extra>",
                 "meta": {"neuron": name}, "xaxis": "x", "yaxis": "y"}
            )  # fmt: skip
            shapes.append(
                {"type": "rect", "xref": "x", "yref": "y", "x0": cx - SIZE / 2, "x1": cx + SIZE / 2,
                 "y0": cy - SIZE / 2, "y1": cy + SIZE / 2, "line": {"color": "#555", "width": 1}}
            )  # fmt: skip
        head = w["input"] if k == 0 else w["output"] if k == last else w["hidden"].format(k=k)
        if ins.shown[k] < ins.widths[k]:
            head += "<br>" + w["neurons"].format(n=ins.widths[k], m=ins.shown[k])
        annotations.append(
            {"x": xs[k], "y": 1.0, "xref": "x", "yref": "y domain", "text": head, "showarrow": False,
             "yanchor": "bottom"}
        )  # fmt: skip
    return out_index


def _enlarged(ins: Inside, data: Dataset | None) -> list[dict[str, Any]]:
    """The enlarged picture, the output's until a neuron is hovered, under the training points."""
    traces: list[dict[str, Any]] = [
        {"type": "heatmap", "z": ins.maps[-1][0], "x": ins.gx, "y": ins.gy, "zmin": 0, "zmax": LEVELS,
         "colorscale": PALE, "showscale": False, "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"}
    ]  # fmt: skip
    if data is not None:
        x, y = data.x.numpy(), data.y.numpy()  # (N, 2), (N,)
        for c in (0, 1):
            pts = x[y == c].round(3)
            traces.append(
                {"type": "scatter", "x": pts[:, 0].tolist(), "y": pts[:, 1].tolist(), "mode": "markers",
                 "xaxis": "x2", "yaxis": "y2", "hoverinfo": "skip", "showlegend": False,
                 "marker": {"symbol": CLASS_SYMBOLS[c], "size": 5, "color": CLASS_COLOURS[c],
                            "line": {"width": 0.5, "color": "white"}}}
            )  # fmt: skip
    return traces


def _label(w: dict[str, str], names: Sequence[str], k: int, i: int, last: int) -> str:
    """A neuron's name: the input feature, "layer k, neuron i" (1-based), or the output."""
    if k == 0:
        return names[i]
    return w["out_name"] if k == last else w["neuron"].format(k=k, i=i + 1)


# Enlarges a hovered neuron: its picture goes into the large heatmap on the right, its name above it; leaving it
# shows the output again. Components v2 run in the app's own document, where Streamlit's plotly.js is window.Plotly.
NETWORK_JS = (
    r"""
(function () {
  const W = window, NARROW = 640;
"""
    + DECODE_JS
    + r"""
  function zOf(gd, i) {
    const fd = gd._fullData && gd._fullData.find(d => d.index === i);
    const z = (fd && fd.z) || gd.data[i].z;
    return decode(z);
  }
  function show(gd, i) {
    const m = gd.layout.meta, P = W.Plotly;
    if (!P || gd.__nnShown === i) return;
    gd.__nnShown = i;
    const name = gd.data[i].meta.neuron;
    P.update(gd, {z: [zOf(gd, i)]}, {['annotations[' + m.title + '].text']: name}, [m.big]);
    gd.setAttribute('data-enlarged', name);
  }
  // A narrow chart (a phone) puts the enlarged picture under the network, both at the full width.
  function fit(gd) {
    const m = gd.layout.meta, P = W.Plotly, narrow = gd.clientWidth > 0 && gd.clientWidth < NARROW;
    if (!P || gd.__nnNarrow === narrow) return;
    gd.__nnNarrow = narrow;
    const h = gd.__nnHeight = gd.__nnHeight || gd.layout.height;  // as drawn (presentation mode scales it)
    P.relayout(gd, narrow
      ? {'xaxis.domain': [0, 1], 'yaxis.domain': [0.45, 0.94], 'xaxis2.domain': [0.1, 1], 'yaxis2.domain': [0, 0.36],
         height: Math.round(h * 1.3)}
      : {'xaxis.domain': [0, m.split], 'yaxis.domain': [0, 1], 'xaxis2.domain': [m.split + 0.04, 1],
         'yaxis2.domain': [0, 1], height: h});
  }
  function wire(gd) {
    if (gd.__nnWired || !gd.layout || !gd.layout.meta || !gd.layout.meta.network || !gd.on) return;
    gd.__nnWired = true;
    fit(gd);
    W.addEventListener('resize', () => fit(gd));
    gd.__nnShown = gd.layout.meta.out;
    gd.setAttribute('data-enlarged', gd.data[gd.layout.meta.out].meta.neuron);
    gd.on('plotly_hover', e => {
      const p = e.points && e.points[0], tr = p && gd.data[p.curveNumber];
      if (tr && tr.meta && tr.meta.neuron) show(gd, p.curveNumber);
    });
    gd.on('plotly_unhover', () => show(gd, gd.layout.meta.out));
  }
  W.__nnWire = function (root) {
    const doc = root || document;
    doc.querySelectorAll('.js-plotly-plot').forEach(g => {  // redrawn with another epoch: the output is shown
      if (g.__nnWired && g.layout && g.layout.meta && g.layout.meta.network) {
        g.__nnShown = g.layout.meta.out;
        g.setAttribute('data-enlarged', g.data[g.layout.meta.out].meta.neuron);
      }
    });
    let tries = 0;
    const timer = setInterval(() => {
      const gds = [...doc.querySelectorAll('.js-plotly-plot')].filter(g => g.layout && g.layout.meta && g.layout.meta.network);
      gds.forEach(wire);
      if (++tries > 60 || (gds.length && gds.every(g => g.__nnWired))) clearInterval(timer);
    }, 150);
  };
})();
"""
)
