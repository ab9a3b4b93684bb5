"""Mini-batch epochs of one small MLP through numpy, in place on the network's own torch parameters.

A step on ten points is per-call overhead, not arithmetic: torch spends ~5 µs a call on dispatch and autograd,
numpy ~1 µs, so an 8-8 network's epoch of 25 steps takes ~40 torch calls a step through autograd and ~25 numpy
calls here. The engine holds numpy views of the parameters (they share memory), so everything else of the
training loop (measuring, best weights, early stopping, callbacks) stays the loop's own. Same steps as the loop:
the same batches in the same order, the same gradients and the same optimizer updates as torch.optim's
(tests/test_minibatch.py holds the two together to float32 rounding).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

BETAS, EPS, MOMENTUM = (0.9, 0.999), 1e-8, 0.9  # torch.optim's defaults and the momentum `fit` uses
ENABLED = True  # train's loop uses this engine where it serves; benchmarks turn it off for the torch baseline


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * z))  # exact identity; no overflow warning for large |z|


# Each activation: forward in place on z, and its derivative from the output a (so z need not be kept).
ACTS: dict[type[nn.Module], tuple[Callable[[np.ndarray], object], Callable[[np.ndarray], np.ndarray]]] = {
    nn.Tanh: (lambda z: np.tanh(z, out=z), lambda a: 1 - a * a),
    nn.ReLU: (lambda z: np.maximum(z, 0, out=z), lambda a: (a > 0).astype(a.dtype)),
    nn.Sigmoid: (lambda z: np.copyto(z, _sigmoid(z)), lambda a: a * (1 - a)),
    nn.Identity: (lambda z: None, lambda a: np.ones_like(a)),
}
LOSSES = ("regression", "classification")


def layers_of(net: nn.Module) -> list[tuple[nn.Linear, type[nn.Module] | None]] | None:
    """The Linear layers of a plain MLP, each with the activation after it (None for the output layer), or None
    when the network holds anything this engine does not do (dropout, an unknown activation)."""
    mods = list(net.modules())
    seq = [m for m in mods if isinstance(m, nn.Sequential)]
    if len(seq) != 1:
        return None
    out: list[tuple[nn.Linear, type[nn.Module] | None]] = []
    for m in seq[0]:
        if isinstance(m, nn.Linear):
            out.append((m, None))
        elif type(m) in ACTS and out and out[-1][1] is None:
            out[-1] = (out[-1][0], type(m))
        else:
            return None  # dropout, two activations in a row, an activation first
    if not out or out[-1][1] is not None or out[-1][0].out_features != 1:
        return None
    return out


def serves(net: nn.Module, task: str, dev: torch.device) -> bool:
    """Whether this engine can take the run's steps: a plain MLP of float32 on the CPU (settings.numpy_batches
    says for which settings train's loop asks)."""
    ps = list(net.parameters())
    return (
        dev.type == "cpu"
        and task in LOSSES
        and all(p.dtype == torch.float32 and p.device.type == "cpu" for p in ps)
        and layers_of(net) is not None
    )


class MiniBatch:
    """The steps of each epoch of one run: the loop's `for idx in randperm(n).split(bs): step` in numpy.

    The parameters are moved into one flat float32 buffer (each torch parameter's data becomes a view of it),
    so that the gradients land in one flat buffer too and an update is two numpy calls, not two per tensor.
    """

    def __init__(
        self,
        net: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        optimizer: str,
        lr: float,
        weight_decay: float,
        task: str,
        l1: float = 0.0,
    ) -> None:
        layers = layers_of(net)
        if layers is None or optimizer not in ("sgd", "momentum", "adam"):  # never a silent stand-in
            raise ValueError(f"this engine cannot train {optimizer!r} on this network")
        ps = [q for lin, _ in layers for q in (lin.weight, lin.bias)]
        self.flat = np.concatenate([q.detach().numpy().ravel() for q in ps])  # (P,)
        self.grad = np.zeros_like(self.flat)  # (P,)
        views, i = [], 0
        for q in ps:
            views.append(self.flat[i : i + q.numel()].reshape(q.shape))
            i += q.numel()
        gviews = [self.grad[j : j + v.size].reshape(v.shape) for j, v in zip(_starts(views), views, strict=True)]
        with torch.no_grad():
            for q, v in zip(ps, views, strict=True):
                q.data = torch.from_numpy(v)  # the network now trains in the flat buffer, wherever it is read
        self.W, self.b = views[0::2], views[1::2]  # (out, in), (out,)
        self.gW, self.gb = gviews[0::2], gviews[1::2]
        self.acts = [ACTS[a] if a else None for _, a in layers]
        self.x, self.y = x.numpy(), y.numpy()  # (N, d), (N, 1)
        self.yc = 1 - 2 * self.y  # (N, 1): the labels as the cross-entropy gradient takes them
        self.opt, self.lr, self.wd, self.task = optimizer, np.float32(lr), np.float32(weight_decay), task
        self.l1 = np.float32(l1)
        # L1 as train.make_optimizer adds it: l1 * sign(w) on the weight matrices' gradients, not the biases'
        self.weights = np.concatenate([np.full(v.size, i % 2 == 0, np.float32) for i, v in enumerate(views)])
        self.m = np.zeros_like(self.flat) if optimizer != "sgd" else None  # momentum buffer / Adam's first moment
        self.v = np.zeros_like(self.flat) if optimizer == "adam" else None  # Adam's second moment
        self.t = 0  # steps taken (Adam's bias correction; momentum's first step takes the gradient as it is)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output (N, 1) on x (N, d)."""
        h = x
        for W, b, act in zip(self.W, self.b, self.acts, strict=True):
            h = h * W.T if W.shape[1] == 1 else h @ W.T  # (N, out); one input: numpy's matmul loops slowly
            h += b
            if act:
                act[0](h)
        return h

    def copy(self) -> np.ndarray:
        """A copy of the flat weights now (P,)."""
        return self.flat.copy()

    def forward_copies(self, flats: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Outputs (F, N) on x (N, d) of F copies (F, P) of the flat weights, in one batched pass per layer."""
        h, i = x, 0  # (N, d), then (F, N, out)
        for W, act in zip(self.W, self.acts, strict=True):
            o, n = W.shape
            Wt = flats[:, i : i + o * n].reshape(-1, o, n).transpose(0, 2, 1)  # (F, in, out)
            i += o * n
            h = h * Wt if n == 1 else h @ Wt  # (F, N, out), as forward's products
            h += flats[:, i : i + o].reshape(-1, 1, o)
            i += o
            if act:
                act[0](h)
        return h[..., 0]

    def loss(self, z: np.ndarray, y: np.ndarray) -> float:
        """The task's mean loss of outputs z (N, 1) against y (N, 1), as torch's: MSE, or cross-entropy on logits."""
        if self.task == "regression":
            r = (z - y).ravel()
            return float(np.dot(r, r)) / len(r)
        return float(np.mean(np.logaddexp(0, -np.abs(z)) + np.maximum(z, 0) - y * z))

    def measure(self, xv: torch.Tensor, yv: torch.Tensor) -> tuple[float, float, float, float]:
        """Training and validation loss, then accuracy (NaN for regression): the loop's measure of an epoch."""
        with np.errstate(all="ignore"):  # a diverging run overflows; the loop sees inf or NaN and stops
            out = []
            for x, y in ((self.x, self.y), (xv.numpy(), yv.numpy())):
                z = self.forward(x)
                out.append(
                    (self.loss(z, y), float(np.mean((z > 0) == (y > 0.5))) if self.task != "regression" else np.nan)
                )
        (tl, ta), (vl, va) = out
        return tl, vl, ta, va

    def epoch(self, perm: torch.Tensor, bs: int, losses: bool = False) -> float:
        """One pass over the batches of `perm` (N,) in order; with `losses`, returns the mean of their losses."""
        with np.errstate(all="ignore"):  # a diverging run overflows; its next measure says so
            return self._epoch(perm.numpy(), bs, losses)

    def _epoch(self, p: np.ndarray, bs: int, losses: bool) -> float:
        xp, yp = self.x[p], self.y[p]  # (N, d), (N, 1): the epoch's order, so that each batch is a view
        yc = self.yc[p] if self.task == "classification" else yp
        total, k = 0.0, 0
        for s in range(0, len(p), bs):
            total += self.step(xp[s : s + bs], yp[s : s + bs], yc[s : s + bs], losses)
            k += 1
        return total / k

    def step(self, xb: np.ndarray, yb: np.ndarray, yc: np.ndarray, loss: bool = False) -> float:
        """One gradient step on the batch xb (B, d), yb (B, 1) (yc: 1 - 2 yb for classification); with `loss`,
        returns its loss before the step."""
        hs = [xb]  # each layer's input
        for W, b, act in zip(self.W, self.b, self.acts, strict=True):
            z = hs[-1] * W.T if W.shape[1] == 1 else hs[-1] @ W.T  # (B, out); one input: an outer product
            z += b
            if act:
                act[0](z)
            hs.append(z)
        z = hs.pop()  # (B, 1)
        m = len(xb)
        out = self.loss(z, yb) if loss else 0.0
        if self.task == "regression":
            dz = z - yb
            dz *= np.float32(2 / m)
        else:  # binary cross-entropy on logits: d/dz = sigmoid(z) - y = (tanh(z / 2) + 1) / 2 - y
            dz = np.tanh(z * np.float32(0.5))
            dz += yc
            dz *= np.float32(0.5 / m)
        for i in range(len(self.W) - 1, -1, -1):
            np.matmul(dz.T, hs[i], out=self.gW[i])  # (out, in)
            np.add.reduce(dz, axis=0, out=self.gb[i])  # (out,); not np.sum: its wrapper costs as much again
            if i:
                dz = dz @ self.W[i]  # (B, in)
                dz *= self.acts[i - 1][1](hs[i])  # type: ignore[index]
        self._update()
        return out

    def _update(self) -> None:
        """torch.optim's SGD / SGD with momentum / Adam, in place, after L1 and L2 (weight decay) join the gradient."""
        self.t += 1
        p, g, lr = self.flat, self.grad, self.lr
        if self.l1:
            g += self.l1 * np.sign(p) * self.weights
        if self.wd:
            g += self.wd * p
        if self.opt == "sgd":
            g *= lr
            p -= g
        elif self.opt == "momentum":
            buf = self.m
            assert buf is not None  # allocated for every optimizer but SGD
            if self.t == 1:
                buf[...] = g
            else:
                buf *= np.float32(MOMENTUM)
                buf += g
            p -= lr * buf
        else:
            mo, v = self.m, self.v
            assert mo is not None and v is not None  # both allocated for Adam
            b1, b2 = BETAS
            mo *= np.float32(b1)
            mo += np.float32(1 - b1) * g
            v *= np.float32(b2)
            v += np.float32(1 - b2) * g * g
            c1, c2 = 1 - b1**self.t, 1 - b2**self.t
            denom = np.sqrt(v) / np.float32(np.sqrt(c2))
            denom += np.float32(EPS)
            p -= np.float32(lr / c1) * mo / denom


def _starts(views: list[np.ndarray]) -> list[int]:
    """Offsets of consecutive arrays in one flat buffer."""
    return list(np.cumsum([0] + [v.size for v in views[:-1]]))
