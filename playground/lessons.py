"""Lessons: each sets one page up to show one claim of the lesson, with two sentences on what to look at.

Plain data (no UI): the app's Lessons page and the command line both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Preset:
    """One lesson: where it opens, what it sets, and what to look at."""

    id: str
    title: str
    page: str
    text: str
    values: dict[str, Any] = field(default_factory=dict)


BIG_NET = {"family": "mlp", "width": 128, "layers": 2, "n": 20, "noise": 0.3, "epochs": 2000, "lr": 0.01}

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
    ),
    Preset(
        "little_data",
        "Too little data",
        "fit",
        "Eight points and a degree-7 polynomial: as many parameters as points, so the curve chases every one of them. Drag Training points up to 100 and watch the same model settle on the truth.",
        {"truth": "sine", "n": 8, "noise": 0.2, "degree": 7},
    ),
    Preset(
        "much_noise",
        "Too much noise",
        "fit",
        "With noise this large the model cannot tell signal from noise, so it fits both. Lower the noise and the same degree-9 polynomial becomes a good fit.",
        {"truth": "sine", "n": 30, "noise": 1.0, "degree": 9},
    ),
    Preset(
        "powerful_model",
        "Too powerful a model",
        "fit",
        "Fifteen degrees for twenty points: training error is tiny and validation error explodes. Step the degree down and find the bottom of the validation curve on the right.",
        {"truth": "sine", "n": 20, "noise": 0.3, "degree": 15},
    ),
    Preset(
        "validation_curve",
        "Detecting overfitting: the validation curve",
        "fit",
        "A big network on twenty points. Training loss keeps falling while validation loss turns and rises: the epoch where they part is where overfitting starts.",
        BIG_NET,
    ),
    Preset(
        "early_stopping",
        "Early stopping",
        "fit",
        "The same network, but training stops once validation loss has not improved for 200 epochs, and the best weights are restored. The shaded region shows what was thrown away.",
        {**BIG_NET, "early_stopping": True, "patience": 200},
    ),
    Preset(
        "dropout",
        "Dropout to the rescue",
        "compare",
        "Two identical big networks on the same twenty points; B drops 30% of its hidden neurons at random while training. B cannot memorize the noise, and its validation error is lower.",
        {
            "n": 20,
            "noise": 0.3,
            "epochs": 2000,
            "lr": 0.01,
            "a_family": "mlp",
            "a_width": 128,
            "a_layers": 2,
            "b_family": "mlp",
            "b_width": 128,
            "b_layers": 2,
            "b_dropout": 0.3,
        },
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
            "b_ridge": 0.001,
        },
    ),
    Preset(
        "bias_variance",
        "The bias–variance U-curve",
        "bias-variance",
        "A hundred fresh training sets of twenty points, one polynomial fitted to each. Bias² falls and variance rises with the degree, so their sum with the noise traces a U whose bottom is the best capacity.",
        {"truth": "sine", "n": 20, "noise": 0.3, "r": 100, "deg_max": 15},
    ),
    Preset(
        "double_descent",
        "Double descent",
        "double-descent",
        "The test error climbs to a peak where the number of features equals the number of points, then falls again as features keep growing. Past that threshold the minimum-norm solution picks the smoothest of the many curves through the points.",
        {"noise": 0.2, "dd_n": 20},
    ),
    Preset(
        "moons",
        "Single vs multi-layer on two moons",
        "classify",
        "A single layer can only draw a straight line, so it cuts through both moons. A network with hidden layers bends its boundary around them and classifies almost every validation point.",
        {"cset": "moons", "cnoise": 0.2, "features": ("x1", "x2"), "cview": "compare"},
    ),
]


def lesson(pid: str) -> Preset | None:
    """The lesson with this id, if any."""
    return next((p for p in PRESETS if p.id == pid), None)
