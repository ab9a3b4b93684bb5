"""More lessons: bias and variance during training, the course's own example, and common misconceptions.

Each is a `lessons.Preset` with a `Claim`, held to it by tests/test_lessons_contract.py like the others;
lessons.py appends EXTRA to its PRESETS (this module imports from it, so it is imported at its end).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .bv_epochs import EpochSettings, bv_epochs
from .classify import ClassSettings, fit_classifier
from .data import make_data
from .lessons import (
    BIG_NET,
    Claim,
    Numbers,
    Preset,
    _data,
    _one_fit,
    measure_double_descent,
    measure_moons,
    measure_training,
    settings_of,
)
from .models import poly_errors
from .settings import DataSettings, ModelSettings, TrainSettings

TEST_SEED = 10**6  # the "test set" of the tuning lesson: drawn with the seed moved this far, never seen before


def measure_bv_epochs(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The decomposition against epochs of the Bias and variance page's epochs view."""
    es = settings_of(EpochSettings, values)
    out = []
    for s in seeds:
        c = bv_epochs(settings_of(DataSettings, values).changed(seed=s), es)
        out.append({"bias2": c.bv.bias2, "var": c.bv.var, "total": c.bv.total, "i": int(np.argmin(c.bv.total))})
    return out


def _bv_epochs_holds(m: Numbers) -> bool:
    """Bias² falls tenfold by the best epoch, then variance doubles and the total rises by a fifth."""
    b, v, tot, i = m["bias2"], m["var"], m["total"], m["i"]
    return 0 < i < len(tot) - 1 and b[i] * 10 <= b[0] and v[-1] >= 2 * v[i] and tot[-1] >= 1.2 * tot[i]


def measure_one(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The Fit page's model on each seed's data: train, val, verdict."""
    ms = settings_of(ModelSettings, values)
    return [_one_fit(_data(values, s), ms) for s in seeds]


def measure_tuning(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The degree picked by the lowest validation error of 0..deg, that error, and the pick's error on new points."""
    out = []
    for s in seeds:
        ds = _data(values, s)
        d, fresh = make_data(ds), make_data(ds.changed(seed=s + TEST_SEED, n_val=2000))
        _, va = poly_errors(d.x, d.y, d.x_val, d.y_val, d.n - 2)
        k = int(np.argmin(va.numpy()))
        _, te = poly_errors(d.x, d.y, fresh.x_val, fresh.y_val, k)  # the same fits, scored on fresh points
        out.append({"picked": k, "val": float(va[k]), "test": float(te[k])})
    return out


def _tail(h: Sequence[float], k: int) -> float:
    return float(np.mean(h[-k:]))


def measure_dropout_loss(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """Classify's network with dropout: training loss with dropout on and off, and validation loss, each
    averaged over the last tenth of the epochs (the dropout-on loss jitters from batch to batch)."""
    cs, ms = settings_of(ClassSettings, values), settings_of(ModelSettings, values)
    ts = settings_of(TrainSettings, values).changed(device="cpu")
    out = []
    for s in seeds:
        r = fit_classifier(cs.changed(cseed=s), ms, ts)
        k = max(1, len(r.train_loss_on) // 10)
        out.append({"on": _tail(r.train_loss_on, k), "off": _tail(r.train_loss, k), "val": _tail(r.val_loss, k)})
    return out


DROPOUT_LOSS = {
    "cset": "moons",
    "cn": 600,
    "cval": 0.5,
    "cnoise": 0.3,
    "hidden": 2,
    "cwidth": 32,
    "dropout": 0.5,
    "epochs": 300,
    "cview": "train",
}

COURSE = {
    "cset": "course",
    "cn": 100,
    "cval": 0.15,
    "ctest": 0.15,  # the course's 70/15/15 split: the test part held back, its accuracy shown once
    "cnoise": 0.0,
    "hidden": 1,
    "cwidth": 5,
    "activation": "sigmoid",
    "cview": "compare",
    "epochs": 300,
}

EXTRA: list[Preset] = [
    Preset(
        "bv_epochs",
        "Bias and variance during training",
        "bias-variance",
        "Twenty networks, each trained on its own fresh set of twenty points, followed epoch by epoch. Early on they all stay close to their flat start (high bias, low variance); as training goes on bias² falls and variance rises, and the expected test error is lowest in between, where early stopping would stop.",
        {"bve_view": "epochs", "noise": 0.5},
        Claim(
            "Bias² falls at least tenfold by the best epoch; after it, variance at least doubles and the test error rises by 20% or more.",
            measure_bv_epochs,
            _bv_epochs_holds,
        ),
        stage="theory",
    ),
    Preset(
        "course_example",
        "The course's example: make_classification",
        "classify",
        "The course notebook's data: 100 points from make_classification (2 features, class separation 1.5, 10% of the labels redrawn at random), split as the course splits them, 70 for training, 15 for validation and 15 held back as a test set whose accuracy is shown once, after training, and its two networks Linear(2, 1) and Sequential(Linear(2, 5), Sigmoid, Linear(5, 1)). Both score about the same, since a line splits the classes and the flipped labels are errors no model should learn; the course's exercise asks for overfitting with a rich model: enter more and wider layers in Neurons per layer (e.g. 32,32) and compare training with validation accuracy.",
        COURSE,
        Claim(
            "Both networks classify at least 80% of the held-out points, and the hidden layer gains at most 5 points over the single layer.",
            measure_moons,
            lambda m: min(m["single"], m["multi"]) >= 0.8 and m["multi"] - m["single"] <= 0.05,
        ),
        stage="exercise",
    ),
    Preset(
        "small_gap",
        "Misconception: any gap means overfitting",
        "fit",
        "A degree-5 polynomial on fifty noisy points: its training error is a little below its validation error, as it nearly always is, since the fit has seen the training points. A small gap is normal; overfitting is a validation error far above the training error and rising with more capacity.",
        {"truth": "sine", "n": 50, "noise": 0.3, "degree": 5},
        Claim(
            "Validation error is above training error, yet the verdict is 'Good fit'.",
            measure_one,
            lambda m: m["val"] > m["train"] and m["verdict"] == "good",
        ),
        stage="detection",
    ),
    Preset(
        "dropout_val_below_train",
        "Misconception: validation loss below training loss is a bug",
        "classify",
        "With dropout 0.5, every training step switches off half of the hidden neurons at random, so the training loss the optimizer sees (the chart's 'training loss (dropout on)', what a PyTorch loop or Keras prints) stays above the validation loss, which is measured with the whole network. That is normal, not a bug: measured the same way as validation, with dropout off, the training loss is below the validation loss, as a fitted model's should be.",
        DROPOUT_LOSS,
        Claim(
            "Over the last tenth of the epochs, validation loss is below the dropout-on training loss and above the dropout-off one.",
            measure_dropout_loss,
            lambda m: m["off"] < m["val"] < m["on"],
        ),
        stage="detection",
    ),
    Preset(
        "longer_not_better",
        "Misconception: longer training is always better",
        "fit",
        "The big network on twenty points, trained for 1000 epochs. Every extra epoch lowers the training loss, but after the best epoch the validation loss climbs: more training made the model worse on new points.",
        BIG_NET,
        Claim(
            "After the best epoch the training loss keeps falling while the validation loss ends at least 25% above its best.",
            measure_training,
            lambda m: m["train_last"] < m["train_best"] and m["val_last"] >= 1.25 * m["val_best"],
        ),
        stage="detection",
    ),
    Preset(
        "test_set_tuning",
        "Misconception: tuning on the test set is harmless",
        "fit",
        "Thirty training and fifteen validation points: pick the polynomial degree with the lowest validation error, and that error is an optimistic guess, because the pick was made on those very points. Score the same fit on fresh points and it is worse; the Class challenge page keeps its test points hidden for this reason.",
        {"truth": "sine", "n": 30, "n_val": 15, "noise": 0.5, "degree": 5},
        Claim(
            "The degree with the lowest validation error does worse on fresh test points than its validation error promised.",
            measure_tuning,
            lambda m: m["test"] > m["val"],
        ),
        stage="detection",
    ),
    Preset(
        "double_descent_tradeoff",
        "Misconception: double descent disproves the bias–variance trade-off",
        "double-descent",
        "Below the threshold the test error traces the classical U: more features first help, then hurt. Past the threshold it falls again, because the minimum-norm solution is an implicit regularizer: the trade-off still holds, with capacity measured by the norm, not by the count.",
        {"noise": 0.2, "dd_n": 20},
        Claim(
            "Below N the test error is lowest at an interior count and rises by at least half toward p = N; beyond the peak it falls to below a third of it.",
            measure_double_descent,
            lambda m: _u_then_descent(m["p"], m["n"], m["test"]),
        ),
        stage="theory",
    ),
]


def _u_then_descent(p: np.ndarray, n: int, test: np.ndarray) -> bool:
    """A U below p = N (interior minimum, the error just below N at least 1.5 times it), then a second descent."""
    below = test[p < n]
    i = int(np.argmin(below))
    peak = float(test.max())
    return 0 < i < len(below) - 1 and below[-1] >= 1.5 * below[i] and test[-1] <= peak / 3
