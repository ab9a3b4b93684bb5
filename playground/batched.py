"""Many MLPs trained at once: K models as batched tensors, a hand-written backward, one fused update per step.

Each model trains as `train.fit` would train it alone (same init, loss, optimizer, early stopping and divergence
rules), but a step for all K models costs about as many torch calls as a step for one: for small models the
per-call overhead, not arithmetic, is the limit (see performance.md).
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from . import settings
from .device import pick_device
from .models import MLP, mlp_params
from .npstep import BETAS, EPS, MOMENTUM, NumpyStep, supported, tanh_
from .settings import ModelSettings, TrainSettings

aten = torch.ops.aten
DIVERGED = 1e8  # a loss above this (or not finite) counts as diverged (fit's rule too)
EARLY, DIVERGING = 1, 2  # per-model status codes (0: running)
HOST_RULES = True  # on the CPU, run the stop rules through numpy (tests turn this off to check the device code)
NUMPY_STEP = True  # on the CPU, run full-batch one-hidden-layer epochs through npstep (tests compare both)


def _tanh(z: torch.Tensor) -> torch.Tensor:
    """tanh in place (backward needs only the output); on the CPU by npstep's kernel for the machine, 3-10x torch's."""
    if z.device.type == "cpu" and z.is_contiguous():
        return tanh_(z)
    return z.tanh_()


# activation -> (forward, backward(grad, z, a) -> grad wrt z); the backward ops are those autograd uses
ACTS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (_tanh, lambda g, z, a: aten.tanh_backward(g, a)),
    "sigmoid": (torch.sigmoid, lambda g, z, a: aten.sigmoid_backward(g, a)),
    "relu": (torch.relu, lambda g, z, a: aten.threshold_backward(g, z, 0)),
    "gelu": (F.gelu, lambda g, z, a: aten.gelu_backward(g, z)),
    "linear": (lambda z: z, lambda g, z, a: g),  # the identity: its gradient passes through
}


@contextlib.contextmanager
def _no_denormals(on: bool) -> Iterator[None]:
    """Flush denormal floats to zero meanwhile: tiny Adam moments made a CPU width sweep ~1.6x slower."""
    on = on and torch.set_flush_denormal(True)  # values below 1e-38 in float32: far below anything measured
    try:
        yield
    finally:
        if on:
            torch.set_flush_denormal(False)


def _draw(sizes: Sequence[int], seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The (weight (out, in), bias (out,)) pairs `MLP.reset` draws from `seed`, in its order and dtype."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for a, b in itertools.pairwise(sizes):
        r = 1.0 / math.sqrt(a)
        out.append((torch.empty(b, a).uniform_(-r, r, generator=g), torch.empty(b).uniform_(-r, r, generator=g)))
    return out


def _to_rows(m: torch.Tensor, q: int, c: int) -> torch.Tensor:
    """Model-space (a, w) -> row blocks (q, a, c): the w units spread over q rows of c, zero-padded."""
    a, w = m.shape
    return F.pad(m, (0, q * c - w)).view(a, q, c).permute(1, 0, 2)


def _from_rows(t: torch.Tensor, w: int) -> torch.Tensor:
    """Row blocks (q, a, c) -> model-space (a, w)."""
    return t.permute(1, 0, 2).reshape(t.shape[1], -1)[:, :w]


class _Net:
    """K MLPs of one depth in one flat parameter tensor; model k owns rows r0[k] : r0[k] + q[k] of each block.

    With one hidden layer a model's hidden units may be split into rows ("chunks") of c units, so that models of
    very different widths pack without padding all to the widest; the output then sums each model's rows.
    Otherwise each model is one row padded to the widest. Padded units have zero weights that stay zero.
    """

    def __init__(self, d: int, widths: list[int], hidden: int, act: str, seeds: list[int], chunk: int, dev, dtype):
        self.K, self.d, self.L, self.widths, self.act = len(widths), d, hidden, widths, act
        K, c = self.K, chunk if hidden == 1 else max(widths)
        self.c, self.q = c, [-(-w // c) for w in widths] if hidden else [1] * K
        self.r0, B = [0, *itertools.accumulate(self.q)][:-1], sum(self.q)
        self.row_model = torch.repeat_interleave(torch.arange(K), torch.tensor(self.q)).to(dev)  # (B,)
        self.chunked = B != K
        # per hidden layer one (B, in + 1, c) block: weights (in, c) and the bias as the last row, so that the
        # first layer's weight and bias gradients are one bmm with [x, 1]; then the output's w (B, 1, c), b (K, 1, 1)
        shapes = [(B, (d if i == 0 else c) + 1, c) for i in range(hidden)] + [(B, 1, c if hidden else d), (K, 1, 1)]
        sizes = [math.prod(s) for s in shapes]
        self.theta = torch.zeros(sum(sizes), device=dev, dtype=dtype)
        self.grad = torch.zeros_like(self.theta)
        self.shapes, self.sizes = shapes, sizes
        self.P = self.blocks(self.theta)
        self.G = [t.view(s) for t, s in zip(self.grad.split(sizes), shapes, strict=True)]
        self.W = [(a[:, :-1], a[:, -1:]) for a in self.P[:-2]]  # (weights (B, in, c), bias (B, 1, c)) views
        self.GW = [(a[:, :-1], a[:, -1:]) for a in self.G[:-2]]
        self.wo, self.bo, self.gbo = self.P[-2], self.P[-1].view(K, 1), self.G[-1].view(K, 1)
        self.wo_col = self.wo.transpose(1, 2)  # (B, c, 1)
        # parameter -> model, to turn per-model masks (K,) into per-parameter masks (P,)
        owners = [self.row_model.repeat_interleave(n // s[0]) for n, s in zip(sizes[:-1], shapes[:-1], strict=True)]
        self.pmodel = torch.cat([*owners, torch.arange(K, device=dev)])
        self.umask = None  # sigmoid(0) = 0.5, not 0: padded units must be masked out explicitly
        if act == "sigmoid" and hidden and B * c != sum(widths):
            self.umask = torch.zeros(B, 1, c, device=dev, dtype=dtype)
            for k, w in enumerate(widths):
                self.umask[self.r0[k] : self.r0[k] + self.q[k]] = _to_rows(torch.ones(1, w), self.q[k], c)
        for k, s in enumerate(seeds):
            self.put(k, _draw([d, *[widths[k]] * hidden, 1], s))

    def blocks(self, flat: torch.Tensor) -> list[torch.Tensor]:
        """A flat (P,) tensor laid out like theta -> its per-layer views (B or K, ...)."""
        return [t.view(s) for t, s in zip(flat.split(self.sizes), self.shapes, strict=True)]

    def _slots(self, k: int) -> list[tuple[Callable[[], torch.Tensor], Callable[[torch.Tensor], None]]]:
        """(get, set) of model k's weight (out, in) and bias (1, out) of each layer, in MLP order."""
        rows, q, c, w, P = slice(self.r0[k], self.r0[k] + self.q[k]), self.q[k], self.c, self.widths[k], self.P

        def blocked(t: torch.Tensor) -> tuple[Callable, Callable]:  # (B, a, c), units last <-> (a, w)
            return (lambda: _from_rows(t[rows], w)), (lambda m: t[rows].copy_(_to_rows(m, q, c)))

        def square(t: torch.Tensor, a: int, b: int) -> tuple[Callable, Callable]:  # one padded row per model
            return (lambda: t[k, :a, :b]), (lambda m: t[k, :a, :b].copy_(m))

        def tr(s: tuple[Callable, Callable]) -> tuple[Callable, Callable]:  # hidden weights are stored (in, out)
            return (lambda: s[0]().T), (lambda m: s[1](m.T))

        if self.L == 0:
            return [square(P[0], 1, self.d), square(P[1], 1, 1)]
        out = [tr(blocked(self.W[0][0])), blocked(self.W[0][1])]
        for W, b in self.W[1:]:
            out += [tr(square(W, w, w)), blocked(b)]
        return [*out, blocked(P[-2]), square(P[-1], 1, 1)]

    def put(self, k: int, layers: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Write model k's (weight (out, in), bias (out,)) pairs."""
        s = self._slots(k)
        for sw, sb, (wt, b) in zip(s[::2], s[1::2], layers, strict=True):
            sw[1](wt.to(self.theta))
            sb[1](b.view(1, -1).to(self.theta))

    def get(self, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Model k's (weight (out, in), bias (out,)) pairs, as copies."""
        s = self._slots(k)
        return [(w[0]().clone(), b[0]().reshape(-1).clone()) for w, b in zip(s[::2], s[1::2], strict=True)]

    def rows(self, x: torch.Tensor) -> torch.Tensor:
        """Inputs per model (1 or K, n, d) -> per row (B, n, d)."""
        x = x.expand(self.K, -1, -1)
        return x.index_select(0, self.row_model) if self.chunked else x.contiguous()

    def forward(self, x: torch.Tensor, masks: list[torch.Tensor] | None = None) -> tuple[torch.Tensor, list]:
        """Rows of inputs (B, n, d) -> outputs (K, n) and what backward needs; masks: scaled dropout (B, n, c)."""
        f, h = ACTS[self.act][0], x
        cache: list = []  # (h, z, a) per hidden layer, then the last layer's input
        for i, (W, b) in enumerate(self.W):
            z = torch.addcmul(b, h, W) if h.shape[-1] == 1 else torch.baddbmm(b, h, W)  # (B, n, c); d=1: broadcast
            a = f(z) if self.umask is None else f(z) * self.umask
            cache.append((h, z, a))
            h = a if masks is None else a * masks[i]
        cache.append(h)
        if len(h) <= 4 and not self.chunked:  # a few models: bmm is one call
            return torch.baddbmm(self.P[-1], h, self.wo_col).view(len(h), -1), cache  # (K, n)
        # Many rows: a bmm of matrix-vector products makes one BLAS call per row on the CPU: multiply and sum.
        part = (h * self.wo).sum(-1)  # (B, n): each row's share of its model's output
        if not self.chunked:
            return part.add_(self.bo), cache  # (K, n)
        # index_add, not a 0/1 matrix product: a diverged model's inf/NaN must not leak into the others
        return self.bo.repeat(1, x.shape[1]).index_add_(0, self.row_model, part), cache

    def backward(self, dout: torch.Tensor, cache: list, masks: list | None = None, x1t: torch.Tensor | None = None):
        """Gradient of sum_k loss_k into self.grad, from dout = d loss_k / d out_k (K, n) on the first n points.

        x1t: the inputs with a column of ones, transposed (B, d + 1, n), when the caller has them ready.
        """
        back, G, n = ACTS[self.act][1], self.G, dout.shape[1]
        torch.sum(dout, 1, keepdim=True, out=self.gbo)
        drow = dout.index_select(0, self.row_model) if self.chunked else dout  # (B, n)
        torch.bmm(drow.unsqueeze(1), cache[-1][:, :n], out=G[-2])  # (B, 1, c); fast, unlike (c, n) @ (n, 1)
        if self.L == 0:
            return
        dh = drow.unsqueeze(-1) * self.wo  # (B, n, c)
        for i in reversed(range(self.L)):
            h, z, a = cache[i]
            if masks is not None:
                dh = dh * masks[i]
            dz = back(dh, z[:, :n], a[:, :n])
            if i == 0 and x1t is not None:
                torch.bmm(x1t, dz, out=G[0])  # weights and bias at once
            else:
                torch.bmm(h[:, :n].transpose(1, 2), dz, out=self.GW[i][0])
                torch.sum(dz, 1, keepdim=True, out=self.GW[i][1])
            if i:
                dh = torch.bmm(dz, self.W[i][0].transpose(1, 2))


def _l1_rates(net: _Net, l1: float) -> torch.Tensor | None:
    """(P,) l1 at every weight, 0 at the biases (train.make_optimizer's rule: the 1-D tensors are biases); None at 0."""
    if not l1:
        return None
    rates = torch.zeros_like(net.theta)
    blocks = net.blocks(rates)
    for b in blocks[:-2]:  # hidden blocks (B, in + 1, c): the weights, then the bias row
        b[:, :-1] = l1
    blocks[-2].fill_(l1)  # the output's weights; the output bias (last) stays 0
    return rates


class _Optimizer:
    """Adam, SGD or SGD with momentum on the flat tensor, as torch.optim computes them (coupled weight decay).

    l1w: (P,) the L1 rate of each parameter, added as l1 * sign(w) before the weight decay, as fit's step pre-hook.
    """

    def __init__(
        self,
        name: str,
        lr: float,
        wd: float,
        theta: torch.Tensor,
        table_steps: int = 0,
        l1w: torch.Tensor | None = None,
    ):
        self.name, self.lr, self.wd, self.n, self.l1w = name, lr, wd, 0, l1w
        self.state = [torch.zeros_like(theta) for _ in range({"sgd": 0, "momentum": 1, "adam": 2}[name])]
        self.frozen = theta.device.type != "cpu"  # on the CPU the mask is applied once some model stopped
        # A CUDA graph would freeze a Python step count: on a device (one step per epoch) index a table by the
        # epoch instead, in graphs and out of them alike, so that both give the same numbers.
        self.table = None
        if table_steps:
            t = torch.arange(1, table_steps + 2, dtype=torch.float64)
            bc1, bc2 = 1 - BETAS[0] ** t, 1 - BETAS[1] ** t
            self.table = torch.stack([bc2.sqrt(), -bc1 / lr], 1).to(theta)  # (E+1, 2) per step

    def step(self, p: torch.Tensor, g: torch.Tensor, frozen: torch.Tensor, ep: torch.Tensor | None = None) -> None:
        """One update of all parameters not frozen; the gradient buffer g is scratch."""
        if self.l1w is not None:
            g.addcmul_(p.sign(), self.l1w)
        if self.wd:
            g.add_(p, alpha=self.wd)
        if self.frozen:  # stopped models: a zero gradient on zeroed state leaves them exactly still
            g.masked_fill_(frozen, 0.0)
        if self.name == "sgd":
            p.add_(g, alpha=-self.lr)
        elif self.name == "momentum":
            self.state[0].mul_(MOMENTUM).add_(g)
            p.add_(self.state[0], alpha=-self.lr)
        else:
            m, v = self.state
            m.lerp_(g, 1 - BETAS[0])
            v.mul_(BETAS[1]).addcmul_(g, g, value=1 - BETAS[1])
            if self.table is None:
                self.n += 1
                bc1, bc2 = 1 - BETAS[0] ** self.n, math.sqrt(1 - BETAS[1] ** self.n)
                # torch's m / (sqrt(v) / bc2 + eps), with bc2 moved onto the scalars: one (P,) op less
                p.addcdiv_(m, v.sqrt().add_(EPS * bc2), value=-self.lr * bc2 / bc1)
            else:  # step ep + 1, with the table's row [sqrt(bc2), -bc1 / lr]
                assert ep is not None  # with a table the engine passes the epoch
                bc2, s = self.table.index_select(0, ep).view(2)
                p.addcdiv_(m, v.sqrt().div_(bc2).add_(EPS).mul_(s))


def _put(dst, src, mask) -> None:
    """dst[mask] = src in place: numpy arrays (cheap calls on the CPU) or tensors (no host sync, capturable)."""
    if isinstance(dst, np.ndarray):
        np.copyto(dst, src, where=mask)
    elif isinstance(src, torch.Tensor):
        torch.where(mask, src, dst, out=dst)
    else:
        dst.masked_fill_(mask, src)


def _dloss(r: torch.Tensor, y: torch.Tensor, cls: bool) -> torch.Tensor:
    """d loss_k / d out_k (K, n) from the residual out - y (regression) or the logits, as autograd has it."""
    return (torch.sigmoid(r) - y).mul_(1.0 / r.shape[1]) if cls else r.mul(2.0 / r.shape[1])


def _prep(x, y, k: int, dev, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (K, N, d) | (N, d) | (K, N) | (N,) and targets (K, N) | (N,) -> (1 or K, N, d), (1 or K, N)."""
    x, y = (torch.as_tensor(np.asarray(t) if not isinstance(t, torch.Tensor) else t) for t in (x, y))
    x, y = x.to(dev, dtype), y.to(dev, dtype)
    if x.ndim == 1:
        x = x.view(1, -1, 1)
    elif x.ndim == 2:  # (K, N) of 1-D inputs when shaped like 2-D targets, else (N, d) shared by all
        x = x.unsqueeze(-1) if x.shape == y.shape else x.unsqueeze(0)
    y = y.view(1, -1) if y.ndim == 1 else y
    n = y.shape[1]
    if x.shape[1] != n or x.shape[0] not in (1, k) or y.shape[0] not in (1, k):
        raise ValueError(f"inputs {tuple(x.shape)} and targets {tuple(y.shape)} do not fit {k} models")
    return x, y


def _chunk(widths: list[int]) -> int:
    """Units per row for one hidden layer: the common width, else the size that wastes least."""
    if len(set(widths)) == 1:
        return widths[0]
    # A row costs about as much as 16 padded units (measured on the 2..256 sweep): balance rows against padding.
    cands = [c for c in (8, 16, 32, 64, 128, max(widths)) if c <= max(widths)]
    return min(cands, key=lambda c: sum(-(-w // c) * (c + 16) for w in widths))


def _history(hist: torch.Tensor, last: torch.Tensor, k: int, upto: int) -> np.ndarray:
    """History rows (E+1, K or 2K, 2 [train, val]) of epochs < upto -> (2 or 4, K, upto): train loss, val loss
    [, train acc, val acc], NaN after each model's last recorded epoch (last (K,))."""
    h = hist[:upto].double().cpu().numpy()
    h = h.reshape(upto, -1, k, 2).transpose(1, 3, 2, 0).reshape(-1, k, upto)
    h[:, np.arange(upto) > last.cpu().numpy()[:, None]] = np.nan
    return h


@dataclass
class Live:
    """What a callback sees mid-run: the epoch just measured, the histories so far and the current weights."""

    epoch: int
    k: int
    hist: torch.Tensor = field(repr=False)  # (E+1, K or 2K, 2), the engine's own
    last: torch.Tensor = field(repr=False)  # (K,) the last epoch each model recorded
    predict: Callable[[torch.Tensor | np.ndarray], np.ndarray] = field(repr=False)  # as ManyResult.predict, now
    net: _Net | None = field(default=None, repr=False)  # the live weights (net.theta), for copies of them

    def copy(self) -> torch.Tensor:
        """A copy of the flat weights now (P,): `predict_copies` turns several into predictions at once."""
        assert self.net is not None
        return self.net.theta.clone()

    def history(self) -> np.ndarray:
        """(2 or 4, K, epoch + 1): train loss, val loss (and train, val accuracy for classification) so far;
        NaN after a model stopped, as in the result."""
        return _history(self.hist, self.last, self.k, self.epoch + 1)


@dataclass
class ManyResult:
    """K trained models: per-epoch histories (K, E+1), final metrics (K,), and the weights."""

    train_loss: np.ndarray  # (K, E+1), epoch 0 = initial weights, NaN after a model stopped
    val_loss: np.ndarray
    best_epoch: np.ndarray  # (K,) int
    last_epoch: np.ndarray  # (K,) int: the last epoch recorded (a diverged model's last is its blow-up)
    stop_reason: list[str]  # finished, early stop, diverged, time budget, stopped
    n_params: np.ndarray  # (K,) int
    train_metric: np.ndarray  # (K,) final loss on the kept weights
    val_metric: np.ndarray
    train_acc: np.ndarray | None = None  # (K, E+1), classification only
    val_acc: np.ndarray | None = None
    train_accuracy: np.ndarray | None = None  # (K,), classification only
    val_accuracy: np.ndarray | None = None
    device: str = "cpu"
    net: _Net | None = field(default=None, repr=False)
    model: ModelSettings | None = field(default=None, repr=False)

    def predict(self, x: torch.Tensor | np.ndarray) -> np.ndarray:
        """Outputs (logits for classification) of every model at x (P, d) or (K, P, d); 1-D: (P,) or (K, P) -> (K, P)."""
        assert self.net is not None  # train_many always sets it
        return _predict(self.net, x)

    def module(self, k: int) -> MLP:
        """Model k as the single-model `MLP` with identical weights (in the run's dtype, on the CPU, eval mode)."""
        net, m = self.net, self.model
        assert net is not None and m is not None  # train_many always sets both
        # its own generator for the throwaway init: the global one may be another session's dropout run's
        mlp = MLP(net.d, (net.widths[k],) * net.L, m.activation, m.dropout if net.L else 0.0, 1, torch.Generator())
        mlp = mlp.to(net.theta.dtype).eval()
        with torch.no_grad():
            lins = [x for x in mlp.net if isinstance(x, torch.nn.Linear)]
            for lin, (w, b) in zip(lins, net.get(k), strict=True):
                lin.weight.copy_(w)
                lin.bias.copy_(b)
        return mlp


def _predict(net: _Net, x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Outputs (K, P) of every model of net at x: (P, d) or (K, P, d); 1-D inputs: (P,) or (K, P)."""
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).to(net.theta)
    if x.ndim == 1 or (x.ndim == 2 and x.shape[-1] != net.d):
        x = x.unsqueeze(-1)
    x = x.unsqueeze(0) if x.ndim == 2 else x
    with torch.no_grad():
        return net.forward(net.rows(x))[0].double().cpu().numpy()


def predict_copies(net: _Net, thetas: torch.Tensor, x: torch.Tensor) -> np.ndarray:
    """Outputs (F, P) at x (P, d) of F copies (F, P_theta) of a one-model net's weights, in one batched pass."""
    assert net.K == 1  # one model: a block's leading axis is the copies' axis
    f, F_ = ACTS[net.act][0], len(thetas)
    P = [t.reshape(F_, *s[1:]) for t, s in zip(thetas.to(net.theta).split(net.sizes, 1), net.shapes, strict=True)]
    h = x.to(net.theta).expand(F_, -1, -1)  # (F, P, d)
    with torch.no_grad():
        for a in P[:-2]:  # the products of net.forward, one model per copy
            W, b = a[:, :-1], a[:, -1:]  # (F, in, c), (F, 1, c)
            h = f(torch.addcmul(b, h, W) if h.shape[-1] == 1 else torch.baddbmm(b, h, W))  # (F, P, c)
        return torch.baddbmm(P[-1], h, P[-2].transpose(1, 2)).view(F_, -1).double().cpu().numpy()


def due(epoch: int, every: int | Container[int]) -> bool:
    """Whether a progress callback is due: every `every` epochs, or at the epochs of a set (a recording schedule)."""
    return epoch % every == 0 if isinstance(every, int) else epoch in every


def train_many(
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    widths: Sequence[int] | np.ndarray,
    model: ModelSettings,
    train: TrainSettings,
    *,
    task: str = "regression",
    seeds: Sequence[int] | None = None,
    device: str = "auto",
    dtype: torch.dtype = torch.float32,
    hidden_layers: int | None = None,
    callback: Callable[[Live], bool | None] | None = None,
    every: int | Container[int] = 50,
    max_seconds: float | None = None,
    dropout_masks: Callable[[tuple[int, ...]], torch.Tensor] | None = None,
    cuda_graph: bool = True,
) -> ManyResult:
    """Train K MLPs (hidden width widths[k], init seed seeds[k]) at once, each as `fit` trains one.

    x, y: (K, N, d), (K, N) per model, or (N, d), (N,) shared; 1-D inputs may drop d. `callback(live)` runs
    every `every` epochs (it sees the histories and weights so far) and may return False to stop all. `dropout_masks(shape)` (for tests) returns the 0/1
    keep masks (K, n, width) of each hidden layer and step; by default they come from one generator seeded with
    seeds[0], so they differ from `fit`'s. On CUDA a full-batch run without dropout replays CUDA graphs.
    """
    dev, _ = pick_device(device)
    seeds = [train.init_seed + k for k in range(len(widths))] if seeds is None else [int(s) for s in seeds]
    L = model.layers if hidden_layers is None else hidden_layers
    with torch.no_grad(), _no_denormals(dev.type == "cpu"), np.errstate(over="ignore", invalid="ignore"):
        g = _Engine(
            x, y, x_val, y_val, [int(w) for w in widths], model, train, task, seeds, dev, dtype, L, dropout_masks
        )
        graph = cuda_graph and g.fused and dev.type == "cuda" and train.epochs >= 2  # warm-up runs epochs 0-2
        measure, step = _graphed([g.measure, g.step], g.state) if graph else (g.measure, g.step)
        t0, end = settings.clock(), None  # the guard's clock (tests slow it)
        for epoch in range(train.epochs + 1):
            measure()
            if g.host:
                g.rules(epoch)
            if epoch == train.epochs or (end := g.halt(epoch, callback, every, t0, max_seconds)) is not None:
                break
            step()
        return g.result(epoch, end or "finished")


class _Engine:
    """train_many's state: K networks' flat weights, optimizer, data on the device, histories and stop rules.

    The stop rules run on numpy views on the CPU (`host`: a numpy call costs a quarter of a torch call there),
    else on the tensors themselves, never waiting for the device (so that a CUDA graph can hold them).
    """

    def __init__(
        self, x, y, x_val, y_val, widths: list[int], model: ModelSettings, train: TrainSettings, task: str,
        seeds: list[int], dev: torch.device, dtype: torch.dtype, L: int,
        dropout_masks: Callable[[tuple[int, ...]], torch.Tensor] | None = None,
    ) -> None:  # fmt: skip
        self.dropout_masks = dropout_masks  # tests' own keep masks (train_many's argument)
        K, cls, E, cpu = len(widths), task == "classification", train.epochs, dev.type == "cpu"
        self.K, self.cls, self.E, self.dev, self.dtype, self.L, self.widths = K, cls, E, dev, dtype, L, widths
        self.train, self.model = train, model
        self.x, self.y = x, y = _prep(x, y, K, dev, dtype)
        xv, yv = _prep(x_val, y_val, K, dev, dtype)
        self.n, self.d = n, d = x.shape[1], x.shape[2]
        self.p = p = model.dropout if L else 0.0
        self.bs = bs = n if train.batch_size == 0 else min(train.batch_size, n)
        self.fused = fused = bs == n and p == 0  # as in fit: the training forward doubles as the training loss
        self.net = net = _Net(
            d, widths, L, model.activation, seeds, _chunk(widths) if p == 0 else max(widths), dev, dtype
        )
        self.opt = opt = _Optimizer(
            train.optimizer, train.lr, train.weight_decay, net.theta, E if fused and not cpu else 0,
            _l1_rates(net, train.l1),
        )  # fmt: skip
        self.xall = xall = torch.cat([net.rows(x), net.rows(xv)], 1)  # (B, N+M, d): one forward, train and val
        self.yall = yall = torch.cat([y.expand(K, -1), yv.expand(K, -1)], 1)  # (K, N+M)
        self.mean = torch.zeros(xall.shape[1], 2, device=dev, dtype=dtype)  # (N+M, 2): the means as a product
        self.mean[:n, 0], self.mean[n:, 1] = 1 / n, 1 / xv.shape[1]
        self.x1t = (
            torch.cat([xall[:, :n], torch.ones_like(xall[:, :n, :1])], 2).transpose(1, 2).contiguous() if L else None
        )

        self.hist = hist = torch.full((E + 1, len(yall) * (2 if cls else 1), 2), math.nan, device=dev, dtype=dtype)
        self.cur = cur = torch.empty(hist.shape[1:], device=dev, dtype=dtype)  # this epoch's [loss, acc] rows
        self.best_val = torch.full((K,), math.inf, device=dev, dtype=dtype)  # -inf once stopped: never improves
        self.best_ep, self.status = (torch.zeros(K, device=dev, dtype=torch.long) for _ in range(2))
        self.last = torch.full((K,), E, device=dev, dtype=torch.long)  # the last epoch each model recorded
        self.active = torch.ones(K, device=dev, dtype=torch.bool)
        self.frozen = torch.zeros_like(net.theta, dtype=torch.bool)  # (P,) parameters of stopped models
        self.best, self.ep = net.theta.clone(), torch.zeros(1, device=dev, dtype=torch.long)
        self.bound = torch.tensor([DIVERGED, torch.finfo(dtype).max], device=dev, dtype=dtype)  # val: finite
        self.state = [net.theta, *opt.state, hist, self.best_val, self.best_ep, self.status, self.last, self.active]
        self.state += [self.frozen, self.best, self.ep]  # what a CUDA graph's warm-up must undo
        self.fwd: list = []  # the forward of the current epoch (fused mode), which step() differentiates
        self.alive = True  # on the CPU the host knows when the last model stops; elsewhere it asks now and then
        self.host = host = cpu and HOST_RULES
        v = (lambda t: t.numpy()) if host else (lambda t: t)
        all_ = [hist, cur, self.best_val, self.best_ep, self.status, self.last, self.active, self.frozen, self.best]
        all_ += [net.theta, self.bound, net.pmodel]
        (self.hist_, self.cur_, self.best_val_, self.best_ep_, self.status_, self.last_, self.active_, self.frozen_,
         self.best_, self.theta_, self.bound_, self.pm) = map(v, all_)  # fmt: skip
        self.opt_state, self.vl = [v(t) for t in opt.state], self.cur_[:K, 1]
        self.pairs = list(zip(map(v, net.blocks(self.best)), map(v, net.P), strict=True))
        self.rm = v(net.row_model)
        self.fast = None  # the CPU's numpy epoch, where it applies
        if cpu and NUMPY_STEP and supported(L, fused):
            fast = NumpyStep(net, net.rows(x), net.rows(xv), y, yv, cls, opt, cur.numpy())
            self.fast = fast.bind(self.frozen.numpy())
        self.gens = [torch.Generator().manual_seed(s + 1) for s in seeds]  # batch order per model, as fit: seed + 1
        self.mask_gen = torch.Generator(device=dev).manual_seed(seeds[0]) if p else None

    def spread(self, m):
        """Per model (K,) -> per parameter (P,)."""
        return m[self.pm] if self.host else m.index_select(0, self.pm)

    def keep(self, imp) -> None:
        """best = theta for the models in imp (K,); on the host block by block, with row masks broadcast."""
        K, best_, theta_ = self.K, self.best_, self.theta_
        if not self.host or K == 1:
            _put(best_, theta_, imp if K == 1 else self.spread(imp))
        elif (n_imp := np.count_nonzero(imp)) == K:  # count_nonzero: a quarter of .all()'s cost
            best_[:] = theta_
        elif n_imp:
            rows = (imp[self.rm] if self.net.chunked else imp)[:, None, None]  # (B, 1, 1)
            for i, (b, t) in enumerate(self.pairs):
                np.copyto(b, t, where=rows if i < len(self.pairs) - 1 else imp[:, None, None])

    def evaluate(self, out: torch.Tensor) -> torch.Tensor:
        """Train/val loss (and accuracy) of outputs (K, N+M) into cur; returns the residual (or the logits)."""
        yall, cur = self.yall, self.cur
        if self.cls:
            hit = ((out > 0).to(self.dtype) == yall).to(self.dtype)
            bce = F.binary_cross_entropy_with_logits(out, yall, reduction="none")
            torch.mm(torch.cat([bce, hit]), self.mean, out=cur)
            cur[self.K :].clamp_(max=1.0)  # n float32 copies of 1/n can sum to 1.0000001
            return out
        r = out - yall
        torch.mm(r.square(), self.mean, out=cur)
        return r

    def rules(self, e) -> None:
        """fit's per-model rules after measuring epoch e (an int on the host, else the device tensor ep)."""
        host, K, train, cur_, vl = self.host, self.K, self.train, self.cur_, self.vl
        if host:
            self.hist_[e] = cur_
        else:
            self.hist.index_copy_(0, e, self.cur.unsqueeze(0))  # stopped models are blanked at the end, from `last`
        le = cur_[:K] <= self.bound_  # diverged: a loss not finite (NaN compares false) or train loss > 1e8
        ok = le[:, 0] & le[:, 1]
        imp = ok & (vl < self.best_val_)
        _put(self.best_val_, vl, imp)
        _put(self.best_ep_, e, imp)
        self.keep(imp)
        if host and not train.early_stopping and np.count_nonzero(ok) == K:  # the rest is rare: skip it
            return
        stop = div = self.active_ > ok  # running and not ok
        if train.early_stopping:
            es = ok & self.active_ & (e - self.best_ep_ >= train.patience) & (e < self.E)
            stop = div | es
            _put(self.status_, EARLY, es)
        if host and not np.count_nonzero(stop):
            return
        self.stop(e, stop, div)

    def stop(self, e, stop, div) -> None:
        """Freeze the models in stop (K,) at their best weights after epoch e; div: those that diverged."""
        self.opt.frozen = True
        _put(self.status_, DIVERGING, div)
        _put(self.active_, False, stop)
        _put(self.best_val_, -math.inf, stop)
        _put(self.last_, e, stop)
        sp = self.spread(stop)
        _put(self.theta_, self.best_, sp)  # a stopped model keeps its best weights, frozen
        for s in self.opt_state:
            _put(s, 0.0, sp)
        _put(self.frozen_, True, sp)
        self.alive = not self.host or bool(self.active_.any())

    def halt(
        self, epoch: int, callback: Callable[[Live], bool | None] | None, every: int | Container[int], t0: float,
        max_seconds: float | None,
    ) -> str | None:  # fmt: skip
        """Why the loop ends after measuring epoch: no model left ("finished"), the callback ("stopped") or the
        last-resort guard ("time budget"); None to go on. Off the CPU it syncs with the device every 25 epochs."""
        tick = callback is not None and epoch > 0 and due(epoch, every)
        if not (tick or epoch % (1 if self.dev.type == "cpu" else 25) == 0):
            return None
        if not (self.alive if self.host else self.active.any()):
            return "finished"
        if tick and callback is not None and callback(self.live(epoch)) is False:
            return "stopped"
        if max_seconds is not None and settings.clock() - t0 > max_seconds:
            return "time budget"
        return None

    def measure(self) -> None:
        """Losses at the current weights (eval mode), then (off the host) the rules."""
        if self.fast is not None:
            self.fast.measure()
        else:
            out, cache = self.net.forward(self.xall)
            self.fwd[:] = [self.evaluate(out), cache]
        if not self.host:
            self.rules(self.ep)

    def masks(self, b: int) -> list[torch.Tensor] | None:
        """Scaled dropout masks (K, b, c) for each hidden layer, as nn.Dropout: input * (keep / (1 - p))."""
        p, dev = self.p, self.dev
        if not p:
            return None
        draw = self.dropout_masks or (lambda s: torch.empty(s, device=dev).bernoulli_(1 - p, generator=self.mask_gen))
        return [draw((self.K, b, self.net.c)).to(dev, self.dtype).div(1 - p) for _ in range(self.L)]

    def step(self) -> None:
        """One epoch of training steps."""
        net, opt, x, y, cls = self.net, self.opt, self.x, self.y, self.cls
        if self.fast is not None:
            self.fast.step()
        elif self.fused:
            r, cache = self.fwd
            net.backward(_dloss(r[:, : self.n], y, cls), cache, x1t=self.x1t)
            opt.step(net.theta, net.grad, self.frozen, self.ep)
        else:
            perm = torch.stack([torch.randperm(self.n, generator=g) for g in self.gens]).to(self.dev)  # (K, N)
            for idx in perm.split(self.bs, dim=1):  # (K, b)
                xb = x[0][idx] if len(x) == 1 else x.gather(1, idx.unsqueeze(-1).expand(-1, -1, self.d))
                yb = y[0][idx] if len(y) == 1 else y.gather(1, idx)
                ms = self.masks(idx.shape[1])
                out, cache = net.forward(net.rows(xb), ms)
                net.backward(_dloss(out if cls else out - yb, yb, cls), cache, ms)
                opt.step(net.theta, net.grad, self.frozen)
        if not self.host:
            self.ep.add_(1)

    def live(self, epoch: int) -> Live:
        """What a progress callback sees at `epoch`."""
        net = self.net
        return Live(epoch, self.K, self.hist, self.last, lambda x: _predict(net, x), net)

    def result(self, epoch: int, end: str) -> ManyResult:
        """The run's result after its last measured epoch; `end`: why the loop ended, for models still running."""
        K, net = self.K, self.net
        self.last.clamp_(max=epoch)  # models still running recorded up to the last epoch measured
        h = _history(self.hist, self.last, K, self.E + 1)
        self.evaluate(net.forward(self.xall)[0])
        final = self.cur.double().cpu().numpy()
        res = ManyResult(
            h[0],
            h[1],
            best_epoch=self.best_ep.cpu().numpy(),
            last_epoch=self.last.cpu().numpy(),
            stop_reason=[("", "early stop", "diverged")[c] or end for c in self.status.tolist()],
            n_params=np.array([mlp_params(self.d, (w,) * self.L) for w in self.widths]),
            train_metric=final[:K, 0],
            val_metric=final[:K, 1],
            device=self.dev.type,
            net=net,
            model=self.model,
        )
        if self.cls:
            res.train_acc, res.val_acc, res.train_accuracy, res.val_accuracy = *h[2:], *final[K:].T
        return res


def _graphed(fns: list[Callable[[], None]], state: list[torch.Tensor]) -> list[Callable[[], None]]:
    """Each fn captured in a CUDA graph (one shared pool), after an eager warm-up whose effects are undone."""
    saved = [t.clone() for t in state]
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm up (lazy init, cuBLAS workspaces) on a side stream, as torch advises
        for _ in range(3):
            for f in fns:
                f()
    torch.cuda.current_stream().wait_stream(side)
    for t, s in zip(state, saved, strict=True):
        t.copy_(s)
    graphs, pool = [], None
    for f in fns:  # captured in replay order, so a later graph may read what an earlier one leaves behind
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g, pool=pool):
            f()
        graphs.append(g)
        pool = g.pool()
    return [g.replay for g in graphs]
