"""Settings declared once: default, bounds, label, help and URL key of every knob.

Widgets, the URL query string and validation all read these declarations, so a new
setting is one line here plus its use.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
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
    log: bool = False  # shown on a log grid, 1-2-5 per decade unless `steps` says otherwise (0 allowed when lo == 0)
    step: float | None = None
    widget: str = ""  # a non-default widget kind: "segmented" (a few choices side by side), "counts" (count_grid)
    steps: tuple[int, ...] | None = None  # a log grid's mantissas per decade, e.g. (1, 3): TensorFlow Playground's

    def __post_init__(self) -> None:
        if self.steps is not None and self.lo is not None:
            # Every caller builds the grid as log_grid(spec.lo, spec.hi): the lower bound carries the mantissas.
            object.__setattr__(self, "lo", Bound(self.lo, self.steps))


class Bound(float):
    """A lower bound that also names the mantissas of its log grid (a float everywhere else)."""

    steps: tuple[int, ...]

    def __new__(cls, v: float, steps: tuple[int, ...]) -> Bound:
        b = super().__new__(cls, v)
        b.steps = steps
        return b

    def __reduce__(self) -> tuple:
        return Bound, (float(self), self.steps)


def param(default: Any, label: str, help: str, **kw: Any) -> Any:
    """Declare a settings field with its spec."""
    return field(default=default, metadata={"spec": Spec(label=label, help=help, **kw)})


def spec_of(cls: type, name: str) -> Spec:
    """The spec of field `name` of settings class `cls`."""
    return next(f.metadata["spec"] for f in fields(cls) if f.name == name)


def log_grid(lo: float, hi: float, steps: tuple[int, ...] | None = None) -> list[float]:
    """1-2-5 grid from lo to hi (with 0 first when lo is 0); other mantissas from `steps` or a Bound lo."""
    if not steps:  # not `steps = steps or ...`: mypy would keep None in the type
        steps = getattr(lo, "steps", (1, 2, 5))
    start = 1e-8 if lo == 0 else lo
    out: list[float] = [0.0] if lo == 0 else []
    e = math.floor(math.log10(start))
    while 10**e <= hi * 1.0001:
        for m in steps:
            v = float(f"{m}e{e}")
            if start * 0.9999 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    return out


COUNT_STEPS = ((30, 1), (50, 5), (100, 10), (200, 25), (500, 50), (1000, 100), (math.inf, 500))  # (up to, step)


def count_grid(lo: int, hi: int) -> list[int]:
    """Counts from lo to hi for a slider where small counts are easy to pick: every count up to 30, then coarser."""
    out, v = [], lo
    while v <= hi:
        out.append(v)
        step = next(s for top, s in COUNT_STEPS if v < top)
        v = (v // step + 1) * step  # the next multiple of the step, so the grid stays on round numbers
    return out if out[-1] == hi else [*out, hi]


def count_options(v: int, lo: int, hi: int) -> list[int]:
    """The count grid plus v itself where a link asked for a count between two steps (a link keeps its value)."""
    grid = count_grid(lo, hi)
    return grid if v in grid or not lo <= v <= hi else sorted([*grid, v])


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


def parse_widths(raw: Any) -> tuple[int, ...]:
    """ "4, 2" or "4 2" or (4, 2) -> (4, 2): a width per hidden layer ("" or "0": none); ValueError if not whole."""
    if not isinstance(raw, str):
        return tuple(int(w) for w in raw)
    ws = []
    for p in raw.replace(",", " ").split():
        x = float(p)  # ValueError for words; inf and NaN fail int() below
        if x != int(x):
            raise ValueError(f"{p} is not a whole number")
        ws.append(int(x))
    return () if ws == [0] else tuple(ws)


def fmt_widths(ws: Sequence[int]) -> str:
    """(4, 2) -> "4,2": the canonical text of per-layer widths (URL and entry)."""
    return ",".join(str(w) for w in ws)


def _check_widths(spec: Spec, v: Any) -> str | None:
    try:
        ws = parse_widths(v)
    except (TypeError, ValueError, OverflowError):
        return "must be whole numbers separated by commas, e.g. 4,2"
    if len(ws) > MAX_LAYERS:
        return f"at most {MAX_LAYERS} hidden layers"
    if any(not (spec.lo or 1) <= w <= (spec.hi or math.inf) for w in ws):
        return f"every width must be between {spec.lo:g} and {spec.hi:g}"
    return None


def _kind(spec: Spec, default: Any) -> str:
    """The kind of value a setting holds, from its widget and default: how it is checked and parsed."""
    if spec.widget == "widths":
        return "widths"
    if isinstance(default, bool):  # before int: a bool is an int
        return "bool"
    if isinstance(default, tuple):
        return "subset"
    if isinstance(default, str):
        return "choice"
    return "int" if isinstance(default, int) else "number"


def _check_number(spec: Spec, v: Any) -> str | None:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        return "must be a finite number"
    if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
        return f"must be between {spec.lo:g} and {spec.hi:g}"
    return None


def _check_subset(spec: Spec, v: Any) -> str | None:
    if not isinstance(v, tuple) or any(c not in (spec.choices or ()) for c in v):
        return f"must be a subset of {', '.join(spec.choices or ())}"
    if spec.lo is not None and len(v) < spec.lo:
        return f"pick at least {spec.lo:g}"
    return None


_CHECK: dict[str, Callable[[Spec, Any], str | None]] = {  # kind -> the reason a value is invalid, or None
    "widths": lambda spec, v: _check_widths(spec, v) if isinstance(v, str) else "must be widths like 4,2",
    "bool": lambda spec, v: None if isinstance(v, bool) else "must be true or false",
    "subset": _check_subset,
    "choice": lambda spec, v: None if v in (spec.choices or ()) else f"must be one of {', '.join(spec.choices or ())}",
    "int": lambda spec, v: (
        "must be a whole number" if not isinstance(v, int) or isinstance(v, bool) else _check_number(spec, v)
    ),
    "number": _check_number,
}


def check(spec: Spec, default: Any, v: Any) -> str | None:
    """None when v is a valid value for the spec, else the reason."""
    return _CHECK[_kind(spec, default)](spec, v)


NOTES = {  # what parse did to a raw value -> its notice (English; the page says the same in its language)
    "clamped": "{label}: {raw} is out of range, clamped to {v}",
    "rounded": "{label}: {raw} is not a whole number, rounded to {v}",
    "unknown": "{label}: {raw} is an unknown value, using the default {v}",
    "snapped": "{label}: {raw} is not on the slider, using {v}",
}


def _parse_bool(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    s = str(raw).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True, None
    if s in ("0", "false", "no", "off"):
        return False, None
    raise ValueError


def _parse_subset(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    picked = tuple(p for p in str(raw).split(",") if p) if isinstance(raw, str) else tuple(raw)
    if check(spec, default, picked):
        raise ValueError
    return picked, None


def _parse_widths(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    """Too many layers are cut, widths out of range clamped."""
    ws = parse_widths(str(raw))
    w_lo, w_hi = int(spec.lo or 1), int(spec.hi or 10**6)
    ok = tuple(min(max(w, w_lo), w_hi) for w in ws[:MAX_LAYERS])
    return fmt_widths(ok), (None if ok == ws else "clamped")


def _parse_choice(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    if raw not in (spec.choices or ()):
        raise ValueError
    return str(raw), None


def _parse_number(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    """Clamped into the bounds; an int setting's value rounded."""
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
        return v, "clamped"
    if not whole:
        return v, "rounded"
    return v, None


_PARSE: dict[str, Callable[[Spec, Any, Any], tuple[Any, str | None]]] = {  # kind -> raw value to (value, note)
    "widths": _parse_widths,
    "bool": _parse_bool,
    "subset": _parse_subset,
    "choice": _parse_choice,
    "int": _parse_number,
    "number": _parse_number,
}


def parse_kind(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    """Turn a raw (string) value into a valid one: (value, what was done: None or a key of NOTES).

    Unparseable values fall back to the default ("unknown"); numbers out of range are clamped.
    """
    try:
        return _PARSE[_kind(spec, default)](spec, default, raw)
    except (TypeError, ValueError, OverflowError):
        return default, "unknown"


def parse(spec: Spec, default: Any, raw: Any) -> tuple[Any, str | None]:
    """Turn a raw (string) value into a valid one: (value, notice or None)."""
    v, kind = parse_kind(spec, default, raw)
    if kind is None:
        return v, None
    return v, NOTES[kind].format(label=spec.label, raw=f"{raw!s:.40}", v=fmt_number(v))


def fmt_number(v: Any) -> str:
    """A value as a notice shows it (numbers without trailing zeros)."""
    return f"{v:g}" if isinstance(v, float) else fmt(v)


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
    for name, (spec, default) in cls.specs().items():
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
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "linear")  # linear: the identity (hidden layers stay linear)
MAX_LAYERS = 6  # hidden layers of a network at most (TensorFlow Playground's limit too)
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
        widget="counts",
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
    layers: int = param(1, "Hidden layers", "Number of hidden layers of the network.", lo=1, hi=MAX_LAYERS)
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
    lr: float = param(  # 1-3 steps: TensorFlow Playground's rates (0.003, 0.03, 0.3, 3) are on the slider
        0.01,
        "Learning rate",
        "Step size. Too large diverges, too small crawls.",
        lo=1e-5,
        hi=10.0,
        log=True,
        steps=(1, 3),
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
    l1: float = param(
        0.0,
        "L1 strength",
        "Adds λ·Σ|w| over the weights (not the biases) to the loss: pulls every weight towards zero by the same step. "
        "Networks only: a polynomial's closed-form fit has no closed form with L1.",
        lo=0.0,
        hi=1.0,
        log=True,
    )


# --- the work bound ---------------------------------------------------------------------------
#
# A run's result is a pure function of its settings, so no run may stop on the clock: instead the work of a run is
# bounded here, before it starts, and settings beyond the bound are refused with what to reduce. The cost model
# counts, per epoch, the fixed cost of each gradient step (per layer) and the multiply-adds of the forward and
# backward passes, with every hidden activation weighted as the element-wise work it costs (GELU is the dearest).
# Measured on one core (torch on one thread, benchmarks/bench_workbound.py): one work unit costs at most about
# 1e-10 s on every path (0.4-0.8e-10 on the torch loops; the slowest, ~1e-10, is the numpy engine's one wide hidden
# layer with ReLU or GELU on 2500 points, where the element-wise work dominates: hence the activations' weight).

STEP_WORK = 5e6  # one gradient step's fixed cost (optimizer, autograd, Python): ~0.5 ms
LAYER_WORK = 1.5e6  # and per layer of that step: ~0.15 ms
# A mini-batch step of playground.minibatch (numpy, no autograd): ~40 µs and ~15 µs a layer, with room for load
# (bench_minibatch.py measures the most allowed runs against this estimate).
NUMPY_STEP_WORK = 4e5
NUMPY_LAYER_WORK = 1.5e5
NUMPY_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")  # what that engine computes (numpy has no erf: no GELU)
NUMPY_OPTIMIZERS = ("sgd", "momentum", "adam")
NUMPY_MAX_PARAMS = 20_000  # e.g. 2 x 128: beyond, an update's passes over the weights cost more than torch's
BLAS_ONE_THREAD = 4 * 65536  # OpenBLAS runs a product M·N·K up to this on one thread (GEMM_MULTITHREAD_THRESHOLD 4)
ACTIVATION_WORK = 60  # one hidden unit at one point, in multiply-adds (activation, derivative, masks, copies)
WORK_LIMIT = 5e10  # the most work one training run (or one width sweep) may do: ~5 s on one slow core
GUARD_SECONDS = 120.0  # last-resort wall clock against a stuck server: far above any allowed run (see WORK_LIMIT)


def clock() -> float:
    """Seconds on the guard's clock (one place, so a test can run the pipeline on a slowed-down clock)."""
    return time.perf_counter()


def hidden_widths(width: int, layers: int | Sequence[int]) -> tuple[int, ...]:
    """The hidden layers' widths: `layers` of `width`, or `layers` itself when it lists a width per layer."""
    return (width,) * layers if isinstance(layers, int) else tuple(int(w) for w in layers)


def mlp_shape(d_in: int, width: int, layers: int | Sequence[int]) -> tuple[int, int]:
    """(parameters, hidden units) of an MLP with `layers` hidden layers of `width` (or of the listed widths)."""
    hidden = hidden_widths(width, layers)
    sizes = [d_in, *hidden, 1]
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes)), sum(hidden)


def numpy_steps(m: ModelSettings, t: TrainSettings, n: int, d_in: int, layers: int | Sequence[int]) -> bool:
    """Whether a CPU run's steps may be playground.minibatch's numpy steps (train's loop decides by this).

    Only small networks (NUMPY_MAX_PARAMS), whose every product stays under OpenBLAS's threading threshold
    (M·N·K <= 4·65536): one BLAS thread, no contention with other sessions; above, torch's fused optimizers win.
    """
    bs = n if t.batch_size == 0 else min(t.batch_size, n)
    hidden = hidden_widths(m.width, layers)
    deep = len(hidden) > 0
    act = m.activation in NUMPY_ACTIVATIONS or not deep  # no hidden layer: no activation
    sizes = (d_in, *hidden, 1)
    blas = bs * max(a * b for a, b in itertools.pairwise(sizes)) <= BLAS_ONE_THREAD
    small = blas and mlp_shape(d_in, m.width, layers)[0] <= NUMPY_MAX_PARAMS
    return small and (m.dropout == 0 or not deep) and act and t.optimizer in NUMPY_OPTIMIZERS


def numpy_batches(m: ModelSettings, t: TrainSettings, n: int, d_in: int, layers: int | Sequence[int]) -> bool:
    """Whether a run's mini-batches are numpy's steps on the CPU: the work bound counts them as such, and "auto"
    keeps them there (a GPU's kernel launches cost more than a small step)."""
    return 0 < t.batch_size < n and numpy_steps(m, t, n, d_in, layers)


def epoch_work(
    n: int,
    n_val: int,
    d_in: int,
    width: int,
    layers: int | Sequence[int],
    batch_size: int,
    dropout: float,
    numpy_steps: bool = False,
) -> float:
    """Work units of one training epoch of one network on n training and n_val validation points.

    `layers` is a count of hidden layers of `width`, or the widths of each hidden layer; `numpy_steps`: the
    mini-batches take the numpy engine's steps and measure (numpy_batches).
    """
    full = batch_size == 0 or batch_size >= n
    steps = 1 if full else math.ceil(n / batch_size)
    measure = 0 if full and dropout == 0 else 0.5  # a separate forward of every point
    k = len(hidden_widths(width, layers))
    step = NUMPY_STEP_WORK + NUMPY_LAYER_WORK * (k + 1) if numpy_steps else STEP_WORK + LAYER_WORK * (k + 1)
    p, a = mlp_shape(d_in, width, layers)
    return (steps + measure) * step + (4 * n + n_val) * (p + ACTIVATION_WORK * a)


@dataclass(frozen=True)
class Refusal:
    """Why a run is refused before it starts: an English template (the pages translate it) and its values."""

    template: str
    values: dict[str, str]

    def text(self) -> str:
        """The message in English."""
        return self.template.format(**self.values)


class TooMuchWork(ValueError):
    """Settings beyond the work bound: raised before any training."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.text())
        self.refusal = refusal


def _times(work: float) -> str:
    x = work / WORK_LIMIT
    return f"{x:.0f}" if x >= 10 else f"{math.ceil(x * 10) / 10:.1f}"


def fit_refusal(
    n: int,
    n_val: int,
    d_in: int,
    m: ModelSettings,
    t: TrainSettings,
    hidden_layers: int | Sequence[int] | None = None,
    device: str | None = None,
) -> Refusal | None:
    """None when training this network fits the work bound, else what to reduce.

    `hidden_layers` overrides m.layers, as in train.fit: a count, or the widths of each hidden layer; `device`
    (else t.device) is the one asked for.
    """
    layers = m.layers if hidden_layers is None else hidden_layers
    deep = len(hidden_widths(m.width, layers)) > 0
    quick = (device or t.device) in ("auto", "cpu") and numpy_batches(m, t, n, d_in, layers)  # "auto": CPU (train)
    per = epoch_work(n, n_val, d_in, m.width if deep else 0, layers, t.batch_size, m.dropout if deep else 0.0, quick)
    if t.epochs * per <= WORK_LIMIT:
        return None
    most = int(WORK_LIMIT // per)
    if most < 1:
        message = (
            "Too much training for one run: even one epoch of this network on these points is over the limit that "
            "keeps every link giving the same numbers. Use a smaller network (width, hidden layers), fewer points "
            "or a larger batch size."
        )
        return Refusal(message, {})
    message = (
        "Too much training for one run: {epochs} epochs of this network on these points is {times}× the limit "
        "that keeps every link giving the same numbers. Lower Epochs to {most} or fewer, or use a smaller network, "
        "fewer points or a larger batch size."
    )
    return Refusal(message, {"epochs": str(t.epochs), "times": _times(t.epochs * per), "most": str(most)})


def sweep_work(n: int, n_val: int, datasets: int, epochs: int, widths: Sequence[int]) -> float:
    """Work units of a width sweep: `datasets` one-hidden-layer networks of every width, trained together."""
    per = sum(epoch_work(n, n_val, 1, w, 1, 0, 0.0) - STEP_WORK - 2 * LAYER_WORK for w in widths)  # one shared step
    return epochs * (STEP_WORK + 2 * LAYER_WORK + datasets * per)


def sweep_refusal(n: int, n_val: int, datasets: int, epochs: int, widths: Sequence[int]) -> Refusal | None:
    """None when the width sweep fits the work bound, else what to reduce (epochs, or datasets, or points)."""
    work = sweep_work(n, n_val, datasets, epochs, widths)
    if work <= WORK_LIMIT:
        return None
    most = int(WORK_LIMIT // sweep_work(n, n_val, datasets, 1, widths))
    fewer = int(WORK_LIMIT // sweep_work(n, n_val, 1, epochs, widths))  # datasets per width at these epochs
    message = (
        "Too much training for one sweep: {k} networks for {epochs} epochs each is {times}× the limit that keeps "
        "every link giving the same numbers. Lower Epochs per network to {most} or fewer, or Datasets per width "
        "to {fewer} or fewer, or use fewer points."
    )
    k = str(datasets * len(widths))
    values = {"k": k, "epochs": str(epochs), "times": _times(work), "most": str(most), "fewer": str(fewer)}
    return Refusal(message, values)
