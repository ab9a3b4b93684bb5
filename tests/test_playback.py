"""Training playback: the recording schedule, snapshots against re-runs to the same epoch, the playback figures."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from playground.classify import (
    ClassSettings,
    boundary_grid,
    class_data,
    fit_classifier,
    grid_probability,
    make_transform,
    net_settings,
)
from playground.data import make_data
from playground.figures import grid, to_html
from playground.figures.classify import CLASS_LIGHT
from playground.figures.playback import LEVELS, boundary_segments, classify_playback, fit_playback, quantise
from playground.record import FRAMES, curve_probe, grid_probe, record_fit, schedule
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit

DS = DataSettings(n=15, noise=0.3, n_val=60)
XS = grid(200)
# The three training paths: the batched engine (one hidden layer, full batch), torch full batch, torch mini-batch.
RUNS = {
    "engine": (ModelSettings(family="mlp", width=16), TrainSettings(epochs=300, lr=0.02)),
    "torch": (ModelSettings(family="mlp", layers=2, width=8), TrainSettings(epochs=200, lr=0.02)),
    "minibatch": (ModelSettings(family="mlp", width=8), TrainSettings(epochs=60, lr=0.02, batch_size=4)),
}


@pytest.mark.parametrize("epochs", [1, 2, 7, 100, 1000, 5000])
def test_schedule_bounds(epochs: int) -> None:
    s = sorted(schedule(epochs))
    assert s[0] == 1 and s[-1] == epochs
    assert len(s) <= FRAMES and all(1 <= e <= epochs for e in s)
    assert len(s) == len(set(s))
    if epochs >= 100:  # log-spaced: every one of the first epochs, where the losses fall fastest
        assert set(range(1, 8)) <= set(s)
        gaps = np.diff(s)
        assert gaps.max() <= 2 * epochs / (FRAMES // 2)  # the even half bounds the late gaps


def test_schedule_empty() -> None:
    assert schedule(0) == frozenset()


@pytest.mark.parametrize("path", list(RUNS))
def test_snapshots_are_the_model_at_those_epochs(path: str) -> None:
    """Re-running training to epoch e and predicting gives the snapshot taken at e (the run is deterministic)."""
    ms, ts = RUNS[path]
    data = make_data(DS)
    res, rec = record_fit(data, ms, ts, curve_probe(XS), device="cpu")
    assert rec.epochs[-1] == ts.epochs and res.stop_reason == "finished"
    np.testing.assert_array_equal(rec.train_loss, np.asarray(res.train_loss, np.float32))
    for e in (1, 2, int(rec.epochs[len(rec.epochs) // 2]), ts.epochs):
        again = fit(data, ms, ts.changed(epochs=e), device="cpu")
        i = int(np.flatnonzero(rec.epochs == e)[0])
        np.testing.assert_allclose(rec.frames[i], again.predict(XS), rtol=1e-5, atol=1e-5)


def test_recording_does_not_change_training() -> None:
    ms, ts = RUNS["engine"]
    data = make_data(DS)
    plain = fit(data, ms, ts, device="cpu")
    res, _ = record_fit(data, ms, ts, curve_probe(XS), device="cpu")
    assert res.val_loss == plain.val_loss
    np.testing.assert_array_equal(res.predict(XS), plain.predict(XS))


def test_early_stop_keeps_the_best_epoch_exactly() -> None:
    """An early-stopped run restores its best weights: the best epoch has its own snapshot, the final model."""
    ms = ModelSettings(family="mlp", width=64)
    ts = TrainSettings(epochs=2000, lr=0.03, early_stopping=True, patience=30)
    data = make_data(DataSettings(n=10, noise=0.5, n_val=60))
    res, rec = record_fit(data, ms, ts, curve_probe(XS), device="cpu")
    assert res.stop_reason == "early stop"
    assert rec.best_epoch in rec.epochs.tolist()
    np.testing.assert_allclose(rec.frames[rec.frame_of(rec.best_epoch)], res.predict(XS), rtol=1e-6, atol=1e-6)
    assert rec.epochs.max() <= rec.last_epoch


def _classify(epochs: int = 120, cells: int = 50):
    cs = ClassSettings(cn=120, hidden=1, cwidth=8)
    ts = TrainSettings(epochs=epochs, lr=0.03)
    data = class_data(cs)
    gx, gy, _ = boundary_grid(data, cells)
    res, rec = record_fit(
        data,
        net_settings(cs, ModelSettings()),
        ts,
        grid_probe(gx, gy),
        n=100,
        device="cpu",
        transform=make_transform(cs.features),
        hidden_layers=cs.hidden,
    )
    return cs, ts, data, gx, gy, res, rec


def test_classifier_snapshots_are_its_probability_grids() -> None:
    cs, ts, data, gx, gy, _, rec = _classify()
    assert rec.frames.shape == (len(rec.epochs), 50, 50) and rec.train_acc is not None
    for e in (3, ts.epochs):
        again = fit_classifier(cs, ModelSettings(), ts.changed(epochs=e), data=data)
        i = int(np.flatnonzero(rec.epochs == e)[0])
        np.testing.assert_allclose(rec.frames[i], grid_probability(again.predict, gx, gy), atol=1e-5)


def test_frames_are_deterministic_for_a_seed() -> None:
    ms, ts = RUNS["torch"]
    a = record_fit(make_data(DS), ms, ts, curve_probe(XS), device="cpu")[1]
    b = record_fit(make_data(DS), ms, ts, curve_probe(XS), device="cpu")[1]
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.epochs, b.epochs)
    fa, fb = fit_playback(make_data(DS), XS, a), fit_playback(make_data(DS), XS, b)
    assert pio.to_json(fa, validate=False) == pio.to_json(fb, validate=False)


def _menu_names(fig: go.Figure) -> list[str]:
    return [b["name"] for m in fig.to_dict()["layout"]["updatemenus"] for b in m["buttons"] if "name" in b]


def test_fit_playback_figure() -> None:
    ms = ModelSettings(family="mlp", width=32)
    ts = TrainSettings(epochs=2000, lr=0.02)
    data = make_data(DS)
    _, rec = record_fit(data, ms, ts, curve_probe(XS), n=150, device="cpu")
    fig = fit_playback(data, XS, rec)
    go.Figure(fig.to_dict())  # validates every property
    d = fig.to_dict()
    assert len(d["frames"]) == len(rec.epochs) > 100
    assert [f["name"] for f in d["frames"]] == [str(e) for e in rec.epochs]
    steps = d["layout"]["sliders"][0]["steps"]
    assert [s["args"][0][0] for s in steps] == [f["name"] for f in d["frames"]]
    assert {"play", "pause", "reset", "step", "best"} <= set(_menu_names(fig))
    assert any("0.5×" in b["label"] for b in d["layout"]["updatemenus"][1]["buttons"])
    # Frames carry data only: the axes keep their fixed ranges while it plays.
    assert all("layout" not in f for f in d["frames"])
    assert d["layout"]["xaxis"]["range"] and d["layout"]["yaxis"]["range"] and d["layout"]["yaxis2"]["range"]
    # Each frame moves the curve and the epoch cursor, and the curve is that epoch's snapshot.
    k = d["frames"][0]["traces"][0]
    assert d["data"][k]["name"] == "network"
    mid = len(rec.epochs) // 2
    np.testing.assert_array_equal(np.asarray(fig.frames[mid].data[0].y), rec.frames[mid])
    assert fig.frames[mid].data[1].x == (int(rec.epochs[mid]),) * 2
    assert f"epoch {rec.epochs[mid]} " in steps[mid]["label"]
    # The best epoch is marked and the epochs after it are labelled as such (no early stopping here).
    assert any(a["text"] == "after the best epoch" for a in d["layout"]["annotations"])
    assert "★" in steps[rec.frame_of(rec.best_epoch)]["label"]
    size = len(pio.to_json(fig, validate=False))
    assert size <= 1_000_000, size


def _png_levels(uri: str) -> tuple[np.ndarray, np.ndarray]:
    """A frame's data-URI PNG read back by Pillow (an independent decoder): levels (H, W) and palette (N, 3)."""
    image = pytest.importorskip("PIL.Image")
    assert uri.startswith("data:image/png;base64,")
    im = image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert im.mode == "P"
    return np.asarray(im), np.asarray(im.getpalette(), np.uint8).reshape(-1, 3)


@pytest.mark.parametrize("discrete", [False, True])
def test_classify_playback_frames_are_the_probability_grids(discrete: bool) -> None:
    """Each frame's image holds that snapshot's probabilities (top row first) in the page's colours."""
    _, _, data, gx, gy, _, rec = _classify(epochs=300, cells=40)
    fig = classify_playback(data, gx, gy, rec, chance=0.5, discrete=discrete)
    d = json.loads(pio.to_json(fig, validate=False))
    assert len(d["frames"]) == len(rec.epochs)
    shown = []
    for i in (0, len(rec.epochs) // 2, len(rec.epochs) - 1):
        levels, pal = _png_levels(d["frames"][i]["layout"]["images"][0]["source"])
        np.testing.assert_array_equal(levels, quantise(rec.frames[i])[::-1])  # rows follow gy upwards
        shown.append(levels)
        lo, hi = CLASS_LIGHT
        hexes = ["#" + bytes(c).hex().upper() for c in pal[[0, LEVELS // 2 - 1, LEVELS // 2, LEVELS]]]
        assert hexes[0] == lo and hexes[3] == hi
        assert hexes[1:3] == ([lo, hi] if discrete else [hexes[1], "#FFFFFF"])
    assert not np.array_equal(shown[0], shown[-1]), "the grid does not change between frames"
    # The figure draws the last frame before anything plays; the image spans the grid's cells (edges).
    img = d["layout"]["images"][0]
    assert img["source"] == d["frames"][-1]["layout"]["images"][0]["source"]
    dx = gx[1] - gx[0]
    assert img["x"] == pytest.approx(gx[0] - dx / 2) and img["sizex"] == pytest.approx(gx[-1] - gx[0] + dx)
    assert img["xref"] == "x" and img["yref"] == "y" and img["layer"] == "below"


def test_classify_playback_figure_and_payload() -> None:
    _, _, data, gx, gy, _, rec = _classify(epochs=1000, cells=50)  # 50 x 50 cells x 100 frames: the bound
    assert len(rec.epochs) >= 90
    fig = classify_playback(data, gx, gy, rec, chance=0.5)
    go.Figure(fig.to_dict())
    d = json.loads(pio.to_json(fig, validate=False))
    assert len(d["frames"]) == len(rec.epochs)
    assert {"play", "pause", "reset", "step", "best"} <= set(_menu_names(fig))
    # Frames move lines only, without a redraw (PLAYER_JS swaps the grid's image), and each keeps a trace with a
    # point on the boundary chart (the colour bar's): Plotly drops a subplot's other traces from a frame with none.
    animate = [s["args"][1] for s in d["layout"]["sliders"][0]["steps"]]
    animate += [b["args"][1] for m in d["layout"]["updatemenus"] for b in m["buttons"]]
    assert not any(a["frame"]["redraw"] for a in animate)
    k_points = [i for i, t in enumerate(d["data"]) if t.get("xaxis", "x") == "x" and len(t["x"]) >= 1]
    assert all(f["traces"][0] in k_points and set(f["data"][0]) <= {"type"} for f in d["frames"])
    assert all(set(f["layout"]) == {"images"} for f in d["frames"])  # no axis change: the ranges stay fixed
    size = len(pio.to_json(fig, validate=False))
    assert size <= 1_000_000, size


def test_quantise() -> None:
    p = np.linspace(0, 1, 1001)
    q = quantise(p)
    assert q.dtype == np.uint8 and q.min() == 0 and q.max() == LEVELS
    assert np.abs(q / LEVELS - p).max() <= 0.5 / LEVELS + 1e-12
    assert quantise(np.array([np.nan, -1.0, 2.0])).tolist() == [LEVELS // 2, 0, LEVELS]


def test_export_plays_offline() -> None:
    ms, ts = RUNS["minibatch"]
    data = make_data(DS)
    _, rec = record_fit(data, ms, ts, curve_probe(XS), device="cpu")
    html = to_html(fit_playback(data, XS, rec))
    assert "__pbWire(true" in html and "addFrames" in html  # frames added, wired, played once
    assert "https://cdn" not in html.split("<body>")[0]  # plotly.js inlined, not fetched


def test_boundary_segments_follow_the_level_line() -> None:
    """Marching squares on a radial field: every segment end lies on the circle (to the grid's interpolation)."""
    g = np.linspace(-1, 1, 41)
    xx, yy = np.meshgrid(g, g)
    r = np.hypot(xx, yy)
    seg = boundary_segments(g, g, 1.0 - r / 1.2, level=0.5)  # p = 0.5 on r = 0.6
    x, y = seg["x"].reshape(-1, 3), seg["y"].reshape(-1, 3)
    assert np.isnan(x[:, 2]).all() and len(x) > 40
    ends = np.hypot(x[:, :2], y[:, :2])
    np.testing.assert_allclose(ends, 0.6, atol=2e-3)
    assert np.all(np.hypot(np.diff(x[:, :2]), np.diff(y[:, :2])) < 2 * (g[1] - g[0]))  # inside one cell
    assert len(boundary_segments(g, g, np.zeros((41, 41)))["x"]) == 0


@pytest.mark.parametrize("path", ["engine", "minibatch"])
def test_weight_copies_predicted_at_once_equal_each_epochs_own_prediction(path: str) -> None:
    """The recorder keeps weight copies and predicts them in one batched pass: that pass equals predicting each
    copy's epoch on its own, while the model trains (the plain per-epoch probe, a loop)."""
    ms, ts = RUNS[path]
    seen: dict[int, np.ndarray] = {}
    kept: dict[int, object] = {}
    at = None

    def cb(p) -> None:
        nonlocal at
        assert p.copy is not None and p.predict_copies is not None  # both engines offer copies
        seen[p.epoch], kept[p.epoch], at = p.predict(XS), p.copy(), p.predict_copies

    fit(make_data(DS), ms, ts, device="cpu", callback=cb, every=1)
    ep = sorted(kept)[:: max(len(kept) // 20, 1)]
    assert at is not None and len(ep) > 5
    batch = at([kept[e] for e in ep])(XS)  # (F, P)
    assert batch.shape == (len(ep), len(XS))
    for e, row in zip(ep, batch, strict=True):
        np.testing.assert_allclose(row, seen[e], rtol=1e-6, atol=1e-6)
    assert not np.allclose(batch[0], batch[-1])  # the copies are of different epochs, not one live view


def test_a_probe_that_is_not_batched_still_gets_each_copy() -> None:
    """A probe that reduces its prediction (not elementwise in a leading axis) is called once per copy."""
    ms, ts = RUNS["engine"]
    data = make_data(DS)
    _, ref = record_fit(data, ms, ts, curve_probe(XS), device="cpu")
    _, rec = record_fit(data, ms, ts, lambda predict: np.atleast_1d(predict(XS).mean()), device="cpu")
    assert rec.frames.shape == (len(ref.epochs), 1)
    np.testing.assert_allclose(rec.frames[:, 0], ref.frames.mean(1), rtol=1e-5, atol=1e-6)
