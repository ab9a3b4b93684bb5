"""The high-level `fit`: one call fits a polynomial or trains an MLP and returns its history."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import torch
from torch import nn

from . import batched, minibatch, settings
from .batched import DIVERGED, due, train_many
from .data import Dataset
from .device import failure_note, pick_device, release
from .models import MLP, PolyModel, build_mlp, fit_poly, n_params
from .settings import ModelSettings, TooMuchWork, TrainSettings, fit_refusal, numpy_batches, numpy_steps

# Fused kernels: one update call instead of a Python loop over tensors (~25% of a tiny step).
OPTIMIZERS: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "adam": lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd, fused=True),
    "sgd": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd, fused=True),
    "momentum": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd, fused=True),
}

LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "regression": nn.functional.mse_loss,
    "classification": nn.functional.binary_cross_entropy_with_logits,
}


# nn.Dropout draws its masks from torch's process-wide generator, which every session's thread shares.
_GLOBAL_RNG = threading.Lock()


@contextlib.contextmanager
def _seeded_global_rng(seed: int, dev: torch.device) -> Iterator[None]:
    """Seed torch's global generator for one run (one run at a time) and restore it afterwards."""
    with _GLOBAL_RNG, torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        yield


def make_optimizer(
    name: str, params: Iterable[torch.Tensor], lr: float, weight_decay: float = 0.0, l1: float = 0.0
) -> torch.optim.Optimizer:
    """An optimizer from the registry by name; `l1` adds l1 * sign(w) to the weights' gradients before each step.

    That is the gradient of l1 * sum |w| over the weight matrices (biases, 1-D, are not penalized, as in
    TensorFlow Playground), added like the coupled L2 weight decay: Adam rescales it with the loss's gradient.
    """
    params = list(params)
    opt = OPTIMIZERS[name](params, lr, weight_decay)
    if l1 > 0:
        weights = [p for p in params if p.ndim > 1]

        def add_l1(o: torch.optim.Optimizer, args: object, kwargs: object) -> None:
            with torch.no_grad():
                for w in weights:
                    if w.grad is not None:
                        w.grad.add_(w.sign(), alpha=l1)

        opt.register_step_pre_hook(add_l1)
    return opt


def train_step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = nn.functional.mse_loss,
) -> float:
    """One gradient step on (x, y); returns the loss before the step."""
    model.train()
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


@dataclass
class Progress:
    """What a progress callback sees while an MLP trains: the epoch, the model's predict function now, and the
    histories so far, gathered on first read (a recorder's snapshot reads none of them)."""

    epoch: int
    epochs: int
    predict: Callable[[torch.Tensor | np.ndarray], np.ndarray]
    history: Callable[[], Sequence[list[float]]] = field(repr=False)  # train loss, val loss[, train acc, val acc]
    # Where the engine has a cheap copy of its weights: a copy now, and copies -> a predict function whose outputs
    # lead with the copies' axis (F, ...). A recorder keeps copies and predicts them all at once at the end.
    copy: Callable[[], Any] | None = field(default=None, repr=False)
    predict_copies: Callable[[list[Any]], Callable[[torch.Tensor | np.ndarray], np.ndarray]] | None = field(
        default=None, repr=False
    )
    model: nn.Module | None = field(default=None, repr=False)  # the network itself, live, where the loop has one

    @cached_property
    def _h(self) -> Sequence[list[float]]:
        return self.history()

    @property
    def train_loss(self) -> list[float]:
        """Training loss per epoch so far (epoch 0 = initial weights)."""
        return self._h[0]

    @property
    def val_loss(self) -> list[float]:
        """Validation loss per epoch so far."""
        return self._h[1]

    @property
    def train_acc(self) -> list[float]:
        """Training accuracy per epoch so far (classification only, else empty)."""
        return self._h[2] if len(self._h) > 2 else []

    @property
    def val_acc(self) -> list[float]:
        """Validation accuracy per epoch so far (classification only, else empty)."""
        return self._h[3] if len(self._h) > 3 else []


@dataclass
class FitResult:
    """A fitted model with its per-epoch history and final metrics."""

    family: str
    model: nn.Module | PolyModel
    n_params: int
    train_loss: list[float] = field(default_factory=list)  # per epoch, epoch 0 = initial weights
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)  # classification only
    val_acc: list[float] = field(default_factory=list)
    # With dropout: per training epoch e = 1, 2, ... (index e - 1) the mean loss of its batches in train mode,
    # dropout on, weighted by batch size: what the optimizer saw and a PyTorch loop or Keras prints. Empty
    # without dropout (train mode is eval mode there, so train_loss is it).
    train_loss_on: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stop_reason: str = "finished"  # finished, early stop, diverged, time budget (the guard), stopped, closed form
    train_metric: float = math.nan  # final MSE (regression) or cross-entropy (classification)
    val_metric: float = math.nan
    train_accuracy: float = math.nan
    val_accuracy: float = math.nan
    device: str = "cpu"
    note: str | None = None
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None

    def predict(self, x: torch.Tensor | np.ndarray) -> np.ndarray:
        """Predictions (regression) or logits (classification) at x, as float64 numpy."""
        return _predict(self.model, x, self.transform)

    @property
    def best_val(self) -> float | None:
        """The lowest validation loss of any epoch (None for a closed-form fit): what the verdict compares with."""
        finite = [v for v in self.val_loss if math.isfinite(v)]
        return min(finite) if finite else None


def _predict(
    model: nn.Module | PolyModel, x: torch.Tensor | np.ndarray, transform: Callable | None = None
) -> np.ndarray:
    if isinstance(model, PolyModel):
        return model(_f64(x)).numpy()
    dev = next(model.parameters()).device
    if isinstance(model, MLP):  # eval mode without switching modes mid-training: a module walk each way
        with torch.no_grad():
            return model.infer(_features(x, transform).to(dev)).squeeze(-1).double().cpu().numpy()
    was = model.training
    model.eval()
    with torch.no_grad():
        out = model(_features(x, transform).to(dev)).squeeze(-1).double().cpu().numpy()
    model.train(was)
    return out


def _numpy_predict(
    mb: minibatch.MiniBatch, transform: Callable | None
) -> Callable[[torch.Tensor | np.ndarray], np.ndarray]:
    """The network's predictions through the numpy engine's forward on the same weights."""
    return lambda x: mb.forward(_features(x, transform).numpy())[:, 0].astype(np.float64)


def _numpy_copies(mb: minibatch.MiniBatch, transform: Callable | None) -> Callable[[list[Any]], Callable]:
    """Copies of the numpy engine's weights -> their predictions (F, P), in one pass."""
    return lambda cs: lambda x: mb.forward_copies(np.stack(cs), _features(x, transform).numpy()).astype(np.float64)


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return ((logits > 0).to(y.dtype) == y).float().mean().item()


def fit(
    data: Dataset,
    model: ModelSettings,
    train: TrainSettings | None = None,
    *,
    device: str = "auto",
    callback: Callable[[Progress], bool | None] | None = None,
    every: int | Container[int] = 50,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    hidden_layers: int | tuple[int, ...] | None = None,
    max_seconds: float | None = None,
) -> FitResult:
    """Fit the model the settings describe to `data` and return its result.

    Polynomials are solved in closed form (regression only). MLPs train with the chosen
    optimizer; `callback(progress)` runs every `every` epochs (or at the epochs of a set) and may return False to stop;
    `transform` maps raw inputs to features; `hidden_layers` overrides `model.layers`
    (0 gives a single linear layer: linear or logistic regression; a tuple gives each hidden layer's width,
    overriding `model.width` too). A network beyond the work bound
    (settings.WORK_LIMIT) raises TooMuchWork before training; `max_seconds` is only a last-resort guard
    (settings.GUARD_SECONDS on the pages): a run it stops is incomplete ("time budget") and not reproducible.
    """
    if model.family == "poly":
        if data.task != "regression":
            raise ValueError("polynomials fit 1-D regression data only")
        p = fit_poly(data.x, data.y, model.degree, model.ridge, data.span)  # basis on the data's own x-range
        tr = (p(data.x) - data.y).pow(2).mean().item()
        va = (p(data.x_val) - data.y_val).pow(2).mean().item()
        return FitResult("poly", p, model.degree + 1, stop_reason="closed form", train_metric=tr, val_metric=va)
    train = train or TrainSettings()
    if isinstance(hidden_layers, tuple) and len(set(hidden_layers)) <= 1:  # equal widths: the uniform network's path
        model = model.changed(width=hidden_layers[0]) if hidden_layers else model
        hidden_layers = len(hidden_layers)
    d_in = _features(data.x[:1], transform).shape[1]
    refusal = fit_refusal(len(data.x), len(data.x_val), d_in, model, train, hidden_layers, device)
    if refusal is not None:
        raise TooMuchWork(refusal)
    layers = model.layers if hidden_layers is None else hidden_layers
    if device == "auto" and numpy_batches(model, train, len(data.x), d_in, layers):
        device = "cpu"  # small mini-batches: numpy's steps beat a GPU's kernel launches, and the bound counts them
    return _train_mlp(Run(data, model, train, callback, every, transform, hidden_layers, max_seconds), device)


@dataclass(frozen=True)
class Run:
    """One MLP run as fit was asked for it: data, settings, progress callback, features and time budget."""

    data: Dataset
    m: ModelSettings
    t: TrainSettings
    callback: Callable[[Progress], bool | None] | None = None
    every: int | Container[int] = 50
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None
    hidden_layers: int | tuple[int, ...] | None = None
    max_seconds: float | None = None


def _train_mlp(run: Run, device: str) -> FitResult:
    """Train on the chosen device; a GPU that fails (busy, out of memory) restarts the run on the CPU, with a note.

    A stop note (diverged, time budget) wins over a device note, as it does over "not available":
    one note, one translatable sentence; `res.device` says where the run trained.
    """
    dev, note = pick_device(device)
    try:
        res = _train_on(dev, run)
    except (RuntimeError, AssertionError) as e:
        note = failure_note(e, dev)
        if note is None:
            raise
        release(dev)
        res = _train_on(torch.device("cpu"), run)
    res.note = res.note or note
    return res


def _engine_serves(
    dev: torch.device, m: ModelSettings, t: TrainSettings, hidden: int | tuple[int, ...] | None, n: int
) -> bool:
    """Whether the batched engine trains this run (K = 1): on the CPU, where its numpy epoch is ~6x faster.

    The engine does L1 and the linear activation too; per-layer widths (a tuple) have one layer here at most
    (fit turns equal widths into a count), and one layer of one width is the engine's case.
    """
    layers = m.layers if hidden is None else hidden
    if isinstance(layers, tuple):  # a tuple reaching here has different widths: more than one layer
        return False
    full = t.batch_size == 0 or t.batch_size >= n  # one batch of every point, in order, as fit's own loop
    return dev.type == "cpu" and batched.NUMPY_STEP and m.dropout == 0 and full and layers == 1


def _train_on(dev: torch.device, run: Run) -> FitResult:
    """The run on `dev`: the batched engine where it serves, else the loop of `_Loop`."""

    def prep(x: torch.Tensor) -> torch.Tensor:
        x = run.transform(x) if run.transform else x
        return x.reshape(len(x), -1).float().to(dev)

    x, xv = prep(run.data.x), prep(run.data.x_val)  # (N, d), (M, d)
    if _engine_serves(dev, run.m, run.t, run.hidden_layers, len(x)):
        return _train_engine(x, xv, run)
    with _seeded_global_rng(run.t.init_seed, dev) if run.m.dropout > 0 else contextlib.nullcontext():
        loop = _Loop(dev, run, x, xv)
        for epoch in range(run.t.epochs + 1):
            reason = loop.check(epoch, *loop.measure(epoch))
            if reason is None:
                reason = loop.step()
            if reason is not None:
                loop.res.stop_reason = reason
                break
        loop.finish()
    return _with_note(loop.res)


class _Loop:
    """The torch loop's run: the network, its data on the device, optimizer, batch order and best weights.

    Small networks on the CPU take their steps and measurements in numpy (`minibatch.MiniBatch`, ~25x faster on
    mini-batches and ~3x on full batches: the same batches, updates and numbers, to float32 rounding).
    """

    def __init__(self, dev: torch.device, run: Run, x: torch.Tensor, xv: torch.Tensor) -> None:
        data, m, t = run.data, run.m, run.t
        self.run, self.dev, self.x, self.xv, self.n = run, dev, x, xv, len(x)
        self.y, self.yv = data.y.float().to(dev).unsqueeze(1), data.y_val.float().to(dev).unsqueeze(1)  # (N, 1)
        self.cls, self.loss_fn = data.task == "classification", LOSSES[data.task]
        self.net = net = build_mlp(m, x.shape[1], t.init_seed, run.hidden_layers).to(dev)
        self.res = res = FitResult("mlp", net, n_params(net), device=dev.type, transform=run.transform)
        self.params = list(net.parameters())
        self.best = [p.detach().clone() for p in self.params]
        self.opt = make_optimizer(t.optimizer, self.params, t.lr, t.weight_decay, t.l1)
        self.g = torch.Generator(device="cpu").manual_seed(t.init_seed + 1)
        self.bs = self.n if t.batch_size == 0 else min(t.batch_size, self.n)
        self.fast = self.bs == self.n and m.dropout == 0  # the training forward doubles as the training loss
        self.loss: torch.Tensor | None = None  # the fast path's training loss, with its graph, for the step
        layers = m.layers if run.hidden_layers is None else run.hidden_layers
        quick = minibatch.ENABLED and numpy_steps(m, t, self.n, x.shape[1], layers)
        quick = quick and minibatch.serves(net, data.task, dev)
        self.mb = (
            minibatch.MiniBatch(net, x, self.y, t.optimizer, t.lr, t.weight_decay, data.task, t.l1) if quick else None
        )
        mb, tf = self.mb, run.transform  # the progress callbacks' predict, copy and predict-copies, made once
        self.snap = (
            (res.predict, None, None) if mb is None else (_numpy_predict(mb, tf), mb.copy, _numpy_copies(mb, tf))
        )
        self.best_val, self.best_epoch = math.inf, 0
        res.best_epoch = 0
        self.t0 = settings.clock()

    def measure(self, epoch: int) -> tuple[float, float]:
        """Train and validation loss of the weights now, recorded in res with the accuracies (classification)."""
        res, loss_fn, y, yv = self.res, self.loss_fn, self.y, self.yv
        ta = va = math.nan
        if self.mb is not None:  # numpy measures too: the same numbers to float32 rounding, without torch's calls
            tl, vl, ta, va = self.mb.measure(self.xv, yv)
        else:
            if self.fast and epoch < self.run.t.epochs:  # no dropout here, so train mode is eval mode
                out = self.net(self.x)  # (N, 1)
                self.loss = loss_fn(out, y)
                tl = self.loss.item()
                with torch.no_grad():
                    outv = self.net(self.xv)  # (M, 1)
            else:
                self.net.eval()
                with torch.no_grad():
                    out, outv = self.net(self.x), self.net(self.xv)
                tl = loss_fn(out, y).item()
            vl = loss_fn(outv, yv).item()
            if self.cls:
                ta, va = _accuracy(out.detach(), y), _accuracy(outv, yv)
        res.train_loss.append(tl)
        res.val_loss.append(vl)
        if self.cls:
            res.train_acc.append(ta)
            res.val_acc.append(va)
        return tl, vl

    def check(self, epoch: int, tl: float, vl: float) -> str | None:
        """After measuring an epoch: the reason to stop here (the last epoch "finished"), else None. Keeps the
        best weights so far and runs a due progress callback."""
        t, res, run = self.run.t, self.res, self.run
        if not (math.isfinite(tl) and math.isfinite(vl)) or tl > DIVERGED:
            return "diverged"
        if vl < self.best_val:
            self.best_val, self.best_epoch = vl, epoch
            res.best_epoch = epoch
            for b, p in zip(self.best, self.params, strict=True):
                b.copy_(p.detach())
        if epoch == t.epochs:
            return "finished"
        if t.early_stopping and epoch - self.best_epoch >= t.patience:
            return "early stop"
        if (
            run.callback is not None
            and epoch > 0
            and due(epoch, run.every)
            and run.callback(self.progress(epoch)) is False
        ):
            return "stopped"
        return self.over_time()

    def progress(self, epoch: int) -> Progress:
        """What the progress callback sees at `epoch`; with numpy's steps, snapshots through numpy's forward on the
        same weights (~30 µs, where torch's module call costs ~300)."""
        res = self.res
        history = lambda: (res.train_loss, res.val_loss, res.train_acc, res.val_acc)  # noqa: E731
        predict, copy, at = self.snap
        return Progress(epoch, self.run.t.epochs, predict, history, copy, at, self.net)

    def over_time(self) -> str | None:
        """ "time budget" once the run has used its seconds, else None."""
        s = self.run.max_seconds
        return "time budget" if s is not None and settings.clock() - self.t0 > s else None

    def step(self) -> str | None:
        """One epoch of steps; "time budget" if its seconds ran out inside the epoch (many small batches)."""
        n, bs, net = self.n, self.bs, self.net
        if self.mb is not None:  # a full batch in order, as the fast path's; mini-batches in the loop's order
            self.mb.epoch(torch.arange(n) if self.fast else torch.randperm(n, generator=self.g), bs)
        elif self.fast:
            assert self.loss is not None  # measure() kept the training loss's graph
            self.opt.zero_grad()
            self.loss.backward()
            self.opt.step()
        else:
            net.train()
            seen = torch.zeros((), device=self.dev)  # the epoch's summed batch losses (x batch size), dropout on
            for idx in torch.randperm(n, generator=self.g).split(bs):
                idx = idx.to(self.dev)
                self.opt.zero_grad()
                lb = self.loss_fn(net(self.x[idx]), self.y[idx])
                lb.backward()
                self.opt.step()
                if self.run.m.dropout > 0:  # the step's own loss: no extra forward, so no extra dropout mask drawn
                    seen += lb.detach() * len(idx)
                if self.over_time():
                    return "time budget"  # one epoch of many small batches can take seconds
            if self.run.m.dropout > 0:
                self.res.train_loss_on.append(seen.item() / n)
        return None

    def finish(self) -> None:
        """Keep the best weights when stopping early or diverging (a finished run keeps its last); final metrics."""
        res, net = self.res, self.net
        if res.stop_reason in ("early stop", "diverged"):
            with torch.no_grad():
                for b, p in zip(self.best, self.params, strict=True):
                    p.copy_(b)
        net.eval()
        with torch.no_grad():
            out, outv = net(self.x), net(self.xv)
        res.train_metric, res.val_metric = self.loss_fn(out, self.y).item(), self.loss_fn(outv, self.yv).item()
        if self.cls:
            res.train_accuracy, res.val_accuracy = _accuracy(out, self.y), _accuracy(outv, self.yv)


def _train_engine(x: torch.Tensor, xv: torch.Tensor, run: Run) -> FitResult:
    """The same run through `train_many` with one model: same initial weights, rules and result."""
    data, m, t, callback, transform = run.data, run.m, run.t, run.callback, run.transform
    cls = data.task == "classification"

    def tick(live: batched.Live) -> bool | None:
        assert callback is not None  # tick is passed only with a callback
        pred = lambda z: live.predict(_features(z, transform))[0]  # noqa: E731
        net = live.net
        assert net is not None  # train_many hands its net to every callback
        at = lambda cs: lambda z: batched.predict_copies(net, torch.stack(cs), _features(z, transform))  # noqa: E731
        return callback(Progress(live.epoch, t.epochs, pred, lambda: live.history()[:, 0].tolist(), live.copy, at))

    r = train_many(
        x, data.y.float(), xv, data.y_val.float(), [m.width], m, t, task=data.task, seeds=[t.init_seed],
        device="cpu", hidden_layers=1, callback=tick if callback else None, every=run.every,
        max_seconds=run.max_seconds,
    )  # fmt: skip
    e = int(r.last_epoch[0]) + 1
    res = FitResult("mlp", r.module(0), int(r.n_params[0]), device="cpu", transform=transform)
    res.train_loss, res.val_loss = r.train_loss[0, :e].tolist(), r.val_loss[0, :e].tolist()
    res.best_epoch, res.stop_reason = int(r.best_epoch[0]), r.stop_reason[0]
    res.train_metric, res.val_metric = float(r.train_metric[0]), float(r.val_metric[0])
    if cls:
        # train_many fills the accuracies of a classification run
        assert r.train_acc is not None and r.val_acc is not None
        assert r.train_accuracy is not None and r.val_accuracy is not None
        res.train_acc, res.val_acc = r.train_acc[0, :e].tolist(), r.val_acc[0, :e].tolist()
        res.train_accuracy, res.val_accuracy = float(r.train_accuracy[0]), float(r.val_accuracy[0])
    return _with_note(res)


def _f64(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Inputs as a float64 tensor."""
    return torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=torch.float64)


def _features(x: torch.Tensor | np.ndarray, transform: Callable | None) -> torch.Tensor:
    """Raw inputs -> the network's (P, d) float32 features."""
    x = transform(_f64(x)) if transform else _f64(x)
    return x.reshape(len(x), -1).float()


def _with_note(res: FitResult) -> FitResult:
    """The result with the note its stop reason calls for."""
    if res.stop_reason == "diverged":
        res.note = "Training diverged (the loss blew up): lower the learning rate. The best weights before it are kept."
    elif res.stop_reason == "time budget":  # the last-resort guard fired: never a result of the settings alone
        res.note = (
            "The server was too busy: training hit its safety time limit and was cut short. This result is "
            "incomplete and not reproducible (the same link gives the full result when the server is less busy), "
            "so it is not kept."
        )
    return res
