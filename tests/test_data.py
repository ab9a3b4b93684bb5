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


def _shape_of_classes(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Class balance, the class means' midpoint and half-difference: what make_classification fixes."""
    m0, m1 = x[y == 0].mean(0), x[y == 1].mean(0)
    return float(y.mean()), (m0 + m1) / 2, (m1 - m0) / 2


def test_the_course_set_has_the_statistics_of_scikit_learns_make_classification() -> None:
    from sklearn.datasets import make_classification  # dev only: the app never imports scikit-learn

    from playground.data import CLASS_SETS

    n = 40000
    ours = CLASS_SETS["course"](n, 0.0, np.random.default_rng(5))
    kw = dict(n_features=2, n_informative=2, n_redundant=0, n_clusters_per_class=1, flip_y=0.1, class_sep=1.5)
    theirs = make_classification(n_samples=n, random_state=0, **kw)
    for x, y in (ours, theirs):
        balance, mid, half = _shape_of_classes(x, y)
        assert abs(balance - 0.5) < 0.01
        # 5% of each class's labels come from the other cluster (flip_y redraws 10%, half of them change), so the
        # class means sit 0.9 of the way from each other's cluster centre: the centres are hypercube vertices ±1.5.
        for c in (mid + half / 0.9, mid - half / 0.9):
            np.testing.assert_allclose(np.abs(c), 1.5, atol=0.06)
        flipped = np.mean(np.sign(half) @ (x - mid).T * np.where(y == 1, 1, -1) < 0)
        assert flipped > 0.05  # some points lie on the other side: flipped labels and overlapping clusters


def test_the_course_set_keeps_its_clusters_across_seeds_and_splits() -> None:
    from playground.data import CLASS_SETS, make_classes

    a = CLASS_SETS["course"](20000, 0.0, np.random.default_rng(1))
    b = CLASS_SETS["course"](20000, 0.0, np.random.default_rng(2))
    for sa, sb in zip(_shape_of_classes(*a), _shape_of_classes(*b), strict=True):
        np.testing.assert_allclose(sa, sb, atol=0.05)  # one distribution: only the points are new
    d = make_classes("course", 100, 0.0, 0.15, 0)
    assert (d.n, len(d.y_val)) == (85, 15) and set(d.y.unique().tolist()) == {0.0, 1.0}


def test_a_held_back_test_share_draws_its_own_points_and_leaves_validation_as_it_was() -> None:
    from playground.data import CLASS_SETS, class_sizes, make_classes

    assert class_sizes(100, 0.15, 0.15) == (70, 15, 15) and class_sizes(100, 0.3) == (70, 30, 0)
    plain, held = make_classes("course", 100, 0.0, 0.15, 3), make_classes("course", 100, 0.0, 0.15, 3, 0.15)
    assert plain.x_test is None and plain.y_test is None
    assert (held.n, len(held.y_val), len(held.y_test)) == (70, 15, 15)
    assert torch.equal(plain.x_val, held.x_val) and torch.equal(plain.y_val, held.y_val)  # its own stream
    third = np.random.default_rng(np.random.SeedSequence(3).spawn(3)[2])  # the third child of the seed
    xt, yt = CLASS_SETS["course"](15, 0.0, third)
    np.testing.assert_array_equal(held.x_test.numpy(), xt)
    np.testing.assert_array_equal(held.y_test.numpy(), yt)
    first = np.random.default_rng(np.random.SeedSequence(3).spawn(3)[0])
    np.testing.assert_array_equal(held.x.numpy(), CLASS_SETS["course"](70, 0.0, first)[0])
