"""Polynomial and minimum-norm fits against independent references: numpy's pinv, and exact least squares (mpmath).

Issue 10, items 1-2: the batched min-norm solver must equal the pseudo-inverse solution, interpolate whenever
parameters reach the number of points, and give bit-identical results on identical calls; uploaded points on
part of the axis must be fitted by least squares (the basis on the training points' own x-range).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
from numpy.polynomial import legendre as L

from playground import analysis as an
from playground.analysis import SweepSettings
from playground.data import DOMAIN, make_data, resample
from playground.figures import fit_figure, grid
from playground.io import load_poly, load_state_dict_bytes, read_points_csv, state_dict_bytes
from playground.models import PolyModel, fit_poly, min_norm, poly_errors, poly_fits
from playground.settings import DataSettings, ModelSettings
from playground.train import fit

EPS = np.finfo(np.float64).eps
GRID12 = DataSettings(n=12, x_mode="grid", noise=0.2, seed=4)  # 12 evenly spaced points: the case


def pinv_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy's pseudo-inverse solution, one system at a time, with the same relative cutoff as min_norm."""
    rcond = EPS * max(a.shape[-2:])
    a2, b2 = a.reshape(-1, *a.shape[-2:]), np.broadcast_to(b, (*a.shape[:-1],)).reshape(-1, a.shape[-2])
    return np.stack([np.linalg.pinv(ai, rcond=rcond) @ bi for ai, bi in zip(a2, b2, strict=True)]).reshape(
        *a.shape[:-2], a.shape[-1]
    )


def pinv_errors(x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, d: int) -> tuple[float, float]:
    """Training and validation MSE of the degree-d pseudo-inverse fit in numpy's Legendre basis on [-1, 1]."""
    c = np.linalg.pinv(L.legvander(x, d), rcond=EPS * max(len(x), d + 1)) @ y
    return float(np.mean((L.legval(x, c) - y) ** 2)), float(np.mean((L.legval(xv, c) - yv) ** 2))


# --- 1. the minimum-norm solver ------------------------------------------------------------


def test_min_norm_on_a_batch_of_identity_and_a_rank_2_matrix_equals_pinv() -> None:
    """The issue's reproduction: torch's batched gelsy returned zeros for the second system."""
    rank2 = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # row 2 = 2 x row 1
    a = np.stack([np.eye(3), rank2])
    b = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 1.0]])
    ours = min_norm(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    ref = pinv_solve(a, b)
    assert np.abs(ref[1]).max() > 0.1  # the reference solution is not zero
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(50, 6, 9), (50, 9, 6), (50, 8, 8)], ids=["wide", "tall", "square"])
def test_min_norm_on_rank_deficient_batches_equals_pinv(shape: tuple[int, int, int]) -> None:
    """Random batches mixing full-rank and rank-deficient systems (repeated rows and columns)."""
    g = np.random.default_rng(7)
    r, n, _ = shape
    a = g.standard_normal(shape)
    a[::3, 1] = a[::3, 0]  # a repeated row (an upload with a repeated x)
    a[1::3, :, -1] = a[1::3, :, 0]  # a repeated column
    b = g.standard_normal((r, n))
    ours = min_norm(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    ref = pinv_solve(a, b)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_min_norm_is_bit_identical_over_20_calls() -> None:
    g = np.random.default_rng(1)
    a = torch.from_numpy(L.legvander(np.tile(np.linspace(-1, 1, 12), (40, 1)), 19))  # (40, 12, 20)
    a[::4, 3] = a[::4, 2]  # some rank-deficient systems
    b = torch.from_numpy(g.standard_normal((40, 12)))
    first = min_norm(a, b)
    for _ in range(19):
        assert torch.equal(min_norm(a.clone(), b.clone()), first)


def test_poly_errors_are_bit_identical_over_20_calls() -> None:
    """The issue saw 1-4 wrong answers in 20 identical calls (12 evenly spaced points, degrees past 11)."""
    d = make_data(GRID12)
    first = poly_errors(d.x, d.y, d.x_val, d.y_val, 20)
    for _ in range(19):
        tr, va = poly_errors(d.x.clone(), d.y.clone(), d.x_val.clone(), d.y_val.clone(), 20)
        assert torch.equal(tr, first[0]) and torch.equal(va, first[1])


def test_poly_errors_interpolate_past_n_points_and_equal_the_pinv_fit() -> None:
    d = make_data(GRID12)
    x, y, xv, yv = (t.numpy() for t in (d.x, d.y, d.x_val, d.y_val))
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, 20)
    c = poly_fits(d.x, d.y, 20).numpy()
    for k in range(21):
        rtr, rva = pinv_errors(x, y, xv, yv, k)
        if k >= d.n - 1:  # at least as many parameters as points
            assert tr[k] < 1e-12
            ref = np.linalg.pinv(L.legvander(x, k), rcond=EPS * max(d.n, k + 1)) @ y
            np.testing.assert_allclose(c[k, : k + 1], ref, rtol=0, atol=1e-9 * np.abs(ref).max())
        else:
            assert tr[k].item() == pytest.approx(rtr, rel=1e-9)
        assert va[k].item() == pytest.approx(rva, rel=1e-8)


@pytest.mark.parametrize("ridge", [0.0, 1e-3])
@pytest.mark.parametrize("source", ["grid", "upload"])
def test_the_degree_chart_agrees_with_the_headline_fit_for_every_degree(ridge: float, source: str) -> None:
    """The Fit page's chart (poly_errors) and headline metrics (fit) for the same degree, to 1e-9.

    Two backward-stable solvers (the chart's QR, the headline's SVD) agree to about cond(A) * eps: the upload's
    validation points extrapolate past its training range, and cond reaches 1e7 at degree 18 (6e11 at degree 20,
    the square interpolant of its 21 random x): there the bound is that instead of 1e-9.
    """
    d = make_data(GRID12) if source == "grid" else read_points_csv(sklearn_example(2), "regression")[0]
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, 25, ridge, d.span)  # 21 uploaded training points
    u = (2 * d.x.numpy() - sum(d.span)) / (d.span[1] - d.span[0])
    for k in range(26):
        r = fit(d, ModelSettings(family="poly", degree=k, ridge=ridge))
        sv = np.linalg.svd(L.legvander(u, k), compute_uv=False)
        rel = max(1e-9, 10 * EPS * sv[0] / sv[min(d.n, k + 1) - 1])
        floor = 1e-12 if rel == 1e-9 else rel * float(d.y.pow(2).mean())  # interpolants: ~0 up to the same bound
        assert r.train_metric == pytest.approx(tr[k].item(), rel=rel, abs=floor)
        assert r.val_metric == pytest.approx(va[k].item(), rel=rel)
        if source == "grid" or k <= 12:  # well-conditioned (cond < 5e4): the 1e-9
            assert rel == 1e-9


SW = SweepSettings(r=30, deg_max=18, lc_deg_a=1, lc_deg_b=9, lc_deg_c=14, dd_features="legendre", dd_n=10, dd_ratio=3)
DS_GRID = DataSettings(n=12, x_mode="grid", noise=0.2, seed=11)


def _pinv_preds(x: torch.Tensor, y: torch.Tensor, degs: list[int], at: np.ndarray) -> np.ndarray:
    """Predictions (R, len(degs), M) of numpy's pseudo-inverse fits, one dataset and degree at a time."""
    out = []
    for xr, yr in zip(x.numpy(), y.numpy(), strict=True):
        cs = [np.linalg.pinv(L.legvander(xr, k), rcond=EPS * max(len(xr), k + 1)) @ yr for k in degs]
        out.append([L.legval(at, c) for c in cs])
    return np.array(out)


def test_capacity_sweep_interpolates_past_n_and_equals_pinv() -> None:
    cc = an.capacity_curve(DS_GRID, SW)
    x, y = resample(DS_GRID, SW.r)
    val = make_data(DS_GRID)
    degs = list(range(SW.deg_max + 1))
    tr = ((_pinv_preds(x, y, degs, x[0].numpy()) - y.numpy()[:, None]) ** 2).mean(-1)  # grid: same x every set
    va = ((_pinv_preds(x, y, degs, val.x_val.numpy()) - val.y_val.numpy()) ** 2).mean(-1)
    assert (cc.train.hi[DS_GRID.n - 1 :] < 1e-12).all()
    np.testing.assert_allclose(cc.val.mid, np.median(va, 0), rtol=1e-8)
    np.testing.assert_allclose(cc.train.mid[: DS_GRID.n - 1], np.median(tr, 0)[: DS_GRID.n - 1], rtol=1e-8)


def test_bias_variance_past_n_equals_pinv() -> None:
    bv = an.bias_variance(DS_GRID, SW)
    x, y = resample(DS_GRID, SW.r)
    xt, f, _ = an.eval_points(DS_GRID, SW.r)
    pred = _pinv_preds(x, y, list(range(SW.deg_max + 1)), xt)  # (R, K, M)
    np.testing.assert_allclose(bv.bias2, ((pred.mean(0) - f) ** 2).mean(-1), rtol=1e-8)
    np.testing.assert_allclose(bv.var, pred.var(0).mean(-1), rtol=1e-8)


def test_learning_curve_with_fewer_points_than_parameters_interpolates_and_equals_pinv() -> None:
    degs = list(an.lc_degrees(SW))
    val = make_data(DS_GRID)
    for n in (5, 9, 12):  # degree 9 and 14 past 5 and 9 points
        tr, va = an.learning_point(DS_GRID, SW, n)
        x, y = resample(DS_GRID, SW.r, n)
        ref = ((_pinv_preds(x, y, degs, val.x_val.numpy()) - val.y_val.numpy()) ** 2).mean(-1)
        np.testing.assert_allclose(va, ref, rtol=1e-8)
        past = [i for i, k in enumerate(degs) if k + 1 >= n]
        assert past and (tr[:, past] < 1e-12).all()


def test_double_descent_with_legendre_features_interpolates_and_equals_pinv() -> None:
    dsn = DS_GRID.changed(n=SW.dd_n)
    ps = an.dd_p_grid(SW)
    err = an.dd_errors(DS_GRID, SW, ps)  # (3, R, P): train, test, norm
    x, y = resample(dsn, SW.r)
    val = make_data(dsn)
    for i, p in enumerate(ps):
        a = L.legvander(x.numpy(), p - 1)  # (R, N, p)
        c = pinv_solve(a, y.numpy())  # (R, p)
        test = ((c @ L.legvander(val.x_val.numpy(), p - 1).T - val.y_val.numpy()) ** 2).mean(-1)
        np.testing.assert_allclose(err[1, :, i], test, rtol=1e-8)
        np.testing.assert_allclose(err[2, :, i], np.linalg.norm(c, axis=-1), rtol=1e-8)
        if p >= SW.dd_n:
            assert (err[0, :, i] < 1e-12).all()


# --- 2. uploaded points on part of the axis ------------------------------------------------


def sklearn_example(seed: int = 0, split: bool = False) -> bytes:
    """scikit-learn's "Underfitting vs. Overfitting" points as a CSV: 30 x uniform in [0, 1], cos(1.5 pi x) + noise.

    split=False: the upload's own 70/30 random split; True: all 30 train, 10 noiseless points to validate.
    """
    rng = np.random.RandomState(seed)
    x = np.sort(rng.rand(30))
    y = np.cos(1.5 * np.pi * x) + rng.randn(30) * 0.1
    if not split:
        return ("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist(), strict=True))).encode()
    xv = np.linspace(0.05, 0.95, 10)
    rows = [f"{a!r},{b!r},train\n" for a, b in zip(x.tolist(), y.tolist(), strict=True)]
    rows += [f"{a!r},{b!r},val\n" for a, b in zip(xv.tolist(), np.cos(1.5 * np.pi * xv).tolist(), strict=True)]
    return ("x,y,split\n" + "".join(rows)).encode()


def exact_lstsq_mse(x: np.ndarray, y: np.ndarray, degree: int) -> float:
    """The least-squares training MSE of a degree-`degree` polynomial, in 60-digit arithmetic (monomial basis)."""
    with mpmath.workdps(60):
        xs, ys = [mpmath.mpf(float(v)) for v in x], [mpmath.mpf(float(v)) for v in y]
        a = mpmath.matrix([[v**j for j in range(degree + 1)] for v in xs])
        b = mpmath.matrix(ys)
        c = mpmath.lu_solve(a.T * a, a.T * b)  # normal equations: condition ~1e24 here, far below 1e60
        r = a * c - b
        return float(mpmath.fsum(v**2 for v in r) / len(ys))


@pytest.mark.parametrize("split", [False, True], ids=["random-split", "all-train"])
def test_uploaded_points_on_part_of_the_axis_are_fitted_by_least_squares(split: bool) -> None:
    d, info = read_points_csv(sklearn_example(0, split), "regression")
    assert info.scale == (None,)  # x in [0, 1] is inside [-1, 1]: the file is not rescaled...
    assert d.span == (float(d.x.min()), float(d.x.max()))  # ...but the basis lives on the training points' range
    x, y = d.x.numpy(), d.y.numpy()
    tr, _ = poly_errors(d.x, d.y, d.x_val, d.y_val, 20, 0.0, d.span)
    for k in (1, 4, 15, 19):  # sklearn's example shows 1, 4 and 15; 19 is near interpolation (21 points)
        ref = exact_lstsq_mse(x, y, k)
        r = fit(d, ModelSettings(family="poly", degree=k))
        assert r.train_metric == pytest.approx(ref, rel=1e-6), k
        assert tr[k].item() == pytest.approx(ref, rel=1e-6), k


def test_an_uploaded_fit_is_the_legendre_fit_on_its_range_mapped_to_minus_one_one() -> None:
    d, _ = read_points_csv(sklearn_example(3), "regression")
    lo, hi = d.span
    u = (2 * d.x.numpy() - lo - hi) / (hi - lo)  # the training range onto [-1, 1], mapped by hand
    r = fit(d, ModelSettings(family="poly", degree=8))
    assert isinstance(r.model, PolyModel) and r.model.span == (lo, hi)
    np.testing.assert_allclose(r.model.coef.numpy(), L.legfit(u, d.y.numpy(), 8), rtol=1e-9, atol=1e-12)
    xs = np.linspace(lo, hi, 7)
    np.testing.assert_allclose(r.predict(xs), L.legval((2 * xs - lo - hi) / (hi - lo), L.legfit(u, d.y.numpy(), 8)))


def test_generated_data_keeps_its_domain_as_the_basis_span() -> None:
    d = make_data(DataSettings(n=15, seed=2))  # uniform random x: the sample's range is inside the domain
    assert d.span == DOMAIN == d.x_range
    assert fit_poly(d.x, d.y, 5).span == fit(d, ModelSettings(degree=5)).model.span == DOMAIN


def test_an_uploaded_polynomial_round_trips_through_the_weights_file_with_its_span() -> None:
    d, _ = read_points_csv(sklearn_example(1), "regression")
    res = fit(d, ModelSettings(family="poly", degree=6))
    state = load_state_dict_bytes(state_dict_bytes(res.model))
    assert set(state) == {"coef", "span"}
    p = load_poly(state)
    assert p.span == res.model.span
    assert torch.equal(p(d.x_val), res.model(d.x_val))
    legacy = load_poly({"coef": res.model.coef})  # a file saved before spans: the [-1, 1] basis
    assert legacy.span == DOMAIN


def test_an_uploads_fitted_curve_is_drawn_over_the_datas_range() -> None:
    d, _ = read_points_csv(sklearn_example(0), "regression")
    lo, hi = d.x_range
    both = np.concatenate([d.x.numpy(), d.x_val.numpy()])
    assert (lo, hi) == (both.min(), both.max())
    xs = grid(span=d.x_range)
    res = fit(d, ModelSettings(family="poly", degree=4))
    fig = fit_figure(d, [("fit", res.predict(xs), "#000000")])
    curve = next(tr for tr in fig.data if tr.name == "fit")
    assert curve.x[0] == lo and curve.x[-1] == hi
    np.testing.assert_allclose(curve.y, L.legval((2 * xs - sum(d.span)) / (d.span[1] - d.span[0]), res.model.coef))
    assert fig.layout.xaxis.range[0] < lo < hi < fig.layout.xaxis.range[1] < hi + 0.1 * (hi - lo)
