"""The theory, measured: capacity curves, bias-variance, learning curves and double descent.

Pure functions of frozen settings: they draw R fresh training sets with `resample`, fit every
capacity to all of them at once (float64) and summarize the errors over the R datasets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .batched import train_many
from .data import DOMAIN, TRUTHS, make_data, resample
from .models import legendre, min_norm, poly_fits
from .settings import DataSettings, ModelSettings, Settings, TrainSettings, param

FEATURES = ("random", "legendre")
BAND = (0.1, 0.9)  # quantiles of the shaded band over the R datasets
EVAL_POINTS = 200  # evenly spaced test x: the mean over them approximates E over uniform x
FEATURE_SEED = 20240  # random features are drawn once: the same p always means the same features
RANDOM_DEGREE = 400  # the random features mix Legendre polynomials up to this degree
WIDTHS = tuple(2**k for k in range(1, 9))  # MLP capacity sweep: 2..256 hidden units


@dataclass(frozen=True)
class SweepSettings(Settings):
    """How the theory pages sweep: R datasets, capacity range, learning-curve degrees, features."""

    r: int = param(
        100,
        "Datasets (R)",
        "How many fresh training sets are drawn; every curve is an average over them. More is smoother but slower.",
        lo=5,
        hi=500,
    )
    deg_max: int = param(
        15, "Highest degree", "The sweep fits every polynomial degree from 0 up to this one.", lo=1, hi=30
    )
    lc_deg_a: int = param(1, "Degree A", "First polynomial degree on the learning curve.", lo=0, hi=20)
    lc_deg_b: int = param(3, "Degree B", "Second polynomial degree on the learning curve.", lo=0, hi=20)
    lc_deg_c: int = param(9, "Degree C", "Third polynomial degree on the learning curve.", lo=0, hi=20)
    lc_n_max: int = param(
        200,
        "Most training points",
        "The learning curve grows the training set from 5 points up to this.",
        lo=20,
        hi=500,
    )
    mlp_r: int = param(
        8,
        "Datasets per width (R)",
        "Networks trained for each width, each on a fresh training set. Each one takes time: keep it small.",
        lo=2,
        hi=64,
    )
    mlp_epochs: int = param(
        300,
        "Epochs per network",
        "Full-batch training steps of every network in the sweep (fewer than on the Fit page, to stay fast).",
        lo=20,
        hi=3000,
    )
    dd_features: str = param(
        "random",
        "Features",
        "Random smooth curves of x, or Legendre polynomials of x (exact up to about N = 30); a linear model on top is fitted to them.",
        choices=FEATURES,
    )
    dd_n: int = param(
        20, "Training points (N)", "Points of each training set; the peak sits at N features.", lo=5, hi=40
    )
    dd_ratio: int = param(
        5,
        "Most features (× N)",
        "The sweep adds features up to this multiple of the number of training points N.",
        lo=2,
        hi=10,
    )


# --- polynomial engine ------------------------------------------------------------------


def poly_predict(coef: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Values of every fit at x: coef (..., K, D), x (..., M) or (M,) -> (..., K, M)."""
    b = legendre(x, coef.shape[-1] - 1)  # (..., M, D)
    return coef @ b.mT


def _mse(pred: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Mean squared error over the last axis: pred (R, K, M), y (R, M) or (M,) -> (R, K)."""
    y = y if y.dim() == 1 else y.unsqueeze(-2)
    return (pred - y).pow(2).mean(-1).numpy()


# --- summaries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """An error summarized over datasets: its mean (or median) and a quantile band, per capacity."""

    mid: np.ndarray  # (K,)
    lo: np.ndarray  # (K,)
    hi: np.ndarray  # (K,)

    @staticmethod
    def of(a: np.ndarray, median: bool = False) -> Band:
        """Summarize samples (R, K) over the R datasets."""
        lo, hi = np.quantile(a, BAND, axis=0)
        return Band(np.median(a, axis=0) if median else a.mean(0), lo, hi)


@dataclass(frozen=True)
class CapacityCurve:
    """Training and validation error against capacity: the median over R datasets and the 10-90% band.

    The median, not the mean: past a few degrees some of the R fits blow up (a validation MSE of 1e6 for one
    unlucky draw of x), and a mean of MSEs would follow those few and even lie above its own 90% quantile.
    """

    cap: np.ndarray  # (K,) polynomial degree or network width
    n_params: np.ndarray  # (K,)
    train: Band
    val: Band

    @property
    def best(self) -> int:
        """The capacity with the lowest median validation error: where the typical fit generalizes best."""
        return int(self.cap[int(np.nanargmin(self.val.mid))])


def capacity_curve(ds: DataSettings, sw: SweepSettings) -> CapacityCurve:
    """Fit degrees 0..deg_max to R fresh datasets; errors on the data settings' validation set."""
    x, y = resample(ds, sw.r)  # (R, N)
    val = make_data(ds)
    c = poly_fits(x, y, sw.deg_max)  # (R, K, D)
    tr = _mse(poly_predict(c, x), y)  # (R, K)
    va = _mse(poly_predict(c, val.x_val), val.y_val)
    deg = np.arange(sw.deg_max + 1)
    return CapacityCurve(deg, deg + 1, Band.of(tr, median=True), Band.of(va, median=True))


# --- bias-variance ----------------------------------------------------------------------


@dataclass(frozen=True)
class BiasVariance:
    """Bias², variance and noise against capacity, next to the measured expected test error."""

    cap: np.ndarray  # (K,)
    n_params: np.ndarray  # (K,)
    bias2: np.ndarray  # (K,) mean over x of (E_D f̂(x) - f(x))²
    var: np.ndarray  # (K,) mean over x of Var_D f̂(x)
    noise: float  # σ²
    measured: np.ndarray  # (K,) mean of (f̂(x) - y)² with fresh noisy test targets y
    measured_se: np.ndarray  # (K,) its standard error (the test noise is independent per dataset and x)

    @property
    def total(self) -> np.ndarray:
        """bias² + variance + σ²: what the decomposition predicts for the test error."""
        return self.bias2 + self.var + self.noise

    @property
    def best(self) -> int:
        """The capacity with the lowest predicted test error."""
        return int(self.cap[int(np.argmin(self.total))])


def eval_points(ds: DataSettings, r: int, m: int = EVAL_POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evenly spaced test x (M,), the truth there (M,) and fresh noisy targets for each dataset (R, M)."""
    xt = np.linspace(*DOMAIN, m)
    f = TRUTHS[ds.truth](xt)
    g = np.random.default_rng(np.random.SeedSequence([ds.seed, 31337]))  # independent of the training draws
    return xt, f, f + ds.noise * g.standard_normal((r, m))


def decompose(pred: np.ndarray, f: np.ndarray, y: np.ndarray, noise_var: float) -> tuple[np.ndarray, ...]:
    """bias², variance, measured test error and its standard error from predictions (R, K, M).

    f (M,) is the truth at the test x, y (R, M) the noisy targets each dataset's fit is tested on.
    """
    mean = pred.mean(0)  # (K, M): E_D f̂(x)
    bias2 = ((mean - f) ** 2).mean(-1)  # (K,)
    var = pred.var(0).mean(-1)  # (K,) population variance, so bias² + var = E_D (f̂ - f)² exactly
    sq = (pred - y[:, None, :]) ** 2  # (R, K, M)
    measured = sq.mean((0, 2))
    # Given the fits, each term's spread over the test noise is 4σ²(f̂-f)² + 2σ⁴ (a Gaussian ε).
    se = np.sqrt((4 * noise_var * (pred - f) ** 2 + 2 * noise_var**2).mean((0, 2)) / (pred.shape[0] * pred.shape[2]))
    return bias2, var, measured, se


def bias_variance(ds: DataSettings, sw: SweepSettings) -> BiasVariance:
    """Decompose the expected test error of degrees 0..deg_max over R fresh datasets."""
    x, y = resample(ds, sw.r)  # (R, N)
    xt, f, yt = eval_points(ds, sw.r)
    pred = poly_predict(poly_fits(x, y, sw.deg_max), torch.from_numpy(xt)).numpy()  # (R, K, M)
    bias2, var, measured, se = decompose(pred, f, yt, ds.noise**2)
    deg = np.arange(sw.deg_max + 1)
    return BiasVariance(deg, deg + 1, bias2, var, ds.noise**2, measured, se)


@dataclass(frozen=True)
class Spaghetti:
    """The R fitted curves of one capacity on a grid, their mean and the truth."""

    x: np.ndarray  # (G,)
    fits: np.ndarray  # (R, G)
    mean: np.ndarray  # (G,)
    truth: np.ndarray  # (G,)


def spaghetti(ds: DataSettings, sw: SweepSettings, degree: int, g: int = 200) -> Spaghetti:
    """The degree-`degree` fits to each of the R datasets, drawn on g points."""
    x, y = resample(ds, sw.r)  # (R, N)
    xs = np.linspace(*DOMAIN, g)
    c = poly_fits(x, y, degree)[..., -1:, :]  # (R, 1, D): the highest degree only
    fits = poly_predict(c, torch.from_numpy(xs))[:, 0].numpy()  # (R, G)
    return Spaghetti(xs, fits, fits.mean(0), TRUTHS[ds.truth](xs))


# --- learning curve ---------------------------------------------------------------------


def n_grid(n_max: int, n_min: int = 5, k: int = 12) -> np.ndarray:
    """About k training-set sizes from n_min to n_max, evenly spaced in log."""
    return np.unique(np.round(np.geomspace(n_min, n_max, k)).astype(int))


@dataclass(frozen=True)
class LearningCurve:
    """Training and validation error (median over R datasets, 10-90% band) against the number of points, per degree."""

    n: np.ndarray  # (S,) training-set sizes
    degrees: tuple[int, ...]
    train: tuple[Band, ...]  # one per degree, over the sizes
    val: tuple[Band, ...]

    @staticmethod
    def of(ns: np.ndarray, degrees: tuple[int, ...], points: Sequence[tuple[np.ndarray, np.ndarray]]) -> LearningCurve:
        """Summarize learning_point results, one per size, over the R datasets."""
        tr, va = (np.stack([p[j] for p in points], -1) for j in (0, 1))  # (R, len(degrees), S)
        bands = (tuple(Band.of(a[:, i], median=True) for i in range(len(degrees))) for a in (tr, va))
        return LearningCurve(ns, degrees, *bands)  # medians, as the capacity curve: a few blown-up fits rule a mean


def lc_degrees(sw: SweepSettings) -> tuple[int, ...]:
    """The distinct learning-curve degrees, ascending."""
    return tuple(sorted({sw.lc_deg_a, sw.lc_deg_b, sw.lc_deg_c}))


def learning_point(ds: DataSettings, sw: SweepSettings, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation MSE (R, len(degrees)) of the chosen degrees fitted to R datasets of n points."""
    degs = list(lc_degrees(sw))
    val = make_data(ds)
    x, y = resample(ds, sw.r, n)  # (R, n)
    c = poly_fits(x, y, max(degs))[..., degs, :]  # (R, len(degs), D)
    return _mse(poly_predict(c, x), y), _mse(poly_predict(c, val.x_val), val.y_val)


def learning_curve(ds: DataSettings, sw: SweepSettings) -> LearningCurve:
    """Errors of the chosen degrees at every training-set size of n_grid(lc_n_max)."""
    ns = n_grid(sw.lc_n_max)
    return LearningCurve.of(ns, lc_degrees(sw), [learning_point(ds, sw, int(n)) for n in ns])


# --- double descent ---------------------------------------------------------------------


def features(kind: str, x: torch.Tensor, p: int, seed: int = FEATURE_SEED) -> torch.Tensor:
    """The first p features at x: (..., N) -> (..., N, p); a larger p only appends features.

    "random": smooth random curves, Σ_k g_jk P_k(x) / (k + 1)^¾ with Gaussian g (drawn once from `seed`).
    "legendre": P_0..P_{p-1}. Random ReLU kinks or cosines of 1-D x are not used: many of them coincide
    on the training points, so the peak drifts away from p = N.
    """
    if kind == "legendre":
        return legendre(x, p - 1)
    if kind != "random":
        raise ValueError(f"unknown features {kind!r}")
    g = np.random.default_rng(seed).standard_normal((p, RANDOM_DEGREE + 1))  # row j: feature j (nested in p)
    w = torch.from_numpy(g.T) / torch.arange(1, RANDOM_DEGREE + 2, dtype=torch.float64).unsqueeze(1) ** 0.75
    return legendre(x, RANDOM_DEGREE) @ w  # (..., N, K) @ (K, p)


def p_grid(n: int, p_max: int, k: int = 40) -> np.ndarray:
    """About k feature counts from 1 to p_max, log-spaced, plus every count near the threshold N."""
    near = np.arange(max(1, n - 3), min(p_max, n + 3) + 1)
    return np.unique(np.concatenate([np.round(np.geomspace(1, p_max, k)).astype(int), near]))


def dd_errors(ds: DataSettings, sw: SweepSettings, ps: np.ndarray) -> np.ndarray:
    """Training error, test error and weight norm at each feature count: (3, R, len(ps))."""
    return dd_errors_many([ds], sw, ps)[0]


def dd_errors_many(dss: Sequence[DataSettings], sw: SweepSettings, ps: np.ndarray) -> np.ndarray:
    """dd_errors of several data settings (seeds) at once, one solve per feature count: (S, 3, R, len(ps))."""
    data = [resample(ds.changed(n=sw.dd_n), sw.r) for ds in dss]
    vals = [make_data(ds.changed(n=sw.dd_n)) for ds in dss]
    x, y = torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data])  # (S, R, N)
    xv, yv = torch.stack([v.x_val for v in vals]), torch.stack([v.y_val for v in vals])  # (S, M)
    p_max = int(max(ps))
    phi, phi_v = features(sw.dd_features, x, p_max), features(sw.dd_features, xv, p_max)  # (S, R, N, P), (S, M, P)
    out = np.empty((len(dss), 3, sw.r, len(ps)))
    for i, p in enumerate(ps):
        c = min_norm(phi[..., :p], y)  # (S, R, p)
        out[:, 0, :, i] = ((phi[..., :p] @ c.unsqueeze(-1)).squeeze(-1) - y).pow(2).mean(-1).numpy()
        out[:, 1, :, i] = ((c @ phi_v[..., :p].mT) - yv.unsqueeze(-2)).pow(2).mean(-1).numpy()  # (S, R, M) -> (S, R)
        out[:, 2, :, i] = c.norm(dim=-1).numpy()
    return out


def double_descent_many(dss: Sequence[DataSettings], sw: SweepSettings) -> list[DoubleDescent]:
    """double_descent of several data settings (seeds), their solves batched together."""
    ps = dd_p_grid(sw)
    return [DoubleDescent.of(ps, sw.dd_n, e) for e in dd_errors_many(dss, sw, ps)]


@dataclass(frozen=True)
class DoubleDescent:
    """Minimum-norm least squares on p features: errors and weight norm against p, over R datasets."""

    p: np.ndarray  # (P,)
    n: int  # training points: the interpolation threshold is p = n
    train: Band  # medians: at p = N the mean is ruled by a few nearly singular systems
    test: Band
    norm: Band  # ‖c‖ of the fitted weights

    @staticmethod
    def of(ps: np.ndarray, n: int, errors: np.ndarray) -> DoubleDescent:
        """Summarize dd_errors (3, R, P) over the R datasets."""
        return DoubleDescent(ps, n, *(Band.of(e, median=True) for e in errors))


def dd_p_grid(sw: SweepSettings) -> np.ndarray:
    """The feature counts the double-descent sweep visits."""
    return p_grid(sw.dd_n, sw.dd_ratio * sw.dd_n)


def double_descent(ds: DataSettings, sw: SweepSettings) -> DoubleDescent:
    """Sweep the feature count p through N = dd_n; test error on the validation set."""
    ps = dd_p_grid(sw)
    return DoubleDescent.of(ps, sw.dd_n, dd_errors(ds, sw, ps))


# --- MLP width sweep (needs playground.batched) -------------------------------------------


@dataclass(frozen=True)
class MlpRuns:
    """Networks of every width in WIDTHS, each trained on one of a block of the R datasets."""

    train: np.ndarray  # (Rb, W) final training MSE
    val: np.ndarray  # (Rb, W) validation MSE
    pred: np.ndarray  # (Rb, W, M) predictions at the evenly spaced eval_points x
    n_params: np.ndarray  # (W,)
    stop_reason: str = "finished"  # "time budget" when the networks were cut short

    @staticmethod
    def join(parts: Sequence[MlpRuns]) -> MlpRuns:
        """The blocks stacked back into all R datasets."""
        train, val, pred = (np.concatenate([getattr(p, f) for p in parts]) for f in ("train", "val", "pred"))
        cut = any(p.stop_reason == "time budget" for p in parts)
        return MlpRuns(train, val, pred, parts[0].n_params, "time budget" if cut else "finished")


def mlp_blocks(sw: SweepSettings, parts: int) -> list[np.ndarray]:
    """Dataset indices of each block (the page trains one block at a time, to show progress)."""
    return [b for b in np.array_split(np.arange(sw.mlp_r), parts) if len(b)]


def mlp_runs(
    ds: DataSettings,
    sw: SweepSettings,
    ms: ModelSettings,
    ts: TrainSettings,
    block: tuple[int, ...] | None = None,
    max_seconds: float | None = None,
) -> MlpRuns:
    """Train one-hidden-layer networks of every width on datasets `block` (default: all mlp_r of them).

    Full batch, no early stopping, ts.epochs replaced by sw.mlp_epochs; model (w, r) starts from seed
    init_seed + 1000 w_index + r, so any split into blocks trains the same networks.
    """
    x, y = resample(ds, sw.mlp_r)  # (R, N)
    rows = np.arange(sw.mlp_r) if block is None else np.asarray(block)
    x, y = x[rows], y[rows]  # (Rb, N)
    val = make_data(ds)
    xt, _, _ = eval_points(ds, 1)
    w, rb = len(WIDTHS), len(rows)
    seeds = (ts.init_seed + 1000 * np.arange(w)[:, None] + rows[None, :]).ravel()  # (W * Rb,) width-major
    train = ts.changed(epochs=sw.mlp_epochs, batch_size=0, early_stopping=False)
    res = train_many(
        x.repeat(w, 1),  # (W * Rb, N): block of datasets repeated for every width
        y.repeat(w, 1),
        val.x_val,
        val.y_val,
        np.repeat(WIDTHS, rb),
        ms.changed(dropout=0.0),
        train,
        seeds=seeds.tolist(),
        device=ts.device,
        hidden_layers=1,
        max_seconds=max_seconds,  # the worst settings train for minutes: stop and keep what is there
    )
    pred = res.predict(torch.from_numpy(xt))  # (W * Rb, M)

    def per(a: np.ndarray) -> np.ndarray:  # (W * Rb, ...) -> (Rb, W, ...)
        return a.reshape(w, rb, *a.shape[1:]).swapaxes(0, 1)

    cut = "time budget" if "time budget" in res.stop_reason else "finished"
    return MlpRuns(per(res.train_metric), per(res.val_metric), per(pred), res.n_params[::rb], cut)


def mlp_capacity(runs: MlpRuns) -> CapacityCurve:
    """Training and validation error against width, over the datasets."""
    return CapacityCurve(
        np.array(WIDTHS), runs.n_params, Band.of(runs.train, median=True), Band.of(runs.val, median=True)
    )


def mlp_bias_variance(ds: DataSettings, runs: MlpRuns) -> BiasVariance:
    """The decomposition of the networks' expected test error, width by width."""
    _, f, yt = eval_points(ds, len(runs.pred))
    bias2, var, measured, se = decompose(runs.pred, f, yt, ds.noise**2)
    return BiasVariance(np.array(WIDTHS), runs.n_params, bias2, var, ds.noise**2, measured, se)


def mlp_spaghetti(ds: DataSettings, runs: MlpRuns, width: int) -> Spaghetti:
    """The networks of one width (the sweep's nearest to `width`), one per dataset."""
    i = int(np.argmin(np.abs(np.log2(WIDTHS) - np.log2(max(width, 1)))))
    xt, f, _ = eval_points(ds, 1)
    fits = runs.pred[:, i]  # (R, M)
    return Spaghetti(xt, fits, fits.mean(0), f)
