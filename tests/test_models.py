"""Models: Legendre least squares agrees with numpy; min-norm interpolation; MLP shapes and counts."""

import numpy as np
import pytest
import torch
from numpy.polynomial import legendre as L

from playground.models import (
    MLP,
    PolyModel,
    build_mlp,
    fit_poly,
    legendre,
    mlp_params,
    n_params,
    poly_coef,
    poly_errors,
)
from playground.settings import ModelSettings


def _points(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = np.random.default_rng(seed)
    x = g.uniform(-1, 1, n)
    return torch.from_numpy(x), torch.from_numpy(np.sin(3 * x) + 0.3 * g.standard_normal(n))


def test_basis_matches_numpy_legendre() -> None:
    x = torch.linspace(-1, 1, 50, dtype=torch.float64)
    np.testing.assert_allclose(legendre(x, 12).numpy(), L.legvander(x.numpy(), 12), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("degree", [0, 1, 3, 8, 13, 20])
def test_fit_agrees_with_numpy_legendre_fit(degree: int) -> None:
    x, y = _points(40)
    ours = fit_poly(x, y, degree).coef.numpy()
    ref = L.legfit(x.numpy(), y.numpy(), degree)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())


def test_more_parameters_than_points_interpolates_with_minimum_norm() -> None:
    x, y = _points(5)
    p = fit_poly(x, y, 6)  # 7 parameters, 5 points
    np.testing.assert_allclose(p(x).numpy(), y.numpy(), atol=1e-9)
    ref = np.linalg.pinv(L.legvander(x.numpy(), 6)) @ y.numpy()  # the minimum-norm solution
    np.testing.assert_allclose(p.coef.numpy(), ref, rtol=1e-8, atol=1e-10)


def test_ridge_shrinks_coefficients_and_matches_the_closed_form() -> None:
    x, y = _points(30)
    lam = 0.01
    a = L.legvander(x.numpy(), 8)
    pen = np.eye(9)
    pen[0, 0] = 0  # the constant is not penalized
    ref = np.linalg.solve(a.T @ a / 30 + lam * pen, a.T @ y.numpy() / 30)
    c = poly_coef(x, y, 8, ridge=lam).numpy()
    np.testing.assert_allclose(c, ref, rtol=1e-8)
    assert np.linalg.norm(c[1:]) < np.linalg.norm(poly_coef(x, y, 8).numpy()[1:])


def test_batched_coefficients_equal_a_loop() -> None:
    xs, ys = zip(*(_points(20, s) for s in range(4)), strict=True)
    x, y = torch.stack(xs), torch.stack(ys)  # (R, N)
    c = poly_coef(x, y, 5)  # (R, 6)
    for r in range(4):
        np.testing.assert_allclose(c[r].numpy(), poly_coef(x[r], y[r], 5).numpy(), rtol=1e-10)


def test_errors_of_all_degrees_equal_fitting_each_degree() -> None:
    x, y = _points(25)
    xv, yv = _points(100, 1)
    tr, va = poly_errors(x, y, xv, yv, 10)
    for d in (0, 4, 10):
        p = fit_poly(x, y, d)
        assert tr[d].item() == pytest.approx((p(x) - y).pow(2).mean().item(), rel=1e-10)
        assert va[d].item() == pytest.approx((p(xv) - yv).pow(2).mean().item(), rel=1e-10)
    assert torch.all(tr[1:] <= tr[:-1] + 1e-12)  # nested models: training error never rises


@pytest.mark.parametrize("ridge", [0.0, 0.05])
def test_errors_of_all_degrees_with_few_points_or_ridge_equal_solving_each_degree(ridge: float) -> None:
    """One QR for every degree against one least-squares solve per degree (min-norm past 8 points, or ridge)."""
    x, y = _points(8)
    xv, yv = _points(50, 1)
    tr, va = poly_errors(x, y, xv, yv, 12, ridge)
    for d in range(13):
        p = PolyModel(poly_coef(x, y, d, ridge))
        assert tr[d].item() == pytest.approx((p(x) - y).pow(2).mean().item(), rel=1e-8, abs=1e-20)
        assert va[d].item() == pytest.approx((p(xv) - yv).pow(2).mean().item(), rel=1e-8)


def test_errors_of_all_degrees_with_repeated_x_values_equal_solving_each_degree() -> None:
    """10 distinct x values, each twice (an upload may repeat x): from degree 10 the basis is rank-deficient."""
    x, y = _points(10)
    x, y = x.repeat(2), y.repeat(2) + 0.1 * torch.linspace(-1, 1, 20, dtype=torch.float64)
    xv, yv = _points(50, 1)
    tr, va = poly_errors(x, y, xv, yv, 15)
    for d in range(16):
        p = PolyModel(poly_coef(x, y, d))  # SVD, minimum norm
        assert tr[d].item() == pytest.approx((p(x) - y).pow(2).mean().item(), rel=1e-6)
        assert va[d].item() == pytest.approx((p(xv) - yv).pow(2).mean().item(), rel=1e-6)


def test_mlp_shapes_and_parameter_count() -> None:
    net = MLP(2, (16, 8), "relu", dropout=0.1)
    assert net(torch.zeros(5, 2)).shape == (5, 1)
    assert n_params(net) == mlp_params(2, (16, 8)) == 2 * 16 + 16 + 16 * 8 + 8 + 8 + 1


def test_mlp_init_is_deterministic_by_seed() -> None:
    a, b = build_mlp(ModelSettings(family="mlp"), seed=5), build_mlp(ModelSettings(family="mlp"), seed=5)
    c = build_mlp(ModelSettings(family="mlp"), seed=6)
    pa, pb, pc = (torch.cat([p.flatten() for p in m.parameters()]) for m in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)


def test_building_a_network_from_a_seed_leaves_the_global_generator_alone() -> None:
    """A dropout run in another session draws its masks from torch's global generator (under a lock): building
    a network (fit's, or the engine's result module) must not draw from it meanwhile."""
    state = torch.get_rng_state()
    build_mlp(ModelSettings(family="mlp", width=16, layers=2), 3, seed=5)
    MLP(2, (4,), "relu", 0.1, 1, torch.Generator().manual_seed(1))
    assert torch.equal(torch.get_rng_state(), state)
    a, b = (build_mlp(ModelSettings(family="mlp", width=8), 1, seed=7) for _ in range(2))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):  # still initialized, from the seed
        assert torch.equal(p, q) and p.abs().sum() > 0
