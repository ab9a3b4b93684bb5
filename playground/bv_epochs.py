"""Bias and variance against training time: R networks on R resampled training sets, decomposed epoch by epoch.

Early in training every network is still nearly the flat function it started as: high bias, little variance.
As training goes on each one follows its own training set ever more closely: bias² falls and variance rises,
and their sum with σ² (the expected test error) is lowest in between, where early stopping would stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .analysis import BiasVariance, decompose, eval_points
from .batched import Live, train_many
from .data import resample
from .settings import DataSettings, ModelSettings, Settings, TrainSettings, param

EVAL_M = 100  # evenly spaced test x of the decomposition (also the engine's "validation" set: see bv_epochs)


@dataclass(frozen=True)
class EpochSettings(Settings):
    """How the against-epochs decomposition trains: R datasets, one network each, for some epochs."""

    bve_view: str = param(
        "capacity",
        "Against",
        "Sweep the model's capacity (one fit per dataset and capacity), or follow networks through their training.",
        choices=("capacity", "epochs"),
        widget="segmented",
    )
    bve_r: int = param(
        20,
        "Datasets (R)",
        "Networks trained at once, each on its own fresh training set; every curve is an average over them.",
        lo=3,
        hi=100,
    )
    bve_width: int = param(
        64, "Width", "Hidden neurons of each network (one hidden layer, tanh).", lo=2, hi=256, widget="counts"
    )
    bve_epochs: int = param(
        3000,
        "Epochs",
        "Full-batch Adam steps of every network; the decomposition is taken along the way.",
        lo=10,
        hi=5000,
    )
    bve_lr: float = param(0.01, "Learning rate", "Adam's step size.", lo=1e-4, hi=0.1, log=True)
    bve_points: int = param(
        30, "Recorded epochs", "Epochs (log-spaced from 1) at which every network's curve is recorded.", lo=5, hi=60
    )


def record_epochs(epochs: int, k: int) -> np.ndarray:
    """About k epochs from 1 to `epochs`, log-spaced, distinct, always ending at `epochs`."""
    return np.unique(np.r_[np.round(np.geomspace(1, epochs, k)).astype(int), epochs])


@dataclass(frozen=True)
class EpochCurves:
    """The decomposition at each recorded epoch (as BiasVariance with epochs for capacity), and what it came from."""

    bv: BiasVariance  # cap: the recorded epochs (E_k,)
    pred: np.ndarray  # (R, E_k, M) every network's predictions at the eval x, at each recorded epoch
    x: np.ndarray  # (M,) the eval x
    truth_err: np.ndarray  # (E + 1,) mean over networks of the squared distance to the truth, every epoch

    @property
    def epochs(self) -> np.ndarray:
        """The recorded epochs."""
        return self.bv.cap

    @property
    def best(self) -> int:
        """The recorded epoch with the lowest expected test error: early stopping's sweet spot."""
        return self.bv.best


def bv_epochs(ds: DataSettings, es: EpochSettings, init_seed: int = 0, device: str = "cpu") -> EpochCurves:
    """Train R one-hidden-layer tanh networks on R resampled sets; decompose their error at the recorded epochs.

    Every network starts from the same weights (seed init_seed), so that the variance is the training sets' alone:
    zero before the first step, whatever the initialization. The engine's validation set is the eval grid with the noiseless
    truth as targets, so its per-epoch validation loss is each network's distance to the truth at every epoch.
    """
    x, y = resample(ds, es.bve_r)  # (R, N)
    xt, f, yt = eval_points(ds, es.bve_r, EVAL_M)  # (M,), (M,), (R, M)
    marks = record_epochs(es.bve_epochs, es.bve_points)
    want = set(marks.tolist())
    pred = np.empty((es.bve_r, len(marks), EVAL_M))  # (R, E_k, M)
    at = {int(e): i for i, e in enumerate(marks)}
    xq = torch.from_numpy(xt)

    def grab(live: Live) -> None:
        if live.epoch in want:  # the weights after `epoch` training steps
            pred[:, at[live.epoch]] = live.predict(xq)

    ms = ModelSettings(family="mlp", width=es.bve_width, layers=1, activation="tanh")
    ts = TrainSettings(lr=es.bve_lr, epochs=es.bve_epochs, batch_size=0, init_seed=init_seed, device=device)
    res = train_many(
        x,
        y,
        xq,
        torch.from_numpy(f),
        [es.bve_width] * es.bve_r,
        ms,
        ts,
        seeds=[init_seed] * es.bve_r,
        device=device,
        hidden_layers=1,
        callback=grab,
        every=1,
    )
    pred[:, at[es.bve_epochs]] = res.predict(xq)  # the callback never sees the last epoch
    bias2, var, measured, se = decompose(pred, f, yt, ds.noise**2)
    n_params = np.full(len(marks), int(res.n_params[0]))
    bv = BiasVariance(marks, n_params, bias2, var, ds.noise**2, measured, se)
    return EpochCurves(bv, pred, xt, np.nanmean(res.val_loss, 0))
