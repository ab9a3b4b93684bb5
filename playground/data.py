"""Data: registries of 1-D truths and 2-D class sets, sampled with an explicit seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from .settings import DataSettings

DOMAIN = (-1.0, 1.0)  # x interval of every 1-D truth

Truth = Callable[[np.ndarray], np.ndarray]

TRUTHS: dict[str, Truth] = {
    "sine": lambda x: np.sin(1.5 * np.pi * x),
    "linear": lambda x: 0.8 * x + 0.2,
    "cubic": lambda x: 2.0 * x**3 - 1.2 * x,
    "step": lambda x: np.where(x >= 0.0, 0.5, -0.5),
    "abs": lambda x: 2.0 * np.abs(x) - 1.0,
}


@dataclass(frozen=True)
class Dataset:
    """Training and validation points (float64 tensors) and how they were made."""

    x: torch.Tensor  # (N,) or (N, 2)
    y: torch.Tensor  # (N,) targets, or 0/1 labels
    x_val: torch.Tensor
    y_val: torch.Tensor
    noise: float
    truth: str
    task: str = "regression"  # or "classification"
    x_test: torch.Tensor | None = None  # a held-back test set (classification): never trained on, never chosen by
    y_test: torch.Tensor | None = None

    @property
    def n(self) -> int:
        """Number of training points."""
        return len(self.y)

    @property
    def has_truth(self) -> bool:
        """Whether a noiseless truth exists (not for uploaded points)."""
        return self.task == "regression" and self.truth in TRUTHS

    @property
    def span(self) -> tuple[float, float]:
        """The x interval a polynomial's basis maps onto [-1, 1]: the sampling domain, or the training points' range.

        Generated x are drawn from DOMAIN, which every page's basis uses. Uploaded x may sit on part of it
        ([0, 1] say), where the Legendre basis on [-1, 1] is ill-conditioned (sklearn's 30 points in [0, 1],
        degree 15: condition 6e11; 75 on their own range): there the training points' range is mapped onto [-1, 1]. Training points only: a fit must not depend
        on the validation points (with more parameters than points the minimum-norm solution depends on the span).
        """
        if self.has_truth:
            return DOMAIN
        x = self.x.numpy()
        lo, hi = float(x.min()), float(x.max())
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)  # one distinct x: any width will do

    @property
    def x_range(self) -> tuple[float, float]:
        """The x interval curves are drawn over: the sampling domain, or the range of every point, both splits."""
        if self.has_truth:
            return DOMAIN
        x = np.concatenate([self.x.numpy(), self.x_val.numpy()])
        lo, hi = float(x.min()), float(x.max())
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)

    def truth_fn(self, x: np.ndarray) -> np.ndarray:
        """The noiseless truth at x (regression only)."""
        return TRUTHS[self.truth](np.asarray(x, dtype=np.float64))


def _streams(seed: int, k: int) -> list[np.random.Generator]:
    """k independent generators from one seed (so N changes only append points)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(k)]


def _xs(n: int, mode: str, rng: np.random.Generator) -> np.ndarray:
    lo, hi = DOMAIN
    return np.linspace(lo, hi, n) if mode == "grid" else rng.uniform(lo, hi, n)


def make_data(s: DataSettings) -> Dataset:
    """Sample training and validation sets for the settings (deterministic in s.seed)."""
    gx, ge, gvx, gve = _streams(s.seed, 4)
    f = TRUTHS[s.truth]
    x = _xs(s.n, s.x_mode, gx)
    xv = gvx.uniform(*DOMAIN, s.n_val)  # validation x is always random: a fair test
    y = f(x) + s.noise * ge.standard_normal(s.n)
    yv = f(xv) + s.noise * gve.standard_normal(s.n_val)
    t = torch.from_numpy
    return Dataset(t(x), t(y), t(xv), t(yv), s.noise, s.truth)


def resample(s: DataSettings, r: int, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """R fresh training sets of n points each: x, y of shape (R, n), deterministic in s.seed."""
    n = s.n if n is None else n
    gx, ge = _streams(s.seed + 7919, 2)
    f = TRUTHS[s.truth]
    x = np.tile(np.linspace(*DOMAIN, n), (r, 1)) if s.x_mode == "grid" else gx.uniform(*DOMAIN, (r, n))
    y = f(x) + s.noise * ge.standard_normal((r, n))
    return torch.from_numpy(x), torch.from_numpy(y)


# --- 2-D binary classification --------------------------------------------------------

Sampler = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _moons(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = g.integers(0, 2, n)
    t = g.uniform(0, np.pi, n)
    # np.c_ is typed Any, which makes mypy pick np.where's one-argument overload (a tuple of index arrays)
    x = cast(np.ndarray, np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)]))
    x = (x - [0.5, 0.25]) * 1.6  # centre on the origin
    return x + noise * g.standard_normal((n, 2)), y


def _circles(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = g.integers(0, 2, n)
    t = g.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.5)  # label 1 inside
    return np.c_[r * np.cos(t), r * np.sin(t)] + noise * g.standard_normal((n, 2)), y


def _xor(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = g.uniform(-1.5, 1.5, (n, 2))
    x = x + np.sign(x) * 0.1  # a small gap around the axes
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # label 1 in quadrants I and III
    return x + noise * g.standard_normal((n, 2)), y


def _spiral(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = g.integers(0, 2, n)
    t = g.uniform(0.25, 1.0, n) * 3 * np.pi
    r = t / (3 * np.pi) * 1.8
    a = t + np.pi * y
    return np.c_[r * np.cos(a), r * np.sin(a)] + noise * g.standard_normal((n, 2)), y


def _blobs(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = g.integers(0, 2, n)
    c = np.where(y[:, None] == 1, [0.8, 0.8], [-0.8, -0.8])
    return c + (0.5 + noise) * g.standard_normal((n, 2)), y


def _linear(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = g.uniform(-1.5, 1.5, (n, 2))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.1).astype(np.int64)  # a fixed line; noise blurs it
    return x + noise * g.standard_normal((n, 2)), y


def _course(n: int, noise: float, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # scikit-learn's make_classification, written from its definition: 2 features, 1 cluster per class
    # the clusters are drawn once (seed 0): every seed and every split samples one distribution
    geo = np.random.default_rng(0)
    v = geo.choice(4, 2, replace=False)  # two of the square's four vertices, one cluster each
    centre = ((v[:, None] >> np.arange(2)) & 1) * 3.0 - 1.5  # the cluster centres: vertices at ±1.5 (class_sep)
    a = 2 * geo.uniform(size=(2, 2, 2)) - 1  # each cluster's random linear map: covariance Aᵀ A
    y = g.permutation(np.arange(n) % 2)
    x = np.einsum("ni,nij->nj", g.standard_normal((n, 2)), a[y]) + centre[y]
    flip = g.uniform(size=n) < 0.1  # flip_y = 0.1: these labels are redrawn at random
    y[flip] = g.integers(0, 2, int(flip.sum()))
    return x + noise * g.standard_normal((n, 2)), y


CLASS_SETS: dict[str, Sampler] = {
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "spiral": _spiral,
    "blobs": _blobs,
    "linear": _linear,
    "course": _course,
}


def class_sizes(n: int, val_share: float, test_share: float = 0.0) -> tuple[int, int, int]:
    """Training, validation and held-back test counts of n points (at least 2 train, 1 validation)."""
    n_val = max(1, round(n * val_share))
    n_test = max(1, round(n * test_share)) if test_share > 0 else 0
    return max(2, n - n_val - n_test), n_val, n_test


def make_classes(name: str, n: int, noise: float, val_share: float, seed: int, test_share: float = 0.0) -> Dataset:
    """A 2-D binary set split into training, validation and (test_share > 0) a held-back test set.

    Each part has its own stream of the seed (SeedSequence children do not depend on how many are spawned), so
    a test share leaves the training and validation points as they are without one.
    """
    g, gv, gt = _streams(seed, 3)
    n_tr, n_val, n_test = class_sizes(n, val_share, test_share)
    x, y = CLASS_SETS[name](n_tr, noise, g)
    xv, yv = CLASS_SETS[name](n_val, noise, gv)
    t = torch.from_numpy
    test: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None)
    if n_test:
        xt, yt = CLASS_SETS[name](n_test, noise, gt)
        test = (t(xt), t(yt).double())
    return Dataset(t(x), t(y).double(), t(xv), t(yv).double(), noise, name, "classification", *test)
