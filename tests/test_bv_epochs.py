"""Bias and variance against epochs: the recorded predictions are fit()'s, the identity holds, the trend shows."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from playground.analysis import eval_points
from playground.bv_epochs import EVAL_M, EpochSettings, bv_epochs, record_epochs
from playground.data import Dataset, make_data, resample
from playground.figures.bv_epochs import bv_epochs_figure
from playground.settings import DataSettings, ModelSettings, Settings, TrainSettings
from playground.train import fit


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models gain nothing from threads, and on a busy machine each parallel region can wait a time slice."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


SMALL = EpochSettings(bve_r=3, bve_width=8, bve_epochs=40, bve_points=6)
DS = DataSettings(n=12, noise=0.4)


def test_field_names_do_not_clash_with_other_settings_in_the_url() -> None:
    mine = {f.name for f in fields(EpochSettings)}
    others = {f.name for c in Settings.__subclasses__() if c is not EpochSettings for f in fields(c)}
    assert not mine & others


def test_recorded_epochs_are_log_spaced_distinct_and_end_at_the_last() -> None:
    for e, k in ((3000, 30), (10, 30), (40, 6)):
        m = record_epochs(e, k)
        assert m[0] == 1 and m[-1] == e and np.all(np.diff(m) > 0) and len(m) <= k + 1
    m = record_epochs(3000, 30)
    ratios = m[1:] / m[:-1]
    assert ratios[-10:].max() < 1.5  # even steps in log where rounding no longer bunches them


def test_predictions_at_each_recorded_epoch_are_those_of_a_network_trained_that_long_alone() -> None:
    c = bv_epochs(DS, SMALL, init_seed=3)
    x, y = resample(DS, SMALL.bve_r)
    val = make_data(DS)
    ms = ModelSettings(family="mlp", width=SMALL.bve_width, layers=1, activation="tanh")
    for r, k in ((0, 0), (2, 3), (1, len(c.epochs) - 1)):
        e = int(c.epochs[k])
        ts = TrainSettings(lr=SMALL.bve_lr, epochs=e, init_seed=3, device="cpu")
        ref = fit(Dataset(x[r], y[r], val.x_val, val.y_val, DS.noise, DS.truth), ms, ts, device="cpu")
        np.testing.assert_allclose(c.pred[r, k], ref.predict(c.x), rtol=1e-4, atol=1e-5)


def test_bias2_variance_noise_sum_is_the_expected_test_error_at_every_epoch() -> None:
    c = bv_epochs(DS, SMALL)
    xt, f, yt = eval_points(DS, SMALL.bve_r, EVAL_M)
    np.testing.assert_array_equal(c.x, xt)
    # E over fresh noise of (f̂(x) - f(x) - σε)² is (f̂ - f)² + σ²: computed here from the predictions by hand.
    exact = ((c.pred - f) ** 2).mean(axis=(0, 2)) + DS.noise**2
    np.testing.assert_allclose(c.bv.total, exact, rtol=1e-10)
    np.testing.assert_allclose(c.bv.bias2, ((c.pred.mean(0) - f) ** 2).mean(-1), rtol=1e-8)
    direct = ((c.pred - yt[:, None, :]) ** 2).mean(axis=(0, 2))  # against noisy targets
    np.testing.assert_allclose(c.bv.measured, direct, rtol=1e-10)
    se = ((c.pred - yt[:, None, :]) ** 2).mean(-1).std(0) / np.sqrt(SMALL.bve_r)
    assert np.all(np.abs(direct - c.bv.total) < 4 * np.maximum(se, c.bv.measured_se) + 1e-12)
    # the engine's own per-epoch distance to the truth (float32) agrees with bias² + variance where recorded
    np.testing.assert_allclose(c.truth_err[c.epochs], c.bv.bias2 + c.bv.var, rtol=1e-3)


def test_no_variance_before_training_apart_from_the_data_and_the_best_epoch_is_the_lowest_total() -> None:
    c = bv_epochs(DS, SMALL)
    assert c.best == int(c.epochs[int(np.argmin(c.bv.total))])
    same = bv_epochs(DS.changed(noise=0.0, truth="linear", x_mode="grid"), SMALL)  # every set is the same set
    assert np.all(same.bv.var < 1e-10)


def test_bias_falls_and_variance_rises_during_training_on_the_defaults() -> None:
    c = bv_epochs(DataSettings(noise=0.5), EpochSettings())
    bv, i = c.bv, int(np.argmin(c.bv.total))
    assert 0 < i < len(c.epochs) - 1  # the sweet spot is inside the run
    assert bv.bias2[i] * 10 <= bv.bias2[0]
    assert bv.var[-1] >= 2 * bv.var[i] and bv.total[-1] >= 1.2 * bv.total[i]


def test_figure_has_log_epochs_with_decade_ticks_and_marks_the_best_epoch() -> None:
    c = bv_epochs(DS, SMALL)
    fig = bv_epochs_figure(c, current=10)
    go.Figure(fig.to_dict())  # plotly's full validation
    ax = fig.layout.xaxis
    assert ax.type == "log" and list(ax.tickvals) == [1.0, 10.0, 100.0]
    star = [tr for tr in fig.data if tr.marker.symbol == "star"]
    assert len(star) == 1 and star[0].x[0] == c.best
    assert {s.x0 for s in fig.layout.shapes} == {c.best, 10}
