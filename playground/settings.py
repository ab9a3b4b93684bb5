"""Settings declared once: default, bounds, label, help and URL key of every knob.

Widgets, the URL query string and validation all read these declarations, so a new
setting is one line here plus its use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, TypeVar

S = TypeVar("S", bound="Settings")


@dataclass(frozen=True)
class Spec:
    """How one setting is bounded, shown and named."""

    label: str
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    log: bool = False  # shown on a 1-2-5 log grid (0 allowed when lo == 0)
    step: float | None = None
    widget: str = ""  # a non-default widget kind, e.g. "segmented" for a few choices side by side


def param(default: Any, label: str, help: str, **kw: Any) -> Any:
    """Declare a settings field with its spec."""
    return field(default=default, metadata={"spec": Spec(label=label, help=help, **kw)})


def spec_of(cls: type, name: str) -> Spec:
    """The spec of field `name` of settings class `cls`."""
    return next(f.metadata["spec"] for f in fields(cls) if f.name == name)


def log_grid(lo: float, hi: float) -> list[float]:
    """1-2-5 grid from lo to hi (with 0 first when lo is 0)."""
    start = 1e-8 if lo == 0 else lo
    out: list[float] = [0.0] if lo == 0 else []
    e = math.floor(math.log10(start))
    while 10**e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = float(f"{m}e{e}")
            if start * 0.9999 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    return out


def nearest_on_grid(v: Any, opts: list[float]) -> float:
    """The grid value nearest to v in log distance (0, negatives and non-numbers go to the first)."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return opts[0]
    if v in opts:
        return v
    if not v > 0:
        return opts[0]
    return min((o for o in opts if o > 0), key=lambda o: abs(math.log(o / v)))


class Settings:
    """Base of the frozen settings dataclasses: checks bounds on construction."""

    group: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            err = check(f.metadata["spec"], f.default, getattr(self, f.name))
            if err:
                raise ValueError(f"{f.name}: {err}")

    @classmethod
    def specs(cls) -> dict[str, tuple[Spec, Any]]:
        """Field name -> (spec, default)."""
        return {f.name: (f.metadata["spec"], f.default) for f in fields(cls)}  # type: ignore[arg-type]

    def changed(self: S, **kw: Any) -> S:
        """A copy with some fields replaced (validated)."""
        return replace(self, **kw)  # type: ignore[type-var]


def check(spec: Spec, default: Any, v: Any) -> str | None:
    """None when v is a valid value for the spec, else the reason."""
    if isinstance(default, bool):
        return None if isinstance(v, bool) else "must be true or false"
    if isinstance(default, tuple):
        if not isinstance(v, tuple) or any(c not in (spec.choices or ()) for c in v):
            return f"must be a subset of {', '.join(spec.choices or ())}"
        if spec.lo is not None and len(v) < spec.lo:
            return f"pick at least {spec.lo:g}"
        return None
    if isinstance(default, str):
        return None if v in (spec.choices or ()) else f"must be one of {', '.join(spec.choices or ())}"
    if isinstance(default, int) and (not isinstance(v, int) or isinstance(v, bool)):
        return "must be a whole number"
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        return "must be a finite number"
    if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
        return f"must be between {spec.lo:g} and {spec.hi:g}"
    return None


def parse(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    """Turn a raw (string) value into a valid one: (value, notice or None).

    Unparseable values fall back to the default; numbers out of range are clamped.
    """
    try:
        if isinstance(default, bool):
            s = str(raw).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True, None
            if s in ("0", "false", "no", "off"):
                return False, None
            raise ValueError
        if isinstance(default, tuple):
            v = tuple(p for p in str(raw).split(",") if p) if isinstance(raw, str) else tuple(raw)
            if check(spec, default, v):
                raise ValueError
            return v, None
        if isinstance(default, str):
            if raw not in (spec.choices or ()):
                raise ValueError
            return str(raw), None
        x = float(raw)
        if not math.isfinite(x):
            raise ValueError
        whole = True
        if isinstance(default, int):
            whole, x = round(x) == x, round(x)
        lo = spec.lo if spec.lo is not None else -math.inf
        hi = spec.hi if spec.hi is not None else math.inf
        v = min(max(x, lo), hi)
        v = int(v) if isinstance(default, int) else float(v)
        if v != x:
            return v, f"{spec.label}: {raw!s:.40} is out of range, using {v:g}"
        if not whole:
            return v, f"{spec.label}: {raw!s:.40} is not a whole number, using {v:g}"
        return v, None
    except (TypeError, ValueError, OverflowError):
        return default, f"{spec.label}: {raw!s:.40} is not valid, using the default {fmt(default)}"


def fmt(v: Any) -> str:
    """Serialize one value for the URL."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, tuple):
        return ",".join(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def coerce(cls: type[S], raw: dict[str, Any], prefix: str = "") -> tuple[S, list[str]]:
    """Build settings from raw values keyed `prefix + field`; bad ones become notices."""
    vals: dict[str, Any] = {}
    notes: list[str] = []
    for name, (spec, default) in cls.specs().items():  # type: ignore[attr-defined]
        key = prefix + name
        if key in raw:
            v, note = parse(spec, default, raw[key])
            vals[name] = v
            if note:
                notes.append(note)
    return cls(**vals), notes


def to_raw(s: Settings, prefix: str = "", only_changed: bool = True) -> dict[str, str]:
    """Settings -> string dict keyed `prefix + field` (by default only non-defaults)."""
    out = {}
    for name, (_, default) in type(s).specs().items():
        v = getattr(s, name)
        if not only_changed or v != default:
            out[prefix + name] = fmt(v)
    return out


# --- the declarations -------------------------------------------------------------------

TRUTHS = ("sine", "linear", "cubic", "step", "abs")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")
OPTIMIZERS = ("adam", "sgd", "momentum")


@dataclass(frozen=True)
class DataSettings(Settings):
    """A 1-D regression data set: truth, points, noise, seed."""

    truth: str = param("sine", "Ground truth", "The function the points are sampled from.", choices=TRUTHS)
    n: int = param(
        20,
        "Training points",
        "How many noisy points the model learns from. Fewer points overfit more easily.",
        lo=2,
        hi=500,
    )
    noise: float = param(
        0.3, "Noise (σ)", "Standard deviation of the Gaussian noise added to every point.", lo=0.0, hi=2.0, step=0.05
    )
    n_val: int = param(
        200, "Validation points", "Fresh points from the same distribution, never used for training.", lo=10, hi=2000
    )
    x_mode: str = param("uniform", "x positions", "Uniform random x, or evenly spaced x.", choices=("uniform", "grid"))
    seed: int = param(0, "Seed", "Same seed and settings give the same data everywhere.", lo=0, hi=2**31 - 1)


@dataclass(frozen=True)
class ModelSettings(Settings):
    """Which model: a polynomial or an MLP, and its capacity."""

    family: str = param(
        "poly", "Model", "A polynomial (closed-form fit) or a neural network (trained).", choices=("poly", "mlp")
    )
    degree: int = param(
        3, "Polynomial degree", "Degree d: d + 1 parameters. High degrees can pass through every point.", lo=0, hi=30
    )
    ridge: float = param(
        0.0,
        "Ridge (L2) strength",
        "Penalty λ·‖c‖² on the polynomial coefficients; shrinks wiggles.",
        lo=0.0,
        hi=10.0,
        log=True,
    )
    layers: int = param(1, "Hidden layers", "Number of hidden layers of the network.", lo=1, hi=4)
    width: int = param(64, "Width", "Neurons per hidden layer: more neurons, more capacity.", lo=1, hi=256)
    activation: str = param("tanh", "Activation", "Non-linearity after each hidden layer.", choices=ACTIVATIONS)
    dropout: float = param(
        0.0,
        "Dropout",
        "Probability of zeroing each hidden neuron during training: a regularizer.",
        lo=0.0,
        hi=0.9,
        step=0.05,
    )


@dataclass(frozen=True)
class TrainSettings(Settings):
    """How an MLP is trained."""

    optimizer: str = param(
        "adam", "Optimizer", "Adam adapts step sizes; SGD takes plain gradient steps.", choices=OPTIMIZERS
    )
    lr: float = param(
        0.01, "Learning rate", "Step size. Too large diverges, too small crawls.", lo=1e-5, hi=10.0, log=True
    )
    epochs: int = param(1000, "Epochs", "Passes over the training set.", lo=1, hi=5000)
    batch_size: int = param(0, "Batch size", "Points per gradient step; 0 means the full batch.", lo=0, hi=500)
    weight_decay: float = param(
        0.0, "Weight decay (L2)", "Adds λ·‖w‖² to the loss: pulls weights towards zero.", lo=0.0, hi=1.0, log=True
    )
    early_stopping: bool = param(
        False,
        "Early stopping",
        "Stop when validation loss has not improved for `patience` epochs; keep the best weights.",
    )
    patience: int = param(100, "Patience", "Epochs without validation improvement before stopping.", lo=1, hi=2000)
    device: str = param(
        "auto",
        "Device",
        "Where the network trains: auto picks CUDA, then MPS, then the CPU.",
        choices=("auto", "cpu", "cuda", "mps"),
    )
    init_seed: int = param(
        0, "Init seed", "Seed of the initial weights, dropout masks and batch order.", lo=0, hi=2**31 - 1
    )
