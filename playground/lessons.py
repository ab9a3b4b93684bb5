"""Lessons: each sets one page up to show one claim of the lesson, with two sentences on what to look at.

Plain data (no UI): the app's Lessons page and the command line both read it. Each lesson's claim is also a
check on its own numbers (`Claim`), computed with the functions its page uses: tests/test_lessons_contract.py
holds every lesson to it on its own seed and on most others, so no lesson rests on one lucky draw.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from .analysis import SweepSettings, bias_variance, double_descent_many
from .bv_epochs import EpochSettings, bv_epochs
from .classify import ClassSettings, fit_classifier
from .data import DOMAIN, Dataset, make_data
from .models import poly_errors
from .settings import DataSettings, ModelSettings, Settings, TrainSettings
from .train import FitResult, fit
from .verdict import verdict

S = TypeVar("S", bound=Settings)

# --- claims: what each lesson says, as a check on its own numbers ---------------------------------

Numbers = dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """A lesson's claim: one line a student should see, and a check of it on the lesson's computed numbers.

    `measure(values, seeds)` computes the lesson's numbers for each seed (the lesson's values with the data seed
    replaced) with the functions its page uses; `holds(numbers)` says whether the claim is true of them.
    """

    see: str
    measure: Callable[[dict[str, Any], Sequence[int]], list[Numbers]]
    holds: Callable[[Numbers], bool]


def settings_of(cls: type[S], values: dict[str, Any], prefix: str = "") -> S:
    """The settings a page builds from a lesson's values (fields named prefix + name; the rest default)."""
    return cls(**{n: values[prefix + n] for n in cls.specs() if prefix + n in values})


def _scale(d: Dataset) -> float:
    """The signal's variance, as the pages pass it to the verdict."""
    return float(np.var(d.truth_fn(np.linspace(*DOMAIN, 400))))


def _truth_error(d: Dataset, r: FitResult) -> float:
    """Mean squared distance between the fitted curve and the truth over the domain."""
    xs = np.linspace(*DOMAIN, 400)
    return float(np.mean((r.predict(xs) - d.truth_fn(xs)) ** 2))


@functools.lru_cache(maxsize=256)
def _fit(ds: DataSettings, ms: ModelSettings, ts: TrainSettings) -> FitResult:
    """fit() on the settings' data (cached: two lessons that train the same network train it once)."""
    return fit(make_data(ds), ms, ts, device="cpu")


def _one_fit(ds: DataSettings, ms: ModelSettings, ts: TrainSettings | None = None) -> Numbers:
    """Errors and verdict of one model on the settings' data, as the Fit and Compare pages compute them."""
    d = make_data(ds)
    r = _fit(ds, ms, ts or TrainSettings())
    v = verdict(r.train_metric, r.val_metric, d.noise, _scale(d), r.best_val)
    return {"train": r.train_metric, "val": r.val_metric, "verdict": v.kind, "truth_err": _truth_error(d, r)}


def _data(values: dict[str, Any], seed: int, **kw: Any) -> DataSettings:
    """The lesson's data settings with this seed (and any other changes)."""
    return settings_of(DataSettings, values).changed(seed=seed, **kw)


def measure_compare(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """Models A and B of the Compare page on each seed's data: a_train, a_val, a_verdict, b_… ."""
    ts = settings_of(TrainSettings, values)
    out = []
    for s in seeds:
        d = _data(values, s)
        row: Numbers = {}
        for m in ("a", "b"):
            row |= {f"{m}_{k}": v for k, v in _one_fit(d, settings_of(ModelSettings, values, f"{m}_"), ts).items()}
        out.append(row)
    return out


def measure_little_data(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The lesson's fit at its own N and at 100 points (the slider's move the text asks for)."""
    ms = settings_of(ModelSettings, values)
    return [
        {**_one_fit(_data(values, s), ms), **{f"many_{k}": v for k, v in _one_fit(_data(values, s, n=100), ms).items()}}
        for s in seeds
    ]


def measure_noise(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The lesson's fit at its noise and at LOW_NOISE (the move the text asks for)."""
    ms = settings_of(ModelSettings, values)
    return [
        {
            **_one_fit(_data(values, s), ms),
            **{f"low_{k}": v for k, v in _one_fit(_data(values, s, noise=LOW_NOISE), ms).items()},
        }
        for s in seeds
    ]


def measure_degrees(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The lesson's fit and the validation error of every degree below N - 1, as the degree chart shows them."""
    ms = settings_of(ModelSettings, values)
    out = []
    for s in seeds:
        ds = _data(values, s)
        d = make_data(ds)
        _, va = poly_errors(d.x, d.y, d.x_val, d.y_val, d.n - 2)  # degrees that do not interpolate the points
        out.append({**_one_fit(ds, ms), "deg_val": va.numpy(), "best_degree": int(np.argmin(va.numpy()))})
    return out


def _networks(values: dict[str, Any], seeds: Sequence[int], ts: TrainSettings) -> list[FitResult]:
    """The Fit page's network trained on each seed's data."""
    ms = settings_of(ModelSettings, values)
    return [_fit(_data(values, s), ms, ts) for s in seeds]


def measure_training(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """Loss curves of the Fit page's network: best epoch, validation there and at the end, training loss too."""
    ts = settings_of(TrainSettings, values)
    out = []
    for r in _networks(values, seeds, ts):
        b = r.best_epoch or 0
        out.append(
            {
                "best_epoch": b,
                "epochs": len(r.val_loss) - 1,
                "val_best": r.val_loss[b],
                "val_last": r.val_loss[-1],
                "train_best": r.train_loss[b],
                "train_last": r.train_loss[-1],
                "val": r.val_metric,
                "stop": r.stop_reason,
            }
        )
    return out


def measure_early_stopping(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """measure_training of the early-stopped network, with the validation error the same network ends at without it."""
    full = {k: v for k, v in values.items() if k not in ("early_stopping", "patience")}  # = the validation-curve run
    runs = zip(measure_training(values, seeds), measure_training(full, seeds), strict=True)
    return [m | {"full_val": f["val"]} for m, f in runs]


def measure_bias_variance(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """The polynomial decomposition of the Bias-variance page."""
    sw = settings_of(SweepSettings, values)
    out = []
    for s in seeds:
        bv = bias_variance(settings_of(DataSettings, values).changed(seed=s), sw)
        out.append({"bias2": bv.bias2, "var": bv.var, "total": bv.total, "measured": bv.measured})
    return out


def measure_double_descent(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """Median test error against the feature count on the Double-descent page."""
    sw, ds = settings_of(SweepSettings, values), settings_of(DataSettings, values)
    dds = double_descent_many([ds.changed(seed=s) for s in seeds], sw)  # one solve per p for every seed
    return [{"p": dd.p, "n": dd.n, "test": dd.test.mid} for dd in dds]


def measure_moons(values: dict[str, Any], seeds: Sequence[int]) -> list[Numbers]:
    """Validation accuracy of the Classify comparison: a single layer and the page's hidden layers."""
    cs, ms, ts = (
        settings_of(ClassSettings, values),
        settings_of(ModelSettings, values),
        settings_of(TrainSettings, values),
    )
    out = []
    for s in seeds:
        c = cs.changed(cseed=s)
        single = fit_classifier(c.changed(hidden=0), ms, ts.changed(device="cpu"))
        multi = fit_classifier(c.changed(hidden=c.hidden or 2), ms, ts.changed(device="cpu"))
        out.append({"single": single.val_accuracy, "multi": multi.val_accuracy})
    return out


def _u_shape(total: np.ndarray, ends: float = 1.5) -> bool:
    """The curve's minimum is interior and both ends are at least `ends` times higher."""
    i = int(np.argmin(total))
    return 0 < i < len(total) - 1 and total[0] >= ends * total[i] and total[-1] >= ends * total[i]


LOW_NOISE = 0.3  # the noise the "too much noise" lesson asks the student to lower to (the app's default)
BV_FALL = (0, 7)  # degrees over which the bias-variance lesson's bias² falls ...


@dataclass(frozen=True)
class Preset:
    """One lesson: where it opens, what it sets, what to look at, and the claim its numbers must bear out."""

    id: str
    title: str
    page: str
    text: str
    values: dict[str, Any] = field(default_factory=dict)
    claim: Claim | None = None
    stage: str = "causes"  # a key of STAGES: where the lesson stands in the teaching order

    @property
    def seed_key(self) -> str:
        """The value that seeds the lesson's data."""
        return "cseed" if self.page == "classify" else "seed"

    @property
    def seed(self) -> int:
        """The lesson's own data seed."""
        return int(self.values.get(self.seed_key, 0))

    def check(self, seeds: Sequence[int]) -> list[bool]:
        """Whether the claim holds on the lesson's data drawn with each seed."""
        if self.claim is None:
            return []
        return [bool(self.claim.holds(m)) for m in self.claim.measure(self.values, seeds)]


@dataclass(frozen=True)
class Stage:
    """A step of the teaching order: its id and its heading on the Lessons page."""

    id: str
    title: str


# The teaching order: causes, detection, prevention, theory, the exercise. The Lessons page numbers the lessons
# in this order (and in PRESETS' order within a stage).
STAGES = (
    Stage("causes", "Where overfitting comes from"),
    Stage("detection", "How to detect it"),
    Stage("prevention", "How to prevent it"),
    Stage("theory", "Why: the theory behind it"),
    Stage("exercise", "The exercise: classification with PyTorch networks"),
)


def in_order() -> list[Preset]:
    """Every lesson in teaching order (stable within a stage)."""
    rank = {st.id: i for i, st in enumerate(STAGES)}
    return sorted(PRESETS, key=lambda p: rank[p.stage])


BIG_NET: dict[str, Any] = {"family": "mlp", "width": 64, "layers": 2, "n": 20, "noise": 0.3, "epochs": 1000, "lr": 0.01}

PRESETS: list[Preset] = [
    Preset(
        "line_vs_7",
        "5 points: a line against 7 parameters",
        "compare",
        "Five noisy points from a straight line. The line misses them a little but generalizes; the 7-parameter polynomial passes through every training point and misses the validation points badly.",
        {
            "truth": "linear",
            "n": 5,
            "noise": 0.3,
            "seed": 1,
            "a_family": "poly",
            "a_degree": 1,
            "b_family": "poly",
            "b_degree": 6,
        },
        Claim(
            "B's training error is ≈ 0 and its validation error is at least 1.5 times the line's.",
            measure_compare,
            lambda m: m["b_train"] < 1e-6 and m["b_val"] >= 1.5 * m["a_val"],
        ),
        stage="causes",
    ),
    Preset(
        "little_data",
        "Too little data",
        "fit",
        "Eight points and a degree-7 polynomial: as many parameters as points, so the curve chases every one of them. Drag Training points up to 100 and watch the same model settle on the truth.",
        {"truth": "sine", "n": 8, "noise": 0.2, "degree": 7},
        Claim(
            "With 8 points: training error ≈ 0 and 'Overfitting'; with 100 points the same degree is a good fit, its validation error at least 3 times lower.",
            measure_little_data,
            lambda m: (
                m["train"] < 1e-6
                and m["verdict"] == "overfit"
                and m["many_verdict"] == "good"
                and m["many_val"] * 3 <= m["val"]
            ),
        ),
        stage="causes",
    ),
    Preset(
        "much_noise",
        "Too much noise",
        "fit",
        "Twenty evenly spaced points with noise σ = 1, as large as the signal itself: the degree-9 polynomial cannot tell signal from noise, so it fits both and swings far from the truth. Lower the noise to 0.3 and the same degree-9 polynomial becomes a good fit.",
        {"truth": "sine", "n": 20, "noise": 1.0, "degree": 9, "x_mode": "grid"},
        Claim(
            "At noise 1: 'Overfitting'. At noise 0.3: 'Good fit', and the curve at least 5 times closer to the truth.",
            measure_noise,
            lambda m: (
                m["verdict"] == "overfit" and m["low_verdict"] == "good" and 5 * m["low_truth_err"] <= m["truth_err"]
            ),
        ),
        stage="causes",
    ),
    Preset(
        "powerful_model",
        "Too powerful a model",
        "fit",
        "Fifteen degrees for twenty points: training error is tiny and validation error explodes. Step the degree down and find the bottom of the validation curve on the right.",
        {"truth": "sine", "n": 20, "noise": 0.3, "degree": 15},
        Claim(
            "Degree 15: 'Overfitting', validation error at least 10 times the best degree's; the best degree lies between 3 and 9.",
            measure_degrees,
            lambda m: m["verdict"] == "overfit" and m["val"] >= 10 * m["deg_val"].min() and 3 <= m["best_degree"] <= 9,
        ),
        stage="causes",
    ),
    Preset(
        "validation_curve",
        "Detecting overfitting: the validation curve",
        "fit",
        "A big network on twenty points. Training loss keeps falling while validation loss turns and rises: the epoch where they part is where overfitting starts.",
        BIG_NET,
        Claim(
            "Validation loss at the best epoch is at least 20% below its last value, while training loss keeps falling after it.",
            measure_training,
            lambda m: (
                m["val_best"] <= 0.8 * m["val_last"]
                and m["train_last"] < m["train_best"]
                and m["best_epoch"] < m["epochs"]
            ),
        ),
        stage="detection",
    ),
    Preset(
        "early_stopping",
        "Early stopping",
        "fit",
        "The same network, but training stops once validation loss has not improved for 200 epochs, and the best weights are restored. The shaded region shows what was thrown away.",
        {**BIG_NET, "early_stopping": True, "patience": 200},
        Claim(
            "Training stops early; the restored weights' validation error is at least 20% below what the same network ends at without early stopping.",
            measure_early_stopping,
            lambda m: m["stop"] == "early stop" and m["epochs"] < BIG_NET["epochs"] and m["val"] <= 0.8 * m["full_val"],
        ),
        stage="prevention",
    ),
    Preset(
        "dropout",
        "Dropout to the rescue",
        "compare",
        "Two identical big networks on the same twenty points; B drops 30% of its hidden neurons at random while training. B cannot memorize the noise, and its validation error is lower.",
        {
            "n": 20,
            "noise": 0.3,
            "epochs": BIG_NET["epochs"],
            "lr": 0.01,
            "a_family": "mlp",
            "a_width": BIG_NET["width"],
            "a_layers": 2,
            "b_family": "mlp",
            "b_width": BIG_NET["width"],
            "b_layers": 2,
            "b_dropout": 0.3,
        },
        Claim(
            "B's validation error is at least 10% below A's.",
            measure_compare,
            lambda m: m["b_val"] <= 0.9 * m["a_val"],
        ),
        stage="prevention",
    ),
    Preset(
        "l2",
        "L2 to the rescue",
        "compare",
        "Two degree-15 polynomials on twenty points; B pays a small L2 penalty for large coefficients. The penalty irons out the wiggles and B's validation error drops by orders of magnitude.",
        {
            "truth": "sine",
            "n": 20,
            "noise": 0.3,
            "a_family": "poly",
            "a_degree": 15,
            "b_family": "poly",
            "b_degree": 15,
            "b_ridge": 0.01,
        },
        Claim(
            "A: 'Overfitting'. B: 'Good fit', its validation error at least 10 times lower than A's.",
            measure_compare,
            lambda m: m["a_verdict"] == "overfit" and m["b_verdict"] == "good" and 10 * m["b_val"] <= m["a_val"],
        ),
        stage="prevention",
    ),
    Preset(
        "bias_variance",
        "The bias–variance U-curve",
        "bias-variance",
        "A hundred fresh training sets of twenty evenly spaced points, one polynomial fitted to each. Bias² falls and variance rises with the degree, so their sum with the noise traces a U whose bottom is the best capacity.",
        {"truth": "sine", "n": 20, "noise": 0.3, "x_mode": "grid", "r": 100, "deg_max": 13},
        Claim(
            "Bias² falls at least 100-fold from degree 0 to 7, variance rises at every degree, and their sum is lowest at an interior degree with both ends at least 1.5 times higher.",
            measure_bias_variance,
            lambda m: (
                m["bias2"][BV_FALL[1]] * 100 <= m["bias2"][BV_FALL[0]]
                and bool(np.all(np.diff(m["var"]) > 0))
                and _u_shape(m["total"])
            ),
        ),
        stage="theory",
    ),
    Preset(
        "double_descent",
        "Double descent",
        "double-descent",
        "The test error climbs to a peak where the number of features equals the number of points, then falls again as features keep growing. Past that threshold the minimum-norm solution picks the smoothest of the many curves through the points.",
        {"noise": 0.2, "dd_n": 20},
        Claim(
            "The median test error peaks at p = N, at least 3 times the lowest error below N and the error at the most features.",
            measure_double_descent,
            lambda m: (
                int(m["p"][int(np.argmax(m["test"]))]) == m["n"]
                and m["test"].max() >= 3 * m["test"][m["p"] < m["n"]].min()
                and m["test"].max() >= 3 * m["test"][-1]
            ),
        ),
        stage="theory",
    ),
    Preset(
        "moons",
        "Single vs multi-layer on two moons",
        "classify",
        "A single layer can only draw a straight line, so it cuts through both moons. A network with hidden layers bends its boundary around them and classifies almost every validation point.",
        {"cset": "moons", "cnoise": 0.2, "features": ("x1", "x2"), "cview": "compare"},
        Claim(
            "Validation accuracy: below 92% for the single layer, above 97% with hidden layers.",
            measure_moons,
            lambda m: m["single"] < 0.92 and m["multi"] > 0.97,
        ),
        stage="exercise",
    ),
]


# --- more lessons: bias and variance during training, the course's own example, common misconceptions ---------


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


PRESETS += EXTRA


def lesson(pid: str) -> Preset | None:
    """The lesson with this id, if any."""
    return next((p for p in PRESETS if p.id == pid), None)
