"""Show the code: the current settings as a standalone PyTorch script, or as a few lines of this package's API.

Only validated settings reach the code: each value is re-checked here and written as a literal (repr, or a
double-quoted known name), so nothing a visitor types (a URL, a widget) can put anything else into the text.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from .classify import ClassSettings
from .data import class_sizes
from .settings import DataSettings, ModelSettings, Settings, TrainSettings, check, parse_widths

# Each truth's formula, character for character the one in data.TRUTHS (tests hold them equal bit for bit).
TRUTH_SOURCE: dict[str, str] = {
    "sine": "np.sin(1.5 * np.pi * x)",
    "linear": "0.8 * x + 0.2",
    "cubic": "2.0 * x**3 - 1.2 * x",
    "step": "np.where(x >= 0.0, 0.5, -0.5)",
    "abs": "2.0 * np.abs(x) - 1.0",
}

ACTIVATION_SOURCE: dict[str, str] = {
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "gelu": "nn.GELU()",
    "linear": "nn.Identity()",  # no non-linearity: the layer's output as it is
}

# Settings that mean something for one model family only (left out of the API snippet for the other).
POLY_ONLY = ("degree", "ridge")
MLP_ONLY = ("layers", "width", "activation", "dropout")

WIDTH = 120  # the project's line length: generated code passes its ruff check and format


# --- values: validated, then written as literals ----------------------------------------


def plain(s: Settings, cls: type[Settings]) -> dict[str, Any]:
    """The fields of `s` as plain builtins, re-validated: the only road from settings into generated code."""
    if type(s) is not cls:
        raise TypeError(f"expected {cls.__name__}, got {type(s).__name__}")
    out: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        spec, default, v = f.metadata["spec"], f.default, getattr(s, f.name)
        # Exact types, not isinstance: a subclass could bring its own __repr__ and with it its own text.
        if isinstance(default, bool):
            ok = type(v) is bool
        elif isinstance(default, int):
            ok = type(v) is int
        elif isinstance(default, float):
            ok = type(v) in (int, float)
            v = float(v) if ok else v
        elif isinstance(default, str):  # a choice, or per-layer widths (checked below: whole numbers and commas)
            ok = type(v) is str and (v in (spec.choices or ()) or spec.widget == "widths")
        else:
            ok = type(v) is tuple and all(type(c) is str for c in v)
        err = check(spec, default, v) if ok else None  # the bounds again: a frozen dataclass can still be forced
        if not ok or err:
            raise ValueError(f"{cls.__name__}.{f.name}: {err or 'not a plain value of the declared type'}")
        out[f.name] = v
    return out


def lit(v: Any) -> str:
    """A Python literal for a validated value: known names double-quoted (as ruff writes them), repr for the rest."""
    if type(v) is str and v and all(c.isascii() and (c.isalnum() or c in " _^*-.,") for c in v):
        return f'"{v}"'
    if type(v) is tuple:
        return f"({', '.join(lit(c) for c in v)}{',' if len(v) == 1 else ''})"
    return repr(v)


Call = tuple[str, list[Any]]  # a call to render: its name and arguments (text, or nested calls)


def _changed(values: dict[str, Any], cls: type[Settings], keep: tuple[str, ...] | None = None) -> Call:
    """`Cls(a=1, b=2)` with the fields that differ from their defaults (only those in `keep`, when given)."""
    defaults = {name: default for name, (_, default) in cls.specs().items()}
    args = [f"{k}={lit(v)}" for k, v in values.items() if v != defaults[k] and (keep is None or k in keep)]
    return cls.__name__, args


def _flat(c: Call | str) -> str:
    return c if isinstance(c, str) else f"{c[0]}({', '.join(_flat(a) for a in c[1])})"


def _render(c: Call | str, indent: int = 0, lead: str = "", tail: str = "") -> str:
    """A call on one line when it fits, else one argument per line with a trailing comma (as ruff format keeps it)."""
    pad = " " * indent
    if isinstance(c, str) or not c[1] or indent + len(lead + _flat(c) + tail) <= WIDTH:
        return pad + lead + _flat(c) + tail
    inner = "".join(_render(a, indent + 4, tail=",") + "\n" for a in c[1])
    return f"{pad}{lead}{c[0]}(\n{inner}{pad}){tail}"


# --- the package's API ------------------------------------------------------------------

PRINT_MSE = 'print(f"train_mse={result.train_metric!r}", f"val_mse={result.val_metric!r}", sep="\\n")\n'
PRINT_CE = 'print(f"train_ce={result.train_metric!r}", f"val_ce={result.val_metric!r}", sep="\\n")\n'


def api_snippet(ds: DataSettings, ms: ModelSettings, ts: TrainSettings) -> str:
    """The same fit in the package's high-level API: imports, then data, fit and print in three lines."""
    d, m, t = plain(ds, DataSettings), plain(ms, ModelSettings), plain(ts, TrainSettings)
    mlp = m["family"] == "mlp"
    args: list[Any] = ["data", _changed(m, ModelSettings, ("family", *(MLP_ONLY if mlp else POLY_ONLY)))]
    # Patience matters only with early stopping; fit() takes the device as its own argument.
    keep = tuple(k for k in t if k != "device" and (k != "patience" or t["early_stopping"]))
    train = _changed(t, TrainSettings, keep)
    if mlp and train[1]:
        args.append(train)
    if mlp and t["device"] != "auto":
        args.append(f"device={lit(t['device'])}")
    names = "DataSettings, ModelSettings" + (", TrainSettings" if train in args else "")
    return (
        "from playground.data import make_data\n"
        f"from playground.settings import {names}\n"
        "from playground.train import fit\n"
        "\n"
        f"{_render(('make_data', [_changed(d, DataSettings)]), lead='data = ')}\n"
        f"{_render(('fit', args), lead='result = ')}\n"
        f"{PRINT_MSE}"
    )


def api_snippet_classify(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings) -> str:
    """The same classifier in the package's high-level API: imports, then task, fit and print in three lines."""
    c, m, t = plain(cs, ClassSettings), plain(ms, ModelSettings), plain(ts, TrainSettings)
    # Activation and dropout act on hidden layers only; fit_classifier reads the device from TrainSettings.
    model = _changed(m, ModelSettings, ("activation", "dropout") if c["hidden"] else ())
    train = _changed(t, TrainSettings, tuple(k for k in t if k != "patience" or t["early_stopping"]))
    return (
        "from playground.classify import ClassSettings, fit_classifier\n"
        "from playground.settings import ModelSettings, TrainSettings\n"
        "\n"
        f"{_render(_changed(c, ClassSettings), lead='task = ')}\n"
        f"{_render(('fit_classifier', ['task', model, train]), lead='result = ')}\n"
        f"{PRINT_CE}"
    )


# --- the standalone script: shared pieces -----------------------------------------------


def _section(title: str) -> str:
    return f"# --- {title} {'-' * (80 - len(title) - 7)}"


def _imports(*, copy: bool, math: bool, nn: bool) -> str:
    std = "".join(f"import {name}\n" for name, used in (("copy", copy), ("math", math)) if used)
    third = "import numpy as np\nimport torch\n" + ("from torch import nn\n" if nn else "")
    return std + ("\n" if std else "") + third


def _layers(n_in: int, hidden: int, width: int | tuple[int, ...], activation: str, dropout: float, out: str) -> str:
    """`model = nn.Sequential(...)`: Linear, activation (and dropout) per hidden layer, then the output layer.

    `width` is every hidden layer's, or a tuple of each layer's width.
    """
    rows: list[str] = []
    size = n_in
    widths = (width,) * hidden if isinstance(width, int) else width
    for i, w in enumerate(widths):
        source = "the input" if i == 0 else f"hidden layer {i}"
        rows.append(f"nn.Linear({size!r}, {w!r}),  # {source} -> {w} hidden units")
        rows.append(f"{ACTIVATION_SOURCE[activation]},")
        if dropout > 0:
            rows.append(f"nn.Dropout({dropout!r}),  # zeroes each hidden unit with probability {dropout!r} in training")
        size = w
    rows.append(f"nn.Linear({size!r}, 1),  # {out}")
    return "model = nn.Sequential(\n" + "".join(f"    {r}\n" for r in rows) + ")\n"


INIT = """\
# Start from the app's initial weights: every weight and bias uniform in +-1/sqrt(fan_in) (PyTorch's usual range),
# drawn layer by layer, weight then bias, from a generator of their own.
init_gen = torch.Generator().manual_seed(INIT_SEED)
for layer in model:
    if isinstance(layer, nn.Linear):
        bound = 1.0 / math.sqrt(layer.in_features)
        nn.init.uniform_(layer.weight, -bound, bound, generator=init_gen)
        nn.init.uniform_(layer.bias, -bound, bound, generator=init_gen)
"""


def _network(
    t: dict[str, Any], n_in: int, hidden: int, width: int | tuple[int, ...], activation: str, dropout: float, out: str
) -> str:
    """The model section: thread count, seeds, the layers and their initial weights."""
    seed_global = (
        "\n# Dropout draws its masks from torch's global generator: seed it (after building the layers, whose\n"
        "# default initialization, replaced above, drew from it too).\n"
        "torch.manual_seed(INIT_SEED)\n"
        if dropout > 0 and hidden > 0
        else ""
    )
    return (
        f"{_section('model: a neural network')}\n"
        f"INIT_SEED = {t['init_seed']!r}  # seed of the initial weights, the dropout masks and the batch order\n"
        "\n"
        "# The app trains on one CPU thread; the same thread count gives the same rounding, so the same numbers.\n"
        "torch.set_num_threads(1)\n"
        f"{_layers(n_in, hidden, width, activation, dropout, out)}"
        "\n"
        f"{INIT}"
        f"{seed_global}"
    )


def _optimizer(t: dict[str, Any]) -> str:
    if t["optimizer"] not in ("adam", "sgd", "momentum"):  # the script must train what the page trains
        raise ValueError(f"unknown optimizer {t['optimizer']!r}")
    kw = ["lr=LR"]
    if t["optimizer"] == "momentum":
        kw.append("momentum=0.9")
    if t["weight_decay"] > 0:
        kw.append("weight_decay=WEIGHT_DECAY")
    kw.append("fused=True")
    cls = "torch.optim.Adam" if t["optimizer"] == "adam" else "torch.optim.SGD"
    return (
        "# fused=True does the whole update in one kernel, as the app does: the same maths, the same rounding.\n"
        f"optimizer = {cls}(model.parameters(), {', '.join(kw)})\n"
    )


STEP_MINIBATCH = """\
    for batch in torch.randperm(N_TRAIN, generator=batch_gen).split(BATCH_SIZE):  # a new order every epoch
        optimizer.zero_grad()  # gradients add up in PyTorch: clear the last step's
        loss = loss_fn(model(x_train[batch]), y_train[batch])  # forward pass and loss
        loss.backward()  # backward pass: the gradient of the loss for every weight
        optimizer.step()  # move the weights a step against the gradient
"""

STEP_FULL_BATCH = """\
    optimizer.zero_grad()  # gradients add up in PyTorch: clear the last step's
    loss = loss_fn(model(x_train), y_train)  # forward pass on all points, and the loss
    loss.backward()  # backward pass: the gradient of the loss for every weight
    optimizer.step()  # move the weights a step against the gradient
"""

EARLY_STOP = """\
    if epoch - best_epoch >= PATIENCE:  # early stopping: validation has not improved for PATIENCE epochs
        stop_reason = "early stop"
        break
"""

LOOP = """\
best_val, best_epoch = math.inf, 0
best_state = copy.deepcopy(model.state_dict())
stop_reason = "finished"
for epoch in range(EPOCHS + 1):
    # Measure first, on all points, so epoch 0 is the untrained network; eval() switches dropout off.
    model.eval()
    with torch.no_grad():
        train_loss = loss_fn(model(x_train), y_train).item()
        val_loss = loss_fn(model(x_valid), y_valid).item()
    if not (math.isfinite(train_loss) and math.isfinite(val_loss)) or train_loss > 1e8:
        stop_reason = "diverged"  # the loss blew up: a smaller learning rate would help
        break
    if val_loss < best_val:  # a new best: remember these weights
        best_val, best_epoch = val_loss, epoch
        best_state = copy.deepcopy(model.state_dict())
    if epoch == EPOCHS:
        break
{early}
    model.train()
{step}
# {restore}: go back to the weights with the lowest validation loss.
if stop_reason != "finished":
    model.load_state_dict(best_state)

"""

FINAL_MSE = """\
model.eval()
with torch.no_grad():
    train_mse = loss_fn(model(x_train), y_train).item()
    val_mse = loss_fn(model(x_valid), y_valid).item()
print(f"{stop_reason} at epoch {epoch}, best validation loss at epoch {best_epoch}")
print(f"train_mse={train_mse!r}")
print(f"val_mse={val_mse!r}")
"""

FINAL_CE = """\
model.eval()
with torch.no_grad():
    logits, logits_val = model(x_train), model(x_valid)
train_ce, val_ce = loss_fn(logits, y_train).item(), loss_fn(logits_val, y_valid).item()
# A positive logit means class 1 (a probability above one half).
train_acc = ((logits > 0).float() == y_train).float().mean().item()
val_acc = ((logits_val > 0).float() == y_valid).float().mean().item()
print(f"{stop_reason} at epoch {epoch}, best validation loss at epoch {best_epoch}")
print(f"train_ce={train_ce!r}")
print(f"val_ce={val_ce!r}")
print(f"train_acc={train_acc!r}")
print(f"val_acc={val_acc!r}")
"""


def _with_l1(step: str, l1: bool) -> str:
    """The step with the L1 term added to the loss it differentiates (the app adds its gradient, L1 * sign(w))."""
    if not l1:
        return step
    term = [
        "# L1: the gradient of L1 * sum |w| is L1 * sign(w): every weight is pulled towards zero by the same step",
        "loss = loss + L1 * sum(p.abs().sum() for p in model.parameters() if p.ndim > 1)",
    ]
    lines = step.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "loss.backward()" in line)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    return "".join([*lines[:at], *(f"{indent}{row}\n" for row in term), *lines[at:]])


def _run_constants(t: dict[str, Any], n: int, dropout: bool) -> tuple[int, bool, list[str]]:
    """The batch size, whether batches are shuffled, and the constants every training script starts with."""
    bs = n if t["batch_size"] == 0 else min(t["batch_size"], n)
    shuffled = not (bs == n and not dropout)  # the app's full-batch path without dropout does not shuffle
    consts = [f"EPOCHS = {t['epochs']!r}", f"LR = {t['lr']!r}  # learning rate"]
    if t["weight_decay"] > 0:
        consts.append(f"WEIGHT_DECAY = {t['weight_decay']!r}  # L2 penalty on the weights, applied by the optimizer")
    if t["l1"] > 0:
        consts.append(f"L1 = {t['l1']!r}  # L1 penalty: L1 * sum |w| over the weight matrices (not the biases)")
    return bs, shuffled, consts


def _training(t: dict[str, Any], n: int, dropout: bool, classify: bool) -> str:
    """Optimizer, the loop (validation each epoch, early stopping, divergence guard), and the final metrics."""
    bs, shuffled, consts = _run_constants(t, n, dropout)
    if shuffled:
        if t["batch_size"] == 0:
            why = "all points in one shuffled batch: the order decides which point gets which dropout mask"
        elif t["batch_size"] > n:
            why = f"points per gradient step (the app's {t['batch_size']} capped at the {n} training points)"
        else:
            why = "points per gradient step: a mini-batch"
        consts.append(f"BATCH_SIZE = {bs!r}  # {why}")
    if t["early_stopping"]:
        consts.append(f"PATIENCE = {t['patience']!r}  # epochs without a new best validation loss before stopping")
    if classify:
        loss = "nn.BCEWithLogitsLoss()  # cross-entropy of the logit against the 0/1 label"
    else:
        loss = "nn.MSELoss()  # mean squared error"
    gen = "batch_gen = torch.Generator().manual_seed(INIT_SEED + 1)  # shuffles the points each epoch\n"
    loop = LOOP.format(
        early=EARLY_STOP if t["early_stopping"] else "",
        step=_with_l1(STEP_MINIBATCH if shuffled else STEP_FULL_BATCH, t["l1"] > 0),
        restore="Stopped early or diverged" if t["early_stopping"] else "Diverged",
    )
    return (
        f"{_section('training')}\n"
        + "".join(f"{c}\n" for c in consts)
        + f"\nloss_fn = {loss}\n"
        + _optimizer(t)
        + (gen if shuffled else "")
        + "\n"
        + loop
        + (FINAL_CE if classify else FINAL_MSE)
    )


# --- the standalone script: regression --------------------------------------------------


def _header(d: dict[str, Any], m: dict[str, Any], t: dict[str, Any]) -> str:
    if m["family"] == "poly":
        ridge = f" with ridge {m['ridge']!r}" if m["ridge"] > 0 else ""
        model = f"a degree-{m['degree']} polynomial{ridge}, fitted in closed form by least squares"
    else:
        k = m["layers"]
        units = f"{k} hidden layer{'s' if k > 1 else ''} of {m['width']} {m['activation']} units"
        model = f"a neural network ({units}), trained for up to {t['epochs']} epochs"
    return (
        '"""Overfitting Playground, written out as a standalone script.\n'
        "\n"
        f"Data: {d['n']} noisy points of the {d['truth']} curve, and {d['n_val']} validation points.\n"
        f"Model: {model}.\n"
        "\n"
        "It needs only numpy and torch (pip install numpy torch) and prints the final training and\n"
        "validation mean squared error: the numbers the app shows for these settings (on a CPU).\n"
        '"""\n'
    )


def _data(d: dict[str, Any]) -> str:
    if d["x_mode"] == "grid":
        x_line = "x = np.linspace(-1.0, 1.0, N_TRAIN)  # evenly spaced training x (rng_x stays unused)"
    else:
        x_line = "x = rng_x.uniform(-1.0, 1.0, N_TRAIN)"
    return f'''{_section("data")}
SEED = {d["seed"]!r}  # same seed, same points: the app's data set
N_TRAIN = {d["n"]!r}  # training points
N_VAL = {d["n_val"]!r}  # validation points: fresh draws from the same curve, never trained on
NOISE = {d["noise"]!r}  # standard deviation of the Gaussian noise added to y


def truth(x):
    """The noiseless curve behind the points ({d["truth"]})."""
    return {TRUTH_SOURCE[d["truth"]]}


# One seed, four independent random streams: training x, training noise, validation x, validation noise.
# Separate streams mean that asking for more training points only adds points; the others stay put.
rng_x, rng_noise, rng_val_x, rng_val_noise = [np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(4)]
{x_line}
x_val = rng_val_x.uniform(-1.0, 1.0, N_VAL)  # validation x are always random: a fair test
y = truth(x) + NOISE * rng_noise.standard_normal(N_TRAIN)
y_val = truth(x_val) + NOISE * rng_val_noise.standard_normal(N_VAL)
'''


LEGENDRE = '''\
def legendre(x, degree):
    """Columns P_0(x) .. P_degree(x): Legendre polynomials, a well-conditioned basis on [-1, 1]."""
    cols = [torch.ones_like(x)]
    if degree >= 1:
        cols.append(x)
    for k in range(1, degree):  # Bonnet's recursion: (k+1) P_(k+1) = (2k+1) x P_k - k P_(k-1)
        cols.append(((2 * k + 1) * x * cols[k] - k * cols[k - 1]) / (k + 1))
    return torch.stack(cols, dim=-1)


# Polynomials are fitted in closed form, in float64: no training loop.
x_train, y_train = torch.from_numpy(x), torch.from_numpy(y)
x_valid, y_valid = torch.from_numpy(x_val), torch.from_numpy(y_val)
A = legendre(x_train, DEGREE)  # (N, DEGREE + 1): one column per basis polynomial
'''

SOLVE_RIDGE = """\
# Ridge as plain least squares: minimizing mean((A c - y)^2) + RIDGE * |c[1:]|^2 is the same as solving
# [A / sqrt(N); sqrt(RIDGE) * I without its first row] c = [y / sqrt(N); 0]. The constant term is not penalized.
n, d = A.shape
penalty = math.sqrt(RIDGE) * torch.eye(d, dtype=torch.float64)[1:]  # (DEGREE, DEGREE + 1)
A_aug = torch.cat([A / math.sqrt(n), penalty])
y_aug = torch.cat([y_train / math.sqrt(n), torch.zeros(d - 1, dtype=torch.float64)])
# gelsd solves by SVD, the most robust LAPACK least-squares driver.
coef = torch.linalg.lstsq(A_aug, y_aug.unsqueeze(-1), driver="gelsd").solution.squeeze(-1)
"""

SOLVE_PLAIN = """\
# Least squares by SVD (gelsd): with more coefficients than points there are many exact fits,
# and gelsd returns the one with the smallest coefficients (the minimum-norm solution).
coef = torch.linalg.lstsq(A, y_train.unsqueeze(-1), driver="gelsd").solution.squeeze(-1)
"""

POLY_FINAL = """\
train_mse = (legendre(x_train, DEGREE) @ coef - y_train).pow(2).mean().item()
val_mse = (legendre(x_valid, DEGREE) @ coef - y_valid).pow(2).mean().item()
print(f"train_mse={train_mse!r}")
print(f"val_mse={val_mse!r}")
"""


def _poly(m: dict[str, Any]) -> str:
    ridge = m["ridge"] > 0
    consts = f"DEGREE = {m['degree']!r}  # DEGREE + 1 coefficients\n"
    if ridge:
        consts += f"RIDGE = {m['ridge']!r}  # L2 penalty on the coefficients: shrinks the wiggles\n"
    solve = SOLVE_RIDGE if ridge else SOLVE_PLAIN
    return f"{_section('model: a polynomial')}\n{consts}\n\n{LEGENDRE}{solve}\n{POLY_FINAL}"


TENSORS_1D = f"""{_section("tensors")}
# Networks compute in float32, on inputs shaped as columns: (N, 1), one feature per row.
x_train = torch.tensor(x, dtype=torch.float32).unsqueeze(1)
y_train = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
x_valid = torch.tensor(x_val, dtype=torch.float32).unsqueeze(1)
y_valid = torch.tensor(y_val, dtype=torch.float32).unsqueeze(1)
"""


def torch_script(ds: DataSettings, ms: ModelSettings, ts: TrainSettings) -> str:
    """A standalone numpy + PyTorch script that reproduces fit(make_data(ds), ms, ts)'s final metrics."""
    d, m, t = plain(ds, DataSettings), plain(ms, ModelSettings), plain(ts, TrainSettings)
    if m["family"] == "poly":
        imports = _imports(copy=False, math=m["ridge"] > 0, nn=False)
        return "\n".join([_header(d, m, t), imports, _data(d), _poly(m)])
    out = "the last hidden layer -> the prediction"
    return "\n".join(
        [
            _header(d, m, t),
            _imports(copy=True, math=True, nn=True),
            _data(d),
            TENSORS_1D,
            _network(t, 1, m["layers"], m["width"], m["activation"], m["dropout"], out),
            _training(t, d["n"], m["dropout"] > 0, classify=False),
        ]
    )


# --- the standalone script: classification ----------------------------------------------

# The body of each 2-D sampler of data.CLASS_SETS, written out (tests hold them equal bit for bit).
SAMPLER_SOURCE: dict[str, str] = {
    "moons": """\
    y = rng.integers(0, 2, n)
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    x = (x - [0.5, 0.25]) * 1.6  # centre on the origin
    return x + noise * rng.standard_normal((n, 2)), y
""",
    "circles": """\
    y = rng.integers(0, 2, n)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.where(y == 1, 0.5, 1.5)  # label 1 inside
    return np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.standard_normal((n, 2)), y
""",
    "xor": """\
    x = rng.uniform(-1.5, 1.5, (n, 2))
    x = x + np.sign(x) * 0.1  # a small gap around the axes
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # label 1 in quadrants I and III
    return x + noise * rng.standard_normal((n, 2)), y
""",
    "spiral": """\
    y = rng.integers(0, 2, n)
    t = rng.uniform(0.25, 1.0, n) * 3 * np.pi
    r = t / (3 * np.pi) * 1.8
    a = t + np.pi * y
    return np.c_[r * np.cos(a), r * np.sin(a)] + noise * rng.standard_normal((n, 2)), y
""",
    "blobs": """\
    y = rng.integers(0, 2, n)
    c = np.where(y[:, None] == 1, [0.8, 0.8], [-0.8, -0.8])
    return c + (0.5 + noise) * rng.standard_normal((n, 2)), y
""",
    "linear": """\
    x = rng.uniform(-1.5, 1.5, (n, 2))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.1).astype(np.int64)  # a fixed line; noise blurs it
    return x + noise * rng.standard_normal((n, 2)), y
""",
    "course": """\
    # scikit-learn's make_classification, written from its definition: 2 features, 1 cluster per class
    # the clusters are drawn once (seed 0): every seed and every split samples one distribution
    geo = np.random.default_rng(0)
    v = geo.choice(4, 2, replace=False)  # two of the square's four vertices, one cluster each
    centre = ((v[:, None] >> np.arange(2)) & 1) * 3.0 - 1.5  # the cluster centres: vertices at ±1.5 (class_sep)
    a = 2 * geo.uniform(size=(2, 2, 2)) - 1  # each cluster's random linear map: covariance Aᵀ A
    y = rng.permutation(np.arange(n) % 2)
    x = np.einsum("ni,nij->nj", rng.standard_normal((n, 2)), a[y]) + centre[y]
    flip = rng.uniform(size=n) < 0.1  # flip_y = 0.1: these labels are redrawn at random
    y[flip] = rng.integers(0, 2, int(flip.sum()))
    return x + noise * rng.standard_normal((n, 2)), y
""",
}

SET_NAMES: dict[str, str] = {
    "moons": "two moons",
    "circles": "two circles",
    "xor": "XOR quadrants",
    "spiral": "two spirals",
    "blobs": "two blobs",
    "linear": "a line split",
    "course": "the course's make_classification example",
}

# Each input feature of classify.FEATURES, in its column order, from the raw points x of shape (N, 2).
FEATURE_SOURCE: dict[str, str] = {
    "x1": "x[:, 0]",
    "x2": "x[:, 1]",
    "x1^2": "x[:, 0] ** 2",
    "x2^2": "x[:, 1] ** 2",
    "x1*x2": "x[:, 0] * x[:, 1]",
    "sin x1": "torch.sin(x[:, 0])",
    "sin x2": "torch.sin(x[:, 1])",
}


def _class_sizes(c: dict[str, Any]) -> tuple[int, int, int]:
    """Training, validation and held-back test counts, split as data.make_classes splits them."""
    return class_sizes(c["cn"], c["cval"], c["ctest"])


def _class_header(c: dict[str, Any], m: dict[str, Any], t: dict[str, Any]) -> str:
    n_tr, n_val, n_test = _class_sizes(c)
    test = f"{n_test} more points are held back as a test set, scored once at the very end.\n" if n_test else ""
    k = c["hidden"]
    if k == 0:
        model = "a single linear layer on the features (logistic regression)"
    else:
        units = c["net"].replace(",", ", ") if c["net"] else str(c["cwidth"])
        model = f"a neural network ({k} hidden layer{'s' if k > 1 else ''} of {units} {m['activation']} units)"
    return (
        '"""Overfitting Playground, written out as a standalone script: two classes of 2-D points.\n'
        "\n"
        f"Data: {SET_NAMES[c['cset']]}, {n_tr} training and {n_val} validation points.\n"
        f"{test}"
        f"Model: {model}, trained for up to {t['epochs']} epochs.\n"
        "\n"
        "It needs only numpy and torch (pip install numpy torch) and prints the final cross-entropy and\n"
        "accuracy on the training and validation points: the numbers the app shows (on a CPU).\n"
        '"""\n'
    )


TEST_DATA = """\
# One seed, three independent random streams: training points, validation points, held-back test points.
rng, rng_val, rng_test = [np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(3)]
N_VAL = max(1, round(N_POINTS * VAL_SHARE))
N_TEST = max(1, round(N_POINTS * TEST_SHARE))
N_TRAIN = max(2, N_POINTS - N_VAL - N_TEST)
x, y = sample(N_TRAIN, NOISE, rng)
x_val, y_val = sample(N_VAL, NOISE, rng_val)
x_test, y_test = sample(N_TEST, NOISE, rng_test)
"""

PLAIN_DATA = """\
# One seed, two independent random streams: one for the training points, one for the validation points.
rng, rng_val = [np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(2)]
N_VAL = max(1, round(N_POINTS * VAL_SHARE))
N_TRAIN = max(2, N_POINTS - N_VAL)
x, y = sample(N_TRAIN, NOISE, rng)
x_val, y_val = sample(N_VAL, NOISE, rng_val)
"""

TEST_TENSORS = """\
x_test = features(torch.from_numpy(x_test)).float()
y_test = torch.from_numpy(y_test).float().unsqueeze(1)
"""

FINAL_TEST = """\
# The held-back test points, scored once, at the very end: nothing above looked at them.
with torch.no_grad():
    test_acc = ((model(x_test) > 0).float() == y_test).float().mean().item()
print(f"test_acc={test_acc!r}")
"""


def _class_data(c: dict[str, Any], names: list[str]) -> str:
    cols = "".join(f"        {FEATURE_SOURCE[f]},  # {f}\n" for f in names)
    held = c["ctest"] > 0
    test_share = (
        f"TEST_SHARE = {c['ctest']!r}  # share held back as a test set: not trained on, not used for any choice\n"
        if held
        else ""
    )
    return f'''{_section("data")}
SEED = {c["cseed"]!r}  # same seed, same points: the app's data set
N_POINTS = {c["cn"]!r}  # {"training, validation and test" if held else "training and validation"} points together
VAL_SHARE = {c["cval"]!r}  # share of the points held out for validation, never trained on
{test_share}NOISE = {c["cnoise"]!r}  # standard deviation of the jitter added to every point


def sample(n, noise, rng):
    """n points of {SET_NAMES[c["cset"]]}, shape (n, 2), and their 0/1 labels."""
{SAMPLER_SOURCE[c["cset"]]}

{TEST_DATA if held else PLAIN_DATA}
{_section("features and tensors")}


def features(x):
    """What the network sees: one column per feature, made from the raw points (x1, x2)."""
    columns = [
{cols}    ]
    return torch.stack(columns, dim=1)  # (N, F)


# Features are computed in float64 from the raw points, then the network works in float32.
x_train = features(torch.from_numpy(x)).float()
y_train = torch.from_numpy(y).float().unsqueeze(1)  # (N, 1) labels 0.0 and 1.0
x_valid = features(torch.from_numpy(x_val)).float()
y_valid = torch.from_numpy(y_val).float().unsqueeze(1)
{TEST_TENSORS if held else ""}'''


def torch_script_classify(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings) -> str:
    """A standalone numpy + PyTorch script that reproduces fit_classifier(cs, ms, ts)'s final metrics."""
    c, m, t = plain(cs, ClassSettings), plain(ms, ModelSettings), plain(ts, TrainSettings)
    names = [f for f in FEATURE_SOURCE if f in c["features"]]  # the app's column order
    if not names:
        raise ValueError("ClassSettings.features: pick at least one")
    # The network classify.net_settings describes: activation and dropout only act with hidden layers.
    k = c["hidden"]
    widths = parse_widths(c["net"]) if c["net"] else c["cwidth"]  # each layer's width, or every layer's
    dropout = m["dropout"] if k else 0.0
    out = "the last hidden layer -> one logit" if k else "the features -> one logit"
    return "\n".join(
        [
            _class_header(c, m, t),
            _imports(copy=True, math=True, nn=True),
            _class_data(c, names),
            _network(t, len(names), k, widths, m["activation"], dropout, f"{out}: P(class 1) = sigmoid(logit)"),
            _training(t, _class_sizes(c)[0], dropout > 0, classify=True) + (FINAL_TEST if c["ctest"] > 0 else ""),
        ]
    )


# --- the standalone script in PyTorch Lightning style (Classify's network) ---------------

LIGHTNING_LOADER_SHUFFLED = """\


class ShuffledBatches:
    \"\"\"Each epoch a new order of the training points from batch_gen, cut into batches (as the app does).\"\"\"

    def __len__(self):
        return math.ceil(N_TRAIN / BATCH_SIZE)

    def __iter__(self):
        return iter(torch.randperm(N_TRAIN, generator=batch_gen).split(BATCH_SIZE))


# The loader draws a seed for its workers every epoch: here from a generator of its own.
# torch's global generator is left to the dropout masks.
loader = DataLoader(TensorDataset(x_train, y_train), batch_sampler=ShuffledBatches(), generator=torch.Generator())
"""

LIGHTNING_LOADER_FULL = """\
# All points in one batch, in order, every epoch.
# The loader draws a seed for its workers every epoch: here from a generator of its own.
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=N_TRAIN, generator=torch.Generator())
"""

LIGHTNING_MODULE = '''\
class Classifier(L.LightningModule):
    """The network, its training step and its optimizer: Lightning runs the loop."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.best_val, self.best_epoch = math.inf, 0
        self.best_state = copy.deepcopy(model.state_dict())
        self.stop_reason = "finished"

    def check(self, epoch, last=False):
        """Measure on all points with dropout off, keep the best weights; True when training should stop."""
        self.epoch = epoch
        self.model.eval()
        with torch.no_grad():
            train_loss = loss_fn(self.model(x_train), y_train).item()
            val_loss = loss_fn(self.model(x_valid), y_valid).item()
        self.model.train()
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)) or train_loss > 1e8:
            self.stop_reason = "diverged"  # the loss blew up: a smaller learning rate would help
            return True
        if val_loss < self.best_val:  # a new best: remember these weights
            self.best_val, self.best_epoch = val_loss, epoch
            self.best_state = copy.deepcopy(self.model.state_dict())
{early}        return False

    def on_train_epoch_start(self):
        # Measure before each epoch's steps, so epoch 0 is the untrained network, as the app's loop does.
        if self.check(self.current_epoch):
            self.trainer.should_stop = True  # Lightning ends fit before this epoch's first step

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = loss_fn(self.model(x), y)  # Lightning does zero_grad, backward and the optimizer step
{l1}        return loss

    def configure_optimizers(self):
        {optimizer}


'''

LIGHTNING_EARLY = """\
        if not last and epoch - self.best_epoch >= PATIENCE:  # validation has not improved for PATIENCE epochs
            self.stop_reason = "early stop"
            return True
"""

LIGHTNING_L1 = """\
        # L1: the gradient of L1 * sum |w| is L1 * sign(w): every weight is pulled towards zero by the same step
        loss = loss + L1 * sum(p.abs().sum() for p in self.model.parameters() if p.ndim > 1)
"""

LIGHTNING_FIT = """\
classifier = Classifier(model)
trainer = L.Trainer(
    max_epochs=EPOCHS,
    accelerator="cpu",
    devices=1,
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
    deterministic=True,
)
trainer.fit(classifier, loader)
if classifier.stop_reason == "finished":
    classifier.check(EPOCHS, last=True)  # the weights after the last epoch: measured too (they may have diverged)
epoch, stop_reason, best_epoch = classifier.epoch, classifier.stop_reason, classifier.best_epoch
# {restore}: go back to the weights with the lowest validation loss.
if stop_reason != "finished":
    model.load_state_dict(classifier.best_state)

"""


def _lightning_training(t: dict[str, Any], n: int, dropout: bool) -> str:
    """Constants, the data loader, the LightningModule and the Trainer; the final metrics as the plain script."""
    bs, shuffled, consts = _run_constants(t, n, dropout)
    if shuffled:
        consts.append(f"BATCH_SIZE = {bs!r}  # points per gradient step")
    if t["early_stopping"]:
        consts.append(f"PATIENCE = {t['patience']!r}  # epochs without a new best validation loss before stopping")
    why, make = _optimizer(t).splitlines()  # the comment, then `optimizer = ...(model.parameters(), ...)`
    opt = (
        why + "\n        " + make.replace("optimizer = ", "return ").replace("model.parameters()", "self.parameters()")
    )
    module = LIGHTNING_MODULE.format(
        early=LIGHTNING_EARLY if t["early_stopping"] else "",
        l1=LIGHTNING_L1 if t["l1"] > 0 else "",
        optimizer=opt,
    )
    gen = "batch_gen = torch.Generator().manual_seed(INIT_SEED + 1)  # shuffles the points each epoch\n"
    fit = LIGHTNING_FIT.format(restore="Stopped early or diverged" if t["early_stopping"] else "Diverged")
    return (
        f"{_section('training, in PyTorch Lightning')}\n"
        + "".join(f"{c}\n" for c in consts)
        + "\nloss_fn = nn.BCEWithLogitsLoss()  # cross-entropy of the logit against the 0/1 label\n"
        + (gen if shuffled else "")
        + (LIGHTNING_LOADER_SHUFFLED if shuffled else LIGHTNING_LOADER_FULL)
        + "\n\n"
        + module
        + fit
        + FINAL_CE
    )


def lightning_script_classify(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings) -> str:
    """torch_script_classify with Lightning running the loop: a LightningModule and a Trainer, the same numbers."""
    c, m, t = plain(cs, ClassSettings), plain(ms, ModelSettings), plain(ts, TrainSettings)
    names = [f for f in FEATURE_SOURCE if f in c["features"]]
    if not names:
        raise ValueError("ClassSettings.features: pick at least one")
    k = c["hidden"]
    widths = parse_widths(c["net"]) if c["net"] else c["cwidth"]
    dropout = m["dropout"] if k else 0.0
    out = "the last hidden layer -> one logit" if k else "the features -> one logit"
    header = _class_header(c, m, t).replace(
        "It needs only numpy and torch (pip install numpy torch) and prints the final cross-entropy and\n"
        "accuracy on the training and validation points: the numbers the app shows (on a CPU).\n",
        "PyTorch Lightning runs the training loop: a LightningModule holds the network, its training step and\n"
        "its optimizer, and a Trainer calls them. It needs numpy, torch and lightning (pip install numpy torch\n"
        "lightning) and prints the numbers the app shows (on a CPU), as the plain PyTorch script does.\n",
    )
    imports = (
        "import copy\nimport math\n\nimport lightning as L\nimport numpy as np\nimport torch\nfrom torch import nn\n"
        "from torch.utils.data import DataLoader, TensorDataset\n"
    )
    return "\n".join(
        [
            header,
            imports,
            _class_data(c, names),
            _network(t, len(names), k, widths, m["activation"], dropout, f"{out}: P(class 1) = sigmoid(logit)"),
            _lightning_training(t, _class_sizes(c)[0], dropout > 0) + (FINAL_TEST if c["ctest"] > 0 else ""),
        ]
    )
