"""The theory pages' numbers: fits agree with numpy, bias² + variance + σ² is the measured test error."""

from dataclasses import fields

import numpy as np
import pytest
import torch
from numpy.polynomial import legendre as L

from playground import analysis as an
from playground.analysis import SweepSettings
from playground.data import DOMAIN, TRUTHS, Dataset, make_data, resample
from playground.settings import DataSettings, ModelSettings, Settings, TrainSettings
from playground.train import fit

DS = DataSettings(n=30, noise=0.3, seed=3)


def _legfit_preds(x: torch.Tensor, y: torch.Tensor, degree: int, at: np.ndarray) -> np.ndarray:
    """numpy's Legendre least squares, one dataset at a time: predictions (R, M) at `at`."""
    return np.stack([L.legval(at, L.legfit(xr, yr, degree)) for xr, yr in zip(x.numpy(), y.numpy(), strict=True)])


def test_sweep_field_names_do_not_clash_with_other_settings_in_the_url() -> None:
    mine = {f.name for f in fields(SweepSettings)}
    others = {f.name for c in Settings.__subclasses__() if c is not SweepSettings for f in fields(c)}
    assert DataSettings in Settings.__subclasses__() and mine and not mine & others


def test_every_degree_agrees_with_numpy_legfit_where_the_problem_is_well_conditioned() -> None:
    x, y = resample(DS, 40)  # (R, N)
    c = an.poly_fits(x, y, 20).numpy()  # (R, 21, 21)
    checked = 0
    for r in range(len(x)):
        for d in range(21):
            a = L.legvander(x[r].numpy(), d)
            if np.linalg.cond(a) > 1e8:  # beyond this both solvers are limited by conditioning, not method
                continue
            ref = L.legfit(x[r].numpy(), y[r].numpy(), d)
            assert np.linalg.norm(c[r, d, : d + 1] - ref) <= 1e-6 * np.linalg.norm(ref)
            assert not c[r, d, d + 1 :].any()  # padded with exact zeros
            np.testing.assert_allclose(a @ c[r, d, : d + 1], a @ ref, rtol=1e-6, atol=1e-9)
            checked += 1
    assert checked > 0.8 * 40 * 21


def test_more_parameters_than_points_gives_the_minimum_norm_interpolant() -> None:
    x, y = resample(DS.changed(n=8), 5)  # (5, 8)
    c = an.poly_fits(x, y, 12).numpy()  # degrees 8..12 have more coefficients than points
    for r in range(5):
        for d in range(8, 13):
            a = L.legvander(x[r].numpy(), d)
            np.testing.assert_allclose(c[r, d, : d + 1], np.linalg.pinv(a) @ y[r].numpy(), rtol=1e-6, atol=1e-8)
            np.testing.assert_allclose(a @ c[r, d, : d + 1], y[r].numpy(), atol=1e-8)


def test_capacity_curve_is_the_median_of_independent_fits() -> None:
    sw = SweepSettings(r=12, deg_max=6)
    cc = an.capacity_curve(DS, sw)
    x, y = resample(DS, sw.r)
    val = make_data(DS)
    for d in range(7):
        tr = np.array(
            [
                np.mean((L.legval(xr, L.legfit(xr, yr, d)) - yr) ** 2)
                for xr, yr in zip(x.numpy(), y.numpy(), strict=True)
            ]
        )
        va = np.mean((_legfit_preds(x, y, d, val.x_val.numpy()) - val.y_val.numpy()) ** 2, axis=1)
        assert cc.train.mid[d] == pytest.approx(np.median(tr), rel=1e-8)
        assert cc.val.mid[d] == pytest.approx(np.median(va), rel=1e-8)
        assert cc.val.lo[d] <= cc.val.mid[d] <= cc.val.hi[d]  # a median never leaves its own band
        assert cc.val.lo[d] == pytest.approx(np.quantile(va, 0.1), rel=1e-8)
    assert np.all(np.diff(cc.train.mid) <= 1e-12)  # nested models: training error never rises with degree
    assert cc.best == int(np.argmin(cc.val.mid)) and list(cc.n_params) == list(range(1, 8))


def _bv_by_hand(ds: DataSettings, sw: SweepSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predictions (R, K, M) from numpy's legfit, the truth (M,) and fresh noisy targets (R, M)."""
    x, y = resample(ds, sw.r)
    xt, f, yt = an.eval_points(ds, sw.r)
    pred = np.stack([_legfit_preds(x, y, d, xt) for d in range(sw.deg_max + 1)], axis=1)
    return pred, f, yt


def test_bias_variance_noise_sum_equals_the_expected_test_error_exactly_over_the_noise() -> None:
    ds, sw = DS, SweepSettings(r=60, deg_max=8)
    bv = an.bias_variance(ds, sw)
    pred, f, _ = _bv_by_hand(ds, sw)
    # E over fresh noise of (f̂(x) - f(x) - σε)² is (f̂ - f)² + σ²: the expected test error without sampling.
    exact = ((pred - f) ** 2).mean(axis=(0, 2)) + ds.noise**2
    np.testing.assert_allclose(bv.total, exact, rtol=1e-10)
    np.testing.assert_allclose(bv.bias2, ((pred.mean(0) - f) ** 2).mean(-1), rtol=1e-6)
    np.testing.assert_allclose(bv.var, pred.var(0).mean(-1), rtol=1e-6)


def test_measured_test_error_on_noisy_targets_agrees_with_the_decomposition_within_sampling_error() -> None:
    ds, sw = DS.changed(noise=0.5), SweepSettings(r=200, deg_max=10)
    bv = an.bias_variance(ds, sw)
    pred, _, yt = _bv_by_hand(ds, sw)
    direct = ((pred - yt[:, None, :]) ** 2).mean(axis=(0, 2))  # predictions against noisy targets
    np.testing.assert_allclose(bv.measured, direct, rtol=1e-6)
    # Independent of the code's own SE: the spread of each dataset's mean squared error, over datasets.
    se = ((pred - yt[:, None, :]) ** 2).mean(-1).std(0) / np.sqrt(sw.r)
    assert np.all(np.abs(direct - bv.total) < 4 * np.maximum(se, bv.measured_se))
    assert np.all(np.abs(direct - (bv.bias2 + bv.var)) > 4 * bv.measured_se)  # the σ² term is needed


def test_the_identity_also_holds_for_any_predictions() -> None:
    g = np.random.default_rng(0)
    pred, f, y = g.normal(size=(7, 3, 11)), g.normal(size=11), g.normal(size=(7, 11))
    bias2, var, measured, _ = an.decompose(pred, f, y, 0.25)
    np.testing.assert_allclose(bias2 + var, ((pred - f) ** 2).mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(measured, ((pred - y[:, None]) ** 2).mean(axis=(0, 2)), rtol=1e-12)


def test_no_noise_and_a_straight_line_leave_no_bias_and_no_variance() -> None:
    bv = an.bias_variance(DataSettings(truth="linear", noise=0.0, n=15), SweepSettings(r=10, deg_max=5))
    assert bv.bias2[0] > 0.01  # a constant cannot follow a line
    assert np.all(bv.bias2[1:] < 1e-20) and np.all(bv.var[1:] < 1e-20) and bv.noise == 0


def test_bias_falls_and_variance_rises_with_degree() -> None:
    bv = an.bias_variance(DS, SweepSettings(r=100, deg_max=12))
    assert bv.bias2[0] > 10 * bv.bias2[6]
    assert bv.var[12] > 10 * bv.var[0]


def test_spaghetti_curves_are_the_fits_and_their_mean() -> None:
    sw = SweepSettings(r=9)
    sp = an.spaghetti(DS, sw, 4)
    x, y = resample(DS, sw.r)
    np.testing.assert_allclose(sp.fits, _legfit_preds(x, y, 4, sp.x), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sp.mean, sp.fits.mean(0))
    np.testing.assert_allclose(sp.truth, TRUTHS[DS.truth](sp.x))
    assert sp.x[0] == DOMAIN[0] and sp.x[-1] == DOMAIN[1]


def test_learning_curve_points_match_independent_fits_and_more_data_closes_the_gap() -> None:
    sw = SweepSettings(r=30, lc_deg_a=3, lc_deg_b=1, lc_deg_c=3, lc_n_max=200)
    lc = an.learning_curve(DS, sw)
    assert lc.degrees == (1, 3) and lc.n[0] == 5 and lc.n[-1] == 200 and np.all(np.diff(lc.n) > 0)
    n = int(lc.n[3])
    x, y = resample(DS, sw.r, n)
    val = make_data(DS)
    va = np.mean((_legfit_preds(x, y, 3, val.x_val.numpy()) - val.y_val.numpy()) ** 2, axis=1)
    assert lc.val[1].mid[3] == pytest.approx(np.median(va), rel=1e-8)
    gap = lc.val[1].mid - lc.train[1].mid
    assert gap[-1] < gap[2] / 5  # more points: training and validation error meet
    assert lc.train[1].mid[-1] > lc.train[1].mid[2]  # ...training error rises towards σ² as it stops fitting noise
    # With many points the fit nears the best cubic of the truth; its validation error is bias² + noise.
    dense = np.linspace(*DOMAIN, 2001)
    best = L.legfit(dense, TRUTHS[DS.truth](dense), 3)
    limit = np.mean((L.legval(val.x_val.numpy(), best) - val.y_val.numpy()) ** 2)
    assert lc.val[1].mid[-1] == pytest.approx(limit, rel=0.1)


@pytest.mark.parametrize("kind", an.FEATURES)
def test_double_descent_peaks_at_the_interpolation_threshold_and_falls_again(kind: str) -> None:
    sw = SweepSettings(r=40, dd_n=15, dd_features=kind, dd_ratio=6)
    dd = an.double_descent(DS, sw)
    n = sw.dd_n
    assert dd.p[int(np.argmax(dd.test.mid))] == n
    assert dd.p[int(np.argmax(dd.norm.mid))] == n
    assert np.all(dd.train.mid[dd.p >= n] < 1e-10) and np.all(dd.train.mid[dd.p < n] > 1e-4)
    assert dd.test.mid[-1] < dd.test.mid[dd.p == n][0] / 10


def test_features_are_nested_and_min_norm_matches_the_pseudo_inverse() -> None:
    x, y = resample(DS.changed(n=10), 3)
    for kind in an.FEATURES:
        big = an.features(kind, x, 30)
        torch.testing.assert_close(an.features(kind, x, 12), big[..., :12])
        c = an.min_norm(big[..., :25], y)  # 25 features, 10 points
        ref = np.stack([np.linalg.pinv(big[r, :, :25].numpy()) @ y[r].numpy() for r in range(3)])
        np.testing.assert_allclose(c.numpy(), ref, rtol=1e-6, atol=1e-9)


def test_mlp_sweep_trains_each_width_on_its_dataset_as_fit_would() -> None:
    ds, sw = DataSettings(n=12, n_val=40), SweepSettings(mlp_r=3, mlp_epochs=25)
    ms, ts = ModelSettings(family="mlp"), TrainSettings(init_seed=5, device="cpu")
    runs = an.mlp_runs(ds, sw, ms, ts)
    assert runs.train.shape == (3, len(an.WIDTHS)) and runs.pred.shape == (3, len(an.WIDTHS), an.EVAL_POINTS)
    x, y = resample(ds, sw.mlp_r)
    val = make_data(ds)
    for wi, r in ((0, 2), (4, 1)):
        one = ms.changed(width=an.WIDTHS[wi], layers=1)
        tr = ts.changed(epochs=sw.mlp_epochs, init_seed=ts.init_seed + 1000 * wi + r)
        ref = fit(Dataset(x[r], y[r], val.x_val, val.y_val, ds.noise, ds.truth), one, tr, device="cpu")
        assert runs.val[r, wi] == pytest.approx(ref.val_metric, rel=1e-4)
        np.testing.assert_allclose(runs.pred[r, wi], ref.predict(an.eval_points(ds, 1)[0]), rtol=1e-4, atol=1e-5)
    blocks = [an.mlp_runs(ds, sw, ms, ts, tuple(int(i) for i in b)) for b in an.mlp_blocks(sw, 2)]
    np.testing.assert_array_equal(an.MlpRuns.join(blocks).pred, runs.pred)  # any split trains the same networks
    bv = an.mlp_bias_variance(ds, runs)
    _, f, _ = an.eval_points(ds, 3)
    np.testing.assert_allclose(bv.total, ((runs.pred - f) ** 2).mean(axis=(0, 2)) + ds.noise**2, rtol=1e-10)
    cc = an.mlp_capacity(runs)
    assert list(cc.cap) == list(an.WIDTHS) and np.all(np.diff(cc.n_params) > 0)
