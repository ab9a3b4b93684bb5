"""Training playback: one figure holds every recorded epoch as a Plotly frame, played in the browser.

The model (fitted curve or decision boundary) and the loss charts' epoch cursor live in one figure with
subplots, so they move together; playing, pausing, scrubbing and jumping to the best epoch are Plotly's own
`animate` calls (no server round trip), and the figure plays the same inside the app and in an exported
HTML file. Axis ranges are fixed across frames; frames carry only what changes (curves as float32,
probabilities as small palette PNGs of uint8 levels, which PLAYER_JS swaps in: no frame needs a full redraw).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..data import Dataset
from ..record import Recording
from .classify import BOUNDARY, CLASS_COLOURS, CLASS_SYMBOLS, class_colourbar, class_colourscale
from .common import DECODE_JS, LIGHT, MODEL, NOISE, TRAIN, TRAIN_MARKER, TRUTH, VAL, VAL_MARKER, log_axis

# Frame duration at 1x. Plotly's loop starts a frame at the first animation frame *more than* this after the last
# one began, so 25 ms is every second one: 30 frames a second on a 60 Hz display (33 ms often missed the second by
# a rounding millisecond and gave 20). Curves morph without a redraw; the probability grid too (one image per
# frame, swapped in by PLAYER_JS).
FIT_MS = 25
GRID_MS = 25
SPEEDS = (0.5, 1.0, 2.0)
# Probabilities are sent as uint8 levels 0..100: Plotly's JSON writes "/" as a 6-character escape, and bytes
# of 252 and more (probability near 1) make "/" in base64; levels up to 100 almost never do.
LEVELS = 100
CURSOR = "#444444"
SLIDER_H = 110  # px under the plots for the buttons, the slider and its current-value line
HEAVY_GRID = 80  # grids above this many cells a side are shrunk for playback (payload)

# The English names; pages pass translations through `labels`.
WORDS = {
    "play": "▶ Play",
    "pause": "❚❚ Pause",
    "reset": "⏮ Reset",
    "best": "★ Best epoch",
    "step": "⏭ Step",
    "epoch": "epoch",
    "after": "after the best epoch",
    "train": "training",
    "val": "validation",
    "best_marker": "best epoch",
    "now": "this epoch",
    "metric": "MSE",
    "train points": "training points",
    "val points": "validation points",
    "truth": "truth",
    "model": "network",
    "accuracy": "accuracy",
    "chance": "chance level",
    "prob": "P(class 1)",
    "boundary": "boundary (P = 0.5)",
    "train0": "training, class 0",
    "train1": "training, class 1",
    "val0": "validation, class 0",
    "val1": "validation, class 1",
    "speed": "speed",
    "train_on": "training loss (dropout on)",
}


def _w(labels: dict[str, str] | None) -> dict[str, str]:
    return {**WORDS, **(labels or {})}


def _fmt(v: float) -> str:
    return "—" if not math.isfinite(v) else f"{v:.3g}"


def _log_range(*arrs: np.ndarray) -> list[float]:
    """A fixed log-axis range (in decades) around every finite positive value."""
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrs])
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return [-3.0, 1.0]
    lo, hi = math.log10(float(v.min())), math.log10(float(v.max()))
    pad = 0.05 * max(hi - lo, 0.5)
    return [lo - pad, hi + pad]


def _finite(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float32)
    return np.where(np.isfinite(a), a, np.nan).astype(np.float32)


def controls(
    names: Sequence[str],
    steps: Sequence[str],
    best: str | None,
    w: dict[str, str],
    ms: int,
    redraw: bool,
    y_buttons: float,
    y_slider: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Play/Pause/Reset/Best and speed buttons and an epoch slider over the frames `names` (labels `steps`).

    `y_buttons` and `y_slider` are paper coordinates (negative: below the plots). The slider starts on the
    last frame, which is what the figure draws before anything plays.
    """

    def go_to(name: str) -> list[Any]:
        return [
            [name],
            {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}},
        ]

    def play(speed: float) -> list[Any]:
        frame = {"duration": max(1, round(ms / speed)), "redraw": redraw}
        return [None, {"frame": frame, "fromcurrent": True, "transition": {"duration": 0}, "mode": "immediate"}]

    pause = [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}]
    buttons = [
        {"label": w["play"], "method": "animate", "args": play(1.0), "name": "play"},
        {"label": w["pause"], "method": "animate", "args": pause, "name": "pause"},
        {"label": w["reset"], "method": "animate", "args": go_to(names[0]), "name": "reset"},
    ]
    # Step: PLAYER_JS points this button at the frame after the current one (Plotly has no "next frame").
    buttons.append({"label": w["step"], "method": "animate", "args": go_to(names[0]), "name": "step"})
    if best is not None:
        buttons.append({"label": w["best"], "method": "animate", "args": go_to(best), "name": "best"})
    row = {"type": "buttons", "direction": "right", "showactive": False, "yanchor": "top", "y": y_buttons}
    menus = [
        {**row, "name": "playback", "buttons": buttons, "x": 0.0, "xanchor": "left", "pad": {"t": 0, "r": 0}},
        {
            **row,
            "name": "speed",
            "buttons": [
                {"label": f"{w['speed']} {s:g}×", "method": "animate", "args": play(s)}
                if s == SPEEDS[0]
                else {"label": f"{s:g}×", "method": "animate", "args": play(s)}
                for s in SPEEDS
            ],
            "x": 1.0,
            "xanchor": "right",
            "pad": {"t": 0, "r": 0},
        },
    ]
    slider = {
        "name": "epoch",
        "active": len(names) - 1,
        "currentvalue": {"prefix": "", "visible": True, "xanchor": "left", "font": {"size": 13, "color": "#222"}},
        "font": {"color": "rgba(0,0,0,0)", "size": 1},  # 120 tick labels would overlap: the current one is shown
        "ticklen": 3,
        "minorticklen": 0,
        "len": 1.0,
        "x": 0.0,
        "y": y_slider,
        "yanchor": "top",
        "pad": {"t": 0, "b": 0, "l": 0, "r": 0},
        "transition": {"duration": 0},
        "steps": [{"label": lab, "method": "animate", "args": go_to(n)} for n, lab in zip(names, steps, strict=True)],
    }
    return menus, [slider]


def _layout(title: str, height: int, bottom: int, w: dict[str, str], **kw: Any) -> dict[str, Any]:
    """The common look with room below the plots for buttons, slider and legend (bottom px)."""
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": bottom},
        "legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
        "hovermode": "closest",
        "uirevision": "keep",
        "meta": {"playback": True},  # PLAYER_JS finds the playback figures by this
        "template": LIGHT,
        "shapes": [],
        "annotations": [],
        **kw,
    }


def _below(height: int, bottom: int, px: float) -> float:
    """Paper y of a point px pixels below the plots' lower edge."""
    return -px / max(height - 50 - bottom, 1)


def _best_marks(lay: dict[str, Any], rec: Recording, xref: str, yrefs: Sequence[str], w: dict[str, str]) -> None:
    """The best epoch as a dashed line and the epochs after it shaded and labelled, on each loss chart."""
    b, end = rec.best_epoch, rec.last_epoch
    if b is None:
        return
    for i, yref in enumerate(yrefs):
        dom = f"{yref} domain"
        if end > b:
            lay["shapes"].append(
                {"type": "rect", "xref": xref, "yref": dom, "x0": b, "x1": end, "y0": 0, "y1": 1,
                 "fillcolor": VAL, "opacity": 0.12, "line": {"width": 0}, "layer": "below"}
            )  # fmt: skip
            if i == 0:
                lay["annotations"].append(
                    {"x": (b + end) / 2, "y": 1, "xref": xref, "yref": dom, "text": w["after"], "showarrow": False,
                     "yanchor": "top", "font": {"color": "#8a5a00", "size": 11}}
                )  # fmt: skip
        lay["shapes"].append(
            {"type": "line", "xref": xref, "yref": dom, "x0": b, "x1": b, "y0": 0, "y1": 1,
             "line": {"color": VAL, "width": 1.5, "dash": "dash"}}
        )  # fmt: skip


def _epoch_label(
    w: dict[str, str], e: int, best: int | None, parts: Sequence[tuple[str, float, str]], nearest: bool = False
) -> str:
    """The slider's current value: the epoch and that epoch's numbers (the best epoch starred; the snapshot
    nearest a best epoch that has none says which epoch was best)."""
    star = " ★" if e == best else (f" (★ {best})" if nearest else "")
    body = " · ".join(f"{name} {fmt.format(v) if fmt else _fmt(v)}" for name, v, fmt in parts)
    return f"{w['epoch']} {e}{star} · {body}"


def _best_star(b: int, va: np.ndarray, name: str) -> dict[str, Any]:
    """The best epoch's star on the loss chart (x2, y2), at its validation loss."""
    return {"type": "scatter", "x": [b], "y": [float(va[b])], "mode": "markers", "name": name,
            "marker": {"symbol": "star", "size": 14, "color": VAL, "line": {"width": 1, "color": "black"}},
            "xaxis": "x2", "yaxis": "y2"}  # fmt: skip


def _on_loss(rec: Recording) -> np.ndarray:
    """The dropout-on training losses (E,) of a run with dropout, else an empty array."""
    return _finite(rec.train_loss_on) if rec.train_loss_on is not None else np.zeros(0, np.float32)


def _on_trace(on: np.ndarray, name: str, metric: str) -> list[dict[str, Any]]:
    """The training loss with dropout on, dotted, at epochs 1..E (epoch e's batches moved the weights from
    e - 1 to e, as a loop or Keras prints it after epoch e); no trace without dropout."""
    if not len(on):
        return []
    return [{"type": "scatter", "x": np.arange(1, len(on) + 1, dtype=np.int32), "y": on, "mode": "lines",
             "name": name, "line": {"color": TRAIN, "width": 2, "dash": "dot"}, "xaxis": "x2", "yaxis": "y2",
             "hovertemplate": f"{metric} %{{y:.3g}}<extra>{name}</extra>"}]  # fmt: skip


def fit_playback(
    data: Dataset,
    xs: np.ndarray,
    rec: Recording,
    *,
    title: str = "Training, epoch by epoch",
    labels: dict[str, str] | None = None,
    colour: str = MODEL,
    height: int = 560,
) -> go.Figure:
    """Data and the network's curve (left) beside its loss per epoch (right, log), one frame per snapshot.

    `xs` (P,) is the grid the snapshots `rec.frames` (F, P) were taken on.
    """
    w = _w(labels)
    bottom = 190
    tr, va, on = _finite(rec.train_loss), _finite(rec.val_loss), _on_loss(rec)
    ep = np.arange(len(tr), dtype=np.int32)
    e_last = int(rec.epochs[-1])
    lr = _log_range(tr, va, on)
    top, bot = 10 ** lr[1], 10 ** lr[0]
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x": data.x_val.numpy(), "y": data.y_val.numpy(), "mode": "markers",
         "name": w["val points"], "marker": VAL_MARKER, "hoverinfo": "skip"},
        {"type": "scatter", "x": data.x.numpy(), "y": data.y.numpy(), "mode": "markers",
         "name": w["train points"], "marker": TRAIN_MARKER},
    ]  # fmt: skip
    if data.has_truth:
        traces.append(
            {"type": "scatter", "x": xs.astype(np.float32), "y": np.asarray(data.truth_fn(xs), np.float32),
             "mode": "lines", "name": w["truth"], "line": {"color": TRUTH, "dash": "dash", "width": 2},
             "hoverinfo": "skip"}
        )  # fmt: skip
    k_curve = len(traces)
    traces.append(
        {"type": "scatter", "x": xs.astype(np.float32), "y": rec.frames[-1], "mode": "lines", "name": w["model"],
         "line": {"color": colour, "width": 3}}
    )  # fmt: skip
    traces += [
        {"type": "scatter", "x": ep, "y": tr, "mode": "lines", "name": f"{w['train']} {w['metric']}",
         "line": {"color": TRAIN, "width": 2}, "xaxis": "x2", "yaxis": "y2"},
        {"type": "scatter", "x": ep, "y": va, "mode": "lines", "name": f"{w['val']} {w['metric']}",
         "line": {"color": VAL, "width": 2, "dash": "dot"}, "xaxis": "x2", "yaxis": "y2"},
    ]  # fmt: skip
    traces += _on_trace(on, w["train_on"], w["metric"])
    if rec.best_epoch is not None:
        traces.append(_best_star(rec.best_epoch, va, w["best_marker"]))
    k_cursor = len(traces)

    def cursor(e: int) -> list[dict[str, Any]]:
        """The epoch cursor: a vertical line and this epoch's two losses (scatter: frames morph, no redraw)."""
        return [
            {"x": [e, e], "y": [bot, top]},
            {"x": [e, e], "y": [float(tr[e]), float(va[e])]},
        ]

    line, dots = cursor(e_last)
    traces += [
        {"type": "scatter", **line, "mode": "lines", "line": {"color": CURSOR, "width": 1.5}, "showlegend": False,
         "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2", "name": w["now"]},
        {"type": "scatter", **dots, "mode": "markers", "showlegend": False, "name": w["now"],
         "marker": {"size": 10, "color": [TRAIN, VAL], "symbol": ["circle", "triangle-up"],
                    "line": {"width": 1.5, "color": "white"}}, "xaxis": "x2", "yaxis": "y2"},
    ]  # fmt: skip
    ys = np.concatenate([data.y.numpy(), data.y_val.numpy()])
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.25 * (hi - lo) + 0.1
    x_lo, x_hi = float(xs[0]), float(xs[-1])
    x_pad = 0.015 * (x_hi - x_lo)
    names = [str(int(e)) for e in rec.epochs]
    near = rec.frame_of(rec.best_epoch) if rec.best_epoch is not None else -1
    steps = [
        _epoch_label(w, int(e), rec.best_epoch, [(f"{w['train']} {w['metric']}", float(tr[e]), ""),
                                                  (f"{w['val']} {w['metric']}", float(va[e]), "")], i == near)
        for i, e in enumerate(rec.epochs)
    ]  # fmt: skip
    best = str(rec.best_epoch) if rec.best_epoch is not None and rec.best_epoch in set(rec.epochs.tolist()) else None
    if best is None and rec.best_epoch is not None:
        best = names[rec.frame_of(rec.best_epoch)]  # the nearest snapshot (its own epoch is labelled)
    menus, sliders = controls(
        names, steps, best, w, FIT_MS, False, _below(height, bottom, 45), _below(height, bottom, 85)
    )
    lay = _layout(
        title,
        height,
        bottom,
        w,
        xaxis={"domain": [0.0, 0.47], "range": [x_lo - x_pad, x_hi + x_pad], "title": {"text": "x"}},
        yaxis={"range": [lo - pad, hi + pad], "title": {"text": "y"}},
        xaxis2={"domain": [0.56, 1.0], "range": [0, max(len(tr) - 1, 1)], "title": {"text": w["epoch"]},
                "anchor": "y2"},
        yaxis2={**log_axis(10 ** lr[0], 10 ** lr[1], range_=True), "title": {"text": w["metric"]}, "anchor": "x2"},
        updatemenus=menus,
        sliders=sliders,
    )  # fmt: skip
    _best_marks(lay, rec, "x2", ["y2"], w)
    frames = [
        {"name": n, "traces": [k_curve, k_cursor, k_cursor + 1], "data": [{"y": rec.frames[i]}, *cursor(int(e))]}
        for i, (n, e) in enumerate(zip(names, rec.epochs, strict=True))
    ]
    return go.Figure(data=traces, layout=lay, frames=frames, _validate=False)


def palette(discrete: bool) -> np.ndarray:
    """The colour (LEVELS + 1, 3) uint8 of each probability level, as class_colourscale maps it."""
    stops = class_colourscale(discrete)
    at = np.array([s for s, _ in stops])
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in stops], dtype=np.float64)
    t = np.arange(LEVELS + 1) / LEVELS
    if discrete:  # two colours split at 0.5 (level LEVELS / 2 and up: class 1, as P >= 0.5 predicts it)
        return np.where((t >= 0.5)[:, None], rgb[-1], rgb[0]).astype(np.uint8)
    return np.rint(np.stack([np.interp(t, at, rgb[:, k]) for k in range(3)], axis=1)).astype(np.uint8)


def png_uri(levels: np.ndarray, pal: np.ndarray) -> str:
    """Levels (H, W) uint8, first row at the top, as an 8-bit palette PNG in a data URI (~1.5 KB for 40 x 40)."""
    h, w = levels.shape

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = np.hstack([np.zeros((h, 1), np.uint8), np.ascontiguousarray(levels, np.uint8)])  # filter 0 per row
    png = b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)),
        chunk(b"PLTE", np.ascontiguousarray(pal, np.uint8).tobytes()),
        chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)),
        chunk(b"IEND", b""),
    ))  # fmt: skip
    return "data:image/png;base64," + base64.b64encode(png).decode()


def quantise(p: np.ndarray) -> np.ndarray:
    """Probabilities in [0, 1] as uint8 levels 0..LEVELS (a 4x smaller payload than float32, 1% steps)."""
    return np.rint(np.clip(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=0.5), 0, 1) * LEVELS).astype(np.uint8)


def boundary_segments(gx: np.ndarray, gy: np.ndarray, p: np.ndarray, level: float = 0.5) -> dict[str, np.ndarray]:
    """The level line of p (len(gy), len(gx)) by marching squares: one segment per crossed cell, NaN between.

    Each cell whose corners straddle the level gets the segment between its two edge crossings (linear
    interpolation along each edge); a saddle cell (four crossings) pairs them bottom-left and top-right.
    """
    p = np.asarray(p, dtype=np.float64)
    s = p > level
    with np.errstate(divide="ignore", invalid="ignore"):
        th = np.clip((level - p[:, :-1]) / (p[:, 1:] - p[:, :-1]), 0, 1)  # (Gy, Gx-1) along horizontal edges
        tv = np.clip((level - p[:-1]) / (p[1:] - p[:-1]), 0, 1)  # (Gy-1, Gx) along vertical edges
    hx, hy = gx[:-1] + th * np.diff(gx), np.broadcast_to(gy[:, None], th.shape)
    vx, vy = np.broadcast_to(gx[None, :], tv.shape), gy[:-1, None] + tv * np.diff(gy)[:, None]
    ch, cv = s[:, :-1] != s[:, 1:], s[:-1] != s[1:]
    # Edges of each cell (Gy-1, Gx-1) in the order bottom, left, top, right.
    ex = np.stack([hx[:-1], vx[:, :-1], hx[1:], vx[:, 1:]])
    ey = np.stack([hy[:-1], vy[:, :-1], hy[1:], vy[:, 1:]])
    ec = np.stack([ch[:-1], cv[:, :-1], ch[1:], cv[:, 1:]])  # (4, Gy-1, Gx-1)
    order = np.argsort(~ec, axis=0, kind="stable")  # crossed edges first, in edge order
    n = ec.sum(0)
    segs = []
    for a, b, ok in ((0, 1, n >= 2), (2, 3, n == 4)):
        ia, ib = order[a][ok], order[b][ok]
        r, c = np.nonzero(ok)
        segs.append(np.stack([ex[ia, r, c], ey[ia, r, c], ex[ib, r, c], ey[ib, r, c]], axis=1))  # (S, 4)
    seg = np.concatenate(segs)
    xs = np.column_stack([seg[:, 0], seg[:, 2], np.full(len(seg), np.nan)]).ravel()
    ys = np.column_stack([seg[:, 1], seg[:, 3], np.full(len(seg), np.nan)]).ravel()
    return {"x": xs.astype(np.float32), "y": ys.astype(np.float32)}


def classify_playback(
    data: Dataset,
    gx: np.ndarray,
    gy: np.ndarray,
    rec: Recording,
    *,
    chance: float | None = None,
    title: str = "Training, epoch by epoch",
    labels: dict[str, str] | None = None,
    height: int = 620,
    show_val: bool = True,
    discrete: bool = False,
) -> go.Figure:
    """The decision boundary (left) beside cross-entropy and accuracy per epoch (right), one frame per snapshot.

    `rec.frames` (F, len(gy), len(gx)) are P(class 1) on the grid gx, gy. `discrete` colours the cells by the
    predicted class; `show_val` False leaves the validation points out (as figures.classify.boundary_figure).
    """
    w = _w(labels)
    bottom = 190
    tr, va, on = _finite(rec.train_loss), _finite(rec.val_loss), _on_loss(rec)
    ta, vacc = (_finite(a) if a is not None else np.full_like(tr, np.nan) for a in (rec.train_acc, rec.val_acc))
    ep = np.arange(len(tr), dtype=np.int32)
    q = quantise(rec.frames)  # (F, G, G)
    lr = _log_range(tr, va, on)
    top, bot = 10 ** lr[1], 10 ** lr[0]
    half = LEVELS / 2
    pal = palette(discrete)
    images = [png_uri(f[::-1], pal) for f in q]  # PNG rows run top down, the grid's rows follow gy upwards
    lines = [boundary_segments(gx, gy, p) for p in rec.frames]
    dx, dy = float(gx[1] - gx[0]), float(gy[1] - gy[0])
    # The probabilities are one small image per frame, stretched over the grid by the browser (smoothly),
    # which PLAYER_JS swaps in as a frame plays: frames then restyle only lines, with no redraw. A contour
    # frame needed a full redraw (~250 ms a frame here); ~1600 scatter squares still took 100-200 ms.
    image = {
        "source": images[-1],
        "xref": "x",
        "yref": "y",
        "x": float(gx[0]) - dx / 2,
        "y": float(gy[-1]) + dy / 2,
        "sizex": float(gx[-1] - gx[0]) + dx,
        "sizey": float(gy[-1] - gy[0]) + dy,
        "xanchor": "left",
        "yanchor": "top",
        "sizing": "stretch",
        "layer": "below",
        "name": "grid",
    }
    traces: list[dict[str, Any]] = [
        # The colour bar only: one transparent point carries the image's colour scale.
        {"type": "scatter", "x": [float(gx[0])], "y": [float(gy[0])], "mode": "markers", "hoverinfo": "skip",
         "showlegend": False, "name": w["prob"],
         "marker": {"size": 1, "opacity": 0, "color": [0], "cmin": 0, "cmax": LEVELS,
                    "colorscale": class_colourscale(discrete),
                    "showscale": True,
                    "colorbar": {"thickness": 10, "len": 0.6, "x": 0.49, "y": 0.5,
                                 "tickvals": [0, LEVELS / 4, half, 3 * LEVELS / 4, LEVELS],
                                 "ticktext": ["0", "0.25", "0.5", "0.75", "1"], **class_colourbar(
                                     {"prob": w["prob"], "pred": w.get("pred", "predicted class"),
                                      "class0": w.get("class0", "class 0"), "class1": w.get("class1", "class 1")},
                                     discrete, LEVELS)}}},
        {"type": "scatter", **lines[-1], "mode": "lines", "name": w["boundary"], "hoverinfo": "skip",
         "line": {"color": BOUNDARY, "width": 2.5}},
    ]  # fmt: skip
    traces += _class_points(data, show_val, w)
    for ax, a, b_, dash in (("2", tr, va, "dot"), ("3", ta, vacc, "dot")):
        metric = w["metric"] if ax == "2" else w["accuracy"]
        traces += [
            {"type": "scatter", "x": ep, "y": a, "mode": "lines", "name": f"{w['train']}", "legendgroup": "tr",
             "showlegend": ax == "2", "line": {"color": TRAIN, "width": 2}, "xaxis": f"x{ax}", "yaxis": f"y{ax}",
             "hovertemplate": f"{metric} %{{y:.3g}}<extra>{w['train']}</extra>"},
            {"type": "scatter", "x": ep, "y": b_, "mode": "lines", "name": f"{w['val']}", "legendgroup": "va",
             "showlegend": ax == "2", "line": {"color": VAL, "width": 2, "dash": dash}, "xaxis": f"x{ax}",
             "yaxis": f"y{ax}", "hovertemplate": f"{metric} %{{y:.3g}}<extra>{w['val']}</extra>"},
        ]  # fmt: skip
    traces += _on_trace(on, w["train_on"], w["metric"])
    if rec.best_epoch is not None:
        traces.append(_best_star(rec.best_epoch, va, w["best_marker"]))
    if chance is not None:
        traces.append(
            {"type": "scatter", "x": [0, len(tr) - 1], "y": [chance, chance], "mode": "lines", "name": w["chance"],
             "line": {"color": NOISE, "dash": "dash", "width": 1.5}, "xaxis": "x3", "yaxis": "y3",
             "hoverinfo": "skip"}
        )  # fmt: skip
    k_cursor = len(traces)

    def cursor(e: int) -> list[dict[str, Any]]:
        """On each history chart one trace: the cursor line, a gap, this epoch's two values (markers)."""
        return [
            {"x": [e, e, None, e, e], "y": [bot, top, None, float(tr[e]), float(va[e])]},
            {"x": [e, e, None, e, e], "y": [0.0, 1.02, None, float(ta[e]), float(vacc[e])]},
        ]

    # One trace per chart, not a line and a marker trace: every frame pays Plotly's defaults and calc for every
    # trace of the figure (in Streamlit's plotly.js ~3 ms each here), so fewer traces play faster.
    for ax, cur in zip(("2", "3"), cursor(int(rec.epochs[-1])), strict=True):
        traces.append(
            {"type": "scatter", **cur, "mode": "lines+markers", "line": {"color": CURSOR, "width": 1.5},
             "marker": {"size": [0, 0, 0, 10, 10], "color": [CURSOR, CURSOR, CURSOR, TRAIN, VAL],
                        "symbol": ["circle", "circle", "circle", "circle", "triangle-up"],
                        "line": {"width": [0, 0, 0, 1.5, 1.5], "color": "white"}},
             "hoverinfo": "skip", "showlegend": False, "name": w["now"], "xaxis": f"x{ax}", "yaxis": f"y{ax}"}
        )  # fmt: skip
    names = [str(int(e)) for e in rec.epochs]
    near = rec.frame_of(rec.best_epoch) if rec.best_epoch is not None else -1
    steps = [
        _epoch_label(w, int(e), rec.best_epoch, [
            (f"{w['val']} {w['accuracy']}", float(vacc[e]), "{:.1%}"), (f"{w['train']} {w['accuracy']}", float(ta[e]), "{:.1%}"),
            (f"{w['val']} {w['metric']}", float(va[e]), ""), (f"{w['train']} {w['metric']}", float(tr[e]), "")],
            i == near)
        for i, e in enumerate(rec.epochs)
    ]  # fmt: skip
    best = names[near] if rec.best_epoch is not None else None
    menus, sliders = controls(
        names, steps, best, w, GRID_MS, False, _below(height, bottom, 45), _below(height, bottom, 85)
    )
    x_end = max(len(tr) - 1, 1)
    lay = _layout(
        title,
        height,
        bottom,
        w,
        # No grid lines over the probabilities (layout images lie under them, as traces do not).
        xaxis={"domain": [0.0, 0.47], "range": [float(gx[0]), float(gx[-1])], "title": {"text": "x1"},
               "constrain": "domain", "showgrid": False, "zeroline": False},
        yaxis={"range": [float(gy[0]), float(gy[-1])], "title": {"text": "x2"}, "scaleanchor": "x", "scaleratio": 1,
               "constrain": "domain", "showgrid": False, "zeroline": False},
        xaxis2={"domain": [0.68, 1.0], "range": [0, x_end], "anchor": "y2", "showticklabels": False},
        yaxis2={"domain": [0.55, 1.0], **log_axis(10 ** lr[0], 10 ** lr[1], range_=True),
                "title": {"text": w["metric"]}, "anchor": "x2"},
        xaxis3={"domain": [0.68, 1.0], "range": [0, x_end], "anchor": "y3", "title": {"text": w["epoch"]},
                "matches": "x2"},
        yaxis3={"domain": [0.0, 0.45], "range": [0, 1.02], "tickformat": ".0%", "title": {"text": w["accuracy"]},
                "anchor": "x3"},
        updatemenus=menus,
        sliders=sliders,
        images=[image],
    )  # fmt: skip
    _best_marks(lay, rec, "x2", ["y2"], w)
    _best_marks({"shapes": lay["shapes"], "annotations": []}, rec, "x3", ["y3"], w)
    frames = [
        {
            "name": n,
            # The colour bar's point rides along unchanged: a frame whose boundary is empty (no cell crosses 0.5)
            # would leave the subplot no scatter to draw, and Plotly then drops its other traces (the points).
            "traces": [0, 1, k_cursor, k_cursor + 1],
            "data": [{}, lines[i], *cursor(int(e))],
            "layout": {"images": [{"source": images[i]}]},  # drawn by PLAYER_JS (grid), by Plotly on a redraw
        }
        for i, (n, e) in enumerate(zip(names, rec.epochs, strict=True))
    ]
    return go.Figure(data=traces, layout=lay, frames=frames, _validate=False)


def _class_points(data: Dataset, show_val: bool, w: dict[str, str]) -> list[dict[str, Any]]:
    """The training points (filled) and, with show_val, the validation points (hollow), one trace per class."""
    traces = []
    sets = (("train", data.x, data.y, False), ("val", data.x_val, data.y_val, True))
    for which, xt, yt, hollow in sets if show_val else sets[:1]:
        x, y = xt.numpy(), yt.numpy()
        for c in (0, 1):
            pts = x[y == c].round(3)
            traces.append(
                {"type": "scatter", "x": pts[:, 0].tolist(), "y": pts[:, 1].tolist(), "mode": "markers",
                 "name": w[f"{which}{c}"],
                 "marker": {"symbol": CLASS_SYMBOLS[c] + ("-open" if hollow else ""), "size": 8 if hollow else 7,
                            "color": CLASS_COLOURS[c],
                            "line": {"width": 2, "color": CLASS_COLOURS[c]} if hollow else
                            {"width": 1, "color": "white"}},
                 "hovertemplate": "x1 %{x:.2f}, x2 %{y:.2f}<extra>%{fullData.name}</extra>"}
            )  # fmt: skip
    return traces


# Wires every playback figure on the page (in the app through a small component, in an exported file as its
# post-script): Step goes to the frame after the current one, the keyboard drives the controls (Space play or
# pause, arrows step, Home reset, B best epoch), and `autoplay(run)` presses Play once per new run.
PLAYER_JS = (
    r"""
(function () {
  const W = window;
  W.__pbPlayed = W.__pbPlayed || {};
  function button(gd, name) {
    const menus = (gd._fullLayout && gd._fullLayout.updatemenus) || [];
    const i = menus[0] ? menus[0].buttons.findIndex(b => b.name === name) : -1;
    if (i < 0) return null;
    const els = gd.querySelectorAll('.updatemenu-container g.updatemenu-button');
    return {i, el: els[i]};
  }
  function press(gd, name) {
    const b = button(gd, name);
    if (b && b.el) b.el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  }
  function names(gd) { return ((gd._transitionData && gd._transitionData._frames) || []).map(f => f.name); }
  function pointStep(gd, current) {
    const ns = names(gd), b = button(gd, 'step');
    if (!ns.length || !b) return;
    const next = ns[(ns.indexOf(String(current)) + 1) % ns.length];
    for (const L of [gd.layout, gd._fullLayout]) {
      if (L && L.updatemenus && L.updatemenus[0]) L.updatemenus[0].buttons[b.i].args[0] = [next];
    }
    // The drawn button keeps the options it was drawn with (d3's datum): a frame without a redraw leaves them.
    if (b.el && b.el.__data__ && b.el.__data__.args) b.el.__data__.args[0] = [next];
    gd.__pbCurrent = String(current);
  }
  function current(gd) {
    const s = gd._fullLayout.sliders && gd._fullLayout.sliders[0];
    return s ? s.steps[s.active].args[0][0] : names(gd).slice(-1)[0];
  }
  // Typed arrays inside frames stay base64 specs in some plotly.js builds (Streamlit's 4.2 among them), and a
  // contour frame then draws nothing: decode them once into rows of numbers.
"""
    + DECODE_JS
    + r"""
  function decodeFrames(gd) {
    for (const f of (gd._transitionData && gd._transitionData._frames) || []) {
      for (const d of f.data || []) for (const k of ['z', 'x', 'y']) if (d[k] && d[k].bdata) d[k] = decode(d[k]);
    }
  }
  // A grid frame's image (classify_playback): set on the drawn <image> at once, as Plotly draws none without a
  // redraw; the frame's layout keeps it for any later redraw. Decoded ahead, so no frame waits on a PNG.
  const XLINK = 'http://www.w3.org/1999/xlink';
  function gridSrc(gd, name) {
    const f = gd._transitionData && gd._transitionData._frameHash && gd._transitionData._frameHash[name];
    const im = f && f.layout && f.layout.images;
    return im && im[0] && im[0].source;
  }
  function showGrid(gd, name) {
    const src = gridSrc(gd, name);
    if (!src) return;
    for (const el of gd.querySelectorAll('.imagelayer image')) {
      if (el.getAttributeNS(XLINK, 'href') !== src) el.setAttributeNS(XLINK, 'xlink:href', src);
    }
  }
  function predecode(gd) {
    gd.__pbImages = names(gd).map(n => gridSrc(gd, n)).filter(Boolean).map(src => {
      const img = new Image();
      img.src = src;
      if (img.decode) img.decode().catch(() => {});
      return img;  // kept: the decoded image stays cached while the figure lives
    });
  }
  function wire(gd) {
    if (gd.__pbWired || !gd.layout || !gd.layout.meta || !gd.layout.meta.playback || !gd.on) return;
    gd.__pbWired = true;
    decodeFrames(gd);
    gd.__pbPlaying = false;
    pointStep(gd, current(gd));
    predecode(gd);
    gd.on('plotly_animatingframe', e => { gd.__pbCurrent = String(e.name); showGrid(gd, e.name); });
    // Aim Step at the frame after the slider's current one just before its own click handler runs.
    gd.addEventListener('click', ev => {
      const b = button(gd, 'step');
      if (b && b.el && b.el.contains(ev.target)) pointStep(gd, current(gd));
    }, true);
    gd.on('plotly_animated', () => { gd.__pbPlaying = false; });
    gd.on('plotly_buttonclicked', e => {
      gd.__pbPlaying = !!(e.button && e.button.name === 'play') || (e.menu && e.menu.name === 'speed');
    });
    gd.tabIndex = 0;
    gd.setAttribute('aria-label', 'training playback: Space play or pause, arrows step, Home reset, B best epoch');
    gd.addEventListener('keydown', ev => {
      const k = ev.key;
      if (k === ' ') press(gd, gd.__pbPlaying ? 'pause' : 'play');
      else if (k === 'ArrowRight') press(gd, 'step');
      else if (k === 'Home') press(gd, 'reset');
      else if (k === 'b' || k === 'B') press(gd, 'best');
      else return;
      ev.preventDefault();
    });
  }
  W.__pbWire = function (autoplay, run, root) {
    const doc = root || document;
    let tries = 0;
    const timer = setInterval(() => {
      const gds = [...doc.querySelectorAll('.js-plotly-plot')].filter(g => g.layout && g.layout.meta && g.layout.meta.playback);
      gds.forEach(wire);
      if (autoplay && run && gds.length && !W.__pbPlayed[run]) {
        W.__pbPlayed[run] = true;
        gds.forEach(gd => { press(gd, 'reset'); setTimeout(() => press(gd, 'play'), 50); });
      }
      if (++tries > 40 || (gds.length && (!autoplay || W.__pbPlayed[run]))) clearInterval(timer);
    }, 150);
  };
})();
"""
)


def export_html(fig: go.Figure) -> str:
    """A standalone page of a playback figure: plotly.js inlined (plays offline), wired, playing once on open."""
    js = PLAYER_JS + "\nwindow.__pbWire(true, 'export');"  # Plotly's own auto_play runs at 2 frames a second
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False, post_script=js)


def to_html(fig: go.Figure) -> str:
    """A standalone interactive HTML page of any figure (plotly.js inlined: works offline); a training playback
    brings its player script."""
    return export_html(fig) if fig.frames else fig.to_html(include_plotlyjs=True, full_html=True)
