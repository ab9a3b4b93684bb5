"""Data: deterministic by seed, the truths as documented, validation independent of training."""

import numpy as np
import pytest
import torch

from playground.data import DOMAIN, TRUTHS, make_data, resample
from playground.settings import DataSettings


def test_same_settings_give_identical_data() -> None:
    a, b = make_data(DataSettings(seed=3)), make_data(DataSettings(seed=3))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and torch.equal(a.y_val, b.y_val)


def test_another_seed_gives_other_data() -> None:
    assert not torch.equal(make_data(DataSettings(seed=1)).y, make_data(DataSettings(seed=2)).y)


def test_more_points_keep_the_earlier_points() -> None:
    small, big = make_data(DataSettings(n=10)), make_data(DataSettings(n=50))
    assert torch.equal(small.x, big.x[:10]) and torch.equal(small.y, big.y[:10])


def test_validation_set_does_not_depend_on_training_size() -> None:
    assert torch.equal(make_data(DataSettings(n=10)).y_val, make_data(DataSettings(n=300)).y_val)


@pytest.mark.parametrize("truth", sorted(TRUTHS))
def test_zero_noise_points_lie_on_the_truth(truth: str) -> None:
    d = make_data(DataSettings(truth=truth, noise=0.0, n=40))
    np.testing.assert_allclose(d.y.numpy(), TRUTHS[truth](d.x.numpy()))
    assert DOMAIN[0] <= float(d.x.min()) and float(d.x.max()) <= DOMAIN[1]


def test_noise_has_the_chosen_standard_deviation() -> None:
    d = make_data(DataSettings(noise=0.5, n=500, n_val=2000))
    resid = d.y_val.numpy() - d.truth_fn(d.x_val.numpy())
    assert abs(resid.std() - 0.5) < 0.03


def test_grid_mode_spaces_x_evenly() -> None:
    d = make_data(DataSettings(x_mode="grid", n=11))
    np.testing.assert_allclose(d.x.numpy(), np.linspace(*DOMAIN, 11))


def test_resample_gives_r_distinct_deterministic_sets() -> None:
    x, y = resample(DataSettings(), 5, 12)
    assert x.shape == y.shape == (5, 12)
    assert not torch.equal(y[0], y[1])
    assert torch.equal(resample(DataSettings(), 5, 12)[1], y)
