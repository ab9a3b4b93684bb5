"""Binary classification of 2-D points: settings, input features, one fit, confusion matrix, boundary grid."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from .data import CLASS_SETS, Dataset, make_classes
from .settings import MAX_LAYERS, ModelSettings, Settings, TrainSettings, fmt_widths, param, parse_widths
from .train import FitResult, Progress, fit

Feature = Callable[[torch.Tensor], torch.Tensor]

# Each feature maps raw points (N, 2) to one column (N,); the order here is the column order.
FEATURES: dict[str, Feature] = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] ** 2,
    "x2^2": lambda x: x[:, 1] ** 2,
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin x1": lambda x: torch.sin(x[:, 0]),
    "sin x2": lambda x: torch.sin(x[:, 1]),
}


@dataclass(frozen=True)
class ClassSettings(Settings):
    """A 2-D classification task and the network's shape (URL keys never clash with DataSettings')."""

    cset: str = param(
        "moons",
        "Data set",
        "The 2-D point cloud to classify: two moons, circles, XOR quadrants, two spirals, two blobs, a line split, "
        "or the course notebook's make_classification set.",
        choices=tuple(CLASS_SETS),
    )
    cn: int = param(
        300, "Points", "All points, training and validation together. Fewer points overfit more easily.", lo=10, hi=1000
    )
    cnoise: float = param(
        0.2,
        "Noise (σ)",
        "Standard deviation of the jitter added to every point: more noise, more overlap between the classes.",
        lo=0.0,
        hi=1.0,
        step=0.05,
    )
    cval: float = param(
        0.3,
        "Validation share",
        "Share of the points held out for validation: never trained on, they show how well the boundary generalizes.",
        lo=0.1,
        hi=0.9,
        step=0.05,
    )
    cseed: int = param(0, "Seed", "Same seed and settings give the same points everywhere.", lo=0, hi=2**31 - 1)
    hidden: int = param(
        2,
        "Hidden layers",
        "0 is a single layer (logistic regression): its boundary is a straight line in the features. "
        "Hidden layers let the boundary bend.",
        lo=0,
        hi=MAX_LAYERS,
    )
    cwidth: int = param(16, "Width", "Neurons per hidden layer: more neurons, more capacity.", lo=1, hi=128)
    features: tuple[str, ...] = param(
        ("x1", "x2"),
        "Input features",
        "What the network sees. With x1² and x2² even a single layer can draw a circle.",
        choices=tuple(FEATURES),
        lo=1,  # at least one feature; checked in __post_init__ (the generic check ignores lo for tuples)
    )
    ctest: float = param(
        0.0,
        "Test share",
        "Share of the points held back as a test set: never trained on, never used for early stopping or any "
        "choice. Its accuracy is shown once, after training: read it when you are done tuning.",
        lo=0.0,
        hi=0.3,
        step=0.05,
    )
    net: str = param(
        "",
        "Neurons per layer",
        "One width per hidden layer, first to last, e.g. 4,2 (TensorFlow Playground's network shape); "
        "0 or empty is no hidden layer. At most 6 layers of 1 to 128 neurons.",
        lo=1,
        hi=128,
        widget="widths",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.features:
            raise ValueError("features: pick at least one")
        # Per-layer widths decide the shape; one canonical form: equal widths are `hidden` layers of `cwidth`
        # (the old links' form), different ones keep `net`, with hidden and cwidth following it.
        ws = parse_widths(self.net)
        if self.net:
            uniform = len(set(ws)) <= 1
            object.__setattr__(self, "hidden", len(ws))
            object.__setattr__(self, "cwidth", ws[0] if ws else self.cwidth)
            object.__setattr__(self, "net", "" if uniform else fmt_widths(ws))
        # One canonical order (and no repeats), so equal selections are equal settings and equal cache keys.
        object.__setattr__(self, "features", tuple(f for f in FEATURES if f in self.features))

    @property
    def widths(self) -> tuple[int, ...]:
        """The hidden layers' widths, first to last (empty: a single layer)."""
        return parse_widths(self.net) if self.net else (self.cwidth,) * self.hidden

    def changed(self, **kw: Any) -> ClassSettings:
        """A copy with some fields replaced; a new `hidden` or `cwidth` replaces per-layer widths of another depth."""
        if self.net and "net" not in kw and ({"hidden", "cwidth"} & kw.keys()):
            same = kw.get("hidden", self.hidden) == self.hidden and kw.get("cwidth", self.cwidth) == self.cwidth
            kw["net"] = self.net if same else ""
        return replace(self, **kw)


def _features(names: tuple[str, ...], x: torch.Tensor) -> torch.Tensor:
    return torch.stack([FEATURES[n](x) for n in names], dim=1)  # (N, F)


def make_transform(features: tuple[str, ...]) -> Callable[[torch.Tensor], torch.Tensor]:
    """The map from raw points (N, 2) to feature columns (N, F), in FEATURES order."""
    names = tuple(f for f in FEATURES if f in features)
    if not names:
        raise ValueError("pick at least one feature")
    return functools.partial(_features, names)  # a partial (not a closure) pickles


def class_data(cs: ClassSettings) -> Dataset:
    """The training, validation (and held-back test) points the settings describe (deterministic in cs.cseed)."""
    return make_classes(cs.cset, cs.cn, cs.cnoise, cs.cval, cs.cseed, cs.ctest)


def net_settings(cs: ClassSettings, ms: ModelSettings) -> ModelSettings:
    """The MLP settings of the classifier: shape from cs, activation and dropout from ms, the rest default.

    Per-layer widths (cs.net) are not a ModelSettings field: fit_classifier passes cs.widths to `fit`.
    """
    if cs.hidden == 0:  # no hidden layer: activation and dropout have nothing to act on
        return ModelSettings(family="mlp", width=cs.cwidth)
    return ModelSettings(family="mlp", layers=cs.hidden, width=cs.cwidth, activation=ms.activation, dropout=ms.dropout)


def fit_classifier(
    cs: ClassSettings,
    ms: ModelSettings,
    ts: TrainSettings,
    callback: Callable[[Progress], bool | None] | None = None,
    every: int = 25,
    max_seconds: float | None = None,
    data: Dataset | None = None,
) -> FitResult:
    """Train the classifier the settings describe with the shared training loop; predict() gives logits.

    `data` replaces the generated points (a user's upload); the settings still give the network. As `fit`, a
    network beyond the work bound raises settings.TooMuchWork before training; `max_seconds` is only the
    last-resort guard (settings.GUARD_SECONDS on the page), and a run it stops is incomplete.
    """
    return fit(
        class_data(cs) if data is None else data,
        net_settings(cs, ms),
        ts,
        device=ts.device,
        callback=callback,
        every=every,
        transform=make_transform(cs.features),
        hidden_layers=cs.widths if cs.net else cs.hidden,
        max_seconds=max_seconds,
    )


def probability(logits: np.ndarray) -> np.ndarray:
    """Sigmoid of logits, without overflow for large |logit|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(logits, dtype=np.float64)))


def confusion(y: torch.Tensor | np.ndarray, logits: np.ndarray) -> np.ndarray:
    """2x2 counts: rows are the true class (0, 1), columns the predicted class (logit > 0 means 1)."""
    yt = np.asarray(y).astype(np.int64)  # (M,)
    yp = (np.asarray(logits) > 0).astype(np.int64)  # (M,)
    return np.bincount(2 * yt + yp, minlength=4).reshape(2, 2)


def accuracy(y: torch.Tensor | np.ndarray, logits: np.ndarray) -> float:
    """Share of points whose predicted class (logit > 0) is their label."""
    return float(np.mean((np.asarray(logits) > 0) == (np.asarray(y) > 0.5)))


@dataclass
class AccuracySampler:
    """A progress callback that records training and validation accuracy (Progress carries the losses only)."""

    data: Dataset
    epochs: list[int] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)

    def __call__(self, p: Progress) -> None:
        """Record the accuracies of the model as it is at this callback."""
        self.epochs.append(p.epoch)
        self.train.append(accuracy(self.data.y, p.predict(self.data.x)))
        self.val.append(accuracy(self.data.y_val, p.predict(self.data.x_val)))


def majority_share(y: torch.Tensor | np.ndarray) -> float:
    """Accuracy of always guessing the more common class: the chance level."""
    p = float(np.mean(np.asarray(y)))
    return max(p, 1.0 - p)


def boundary_grid(data: Dataset, n: int = 80, pad: float = 0.4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid around all points: x ticks (n,), y ticks (n,) and the points (n*n, 2) in row-major order."""
    pts = torch.cat([data.x, data.x_val]).numpy()  # (N + M, 2)
    lo, hi = pts.min(0) - pad, pts.max(0) + pad
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    xx, yy = np.meshgrid(gx, gy)  # (n, n): rows follow y, as a heatmap's z does
    return gx, gy, np.c_[xx.ravel(), yy.ravel()]


def grid_probability(predict: Callable[[np.ndarray], np.ndarray], gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """P(class 1) on the grid, shape (len(gy), len(gx)), from a function that returns logits."""
    xx, yy = np.meshgrid(gx, gy)
    z = predict(np.c_[xx.ravel(), yy.ravel()])  # (G*G,) or (F, G*G) for F models at once
    return probability(z).reshape(*z.shape[:-1], len(gy), len(gx))


@dataclass(frozen=True, eq=False)  # arrays inside: compare fields, not reports
class Report:
    """Everything a page shows about one trained classifier (plain numbers and arrays, cacheable)."""

    gx: np.ndarray  # (G,)
    gy: np.ndarray  # (G,)
    prob: np.ndarray  # (G, G) P(class 1), rows follow gy
    train_loss: list[float]
    val_loss: list[float]
    train_acc: list[float]
    val_acc: list[float]
    best_epoch: int | None
    train_ce: float
    val_ce: float
    train_accuracy: float
    val_accuracy: float
    confusion: np.ndarray  # (2, 2) on the validation points
    chance: float  # majority-class share of the validation points
    n_params: int
    stop_reason: str
    note: str | None
    test_accuracy: float | None = None  # on the held-back test points, when the data has them
    n_test: int = 0


def report(res: FitResult, data: Dataset, grid: int = 80) -> Report:
    """Summarize a trained classifier on its data: boundary grid, histories, final metrics, confusion matrix."""
    gx, gy, _ = boundary_grid(data, grid)
    return Report(
        gx=gx,
        gy=gy,
        prob=grid_probability(res.predict, gx, gy),
        train_loss=list(res.train_loss),
        val_loss=list(res.val_loss),
        train_acc=list(res.train_acc),
        val_acc=list(res.val_acc),
        best_epoch=res.best_epoch,
        train_ce=res.train_metric,
        val_ce=res.val_metric,
        train_accuracy=res.train_accuracy,
        val_accuracy=res.val_accuracy,
        confusion=confusion(data.y_val, res.predict(data.x_val)),
        chance=majority_share(data.y_val),
        n_params=res.n_params,
        stop_reason=res.stop_reason,
        note=res.note,
        test_accuracy=(
            None if data.x_test is None or data.y_test is None else accuracy(data.y_test, res.predict(data.x_test))
        ),
        n_test=0 if data.y_test is None else len(data.y_test),
    )
