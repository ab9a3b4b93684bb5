"""The CPU hot path of `batched.train_many`: a full-batch epoch of one-hidden-layer MLPs through numpy.

On the CPU a small batched step is bound by per-call overhead and by a few slow kernels: numpy calls cost a
quarter of torch's, and numpy's stacked matmul and tanh are 3x and 7x faster than torch 2.13's for these shapes.
Buffers are allocated once; every call writes in place into views of the engine's tensors, so that the stop
rules, the optimizer state and the results stay the engine's.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

BETAS, EPS, MOMENTUM = (0.9, 0.999), 1e-8, 0.9  # torch.optim's defaults, and the momentum `fit` uses (both paths)


def supported(layers: int, fused: bool) -> bool:
    """Whether this path can run a configuration (the rest runs the engine's torch code)."""
    return layers == 1 and fused


class NumpyStep:
    """measure() then step(): the engine's forward/evaluate and backward/update for a `_Net` with one hidden layer.

    x, xv: per-row inputs (B, N, d), (B, M, d); y, yv: targets (1 or K, N), (1 or K, M); cur: the engine's
    (K or 2K, 2) array of this epoch's [train, val] losses (and accuracies), written by measure().
    """

    def __init__(self, net, x: torch.Tensor, xv: torch.Tensor, y, yv, cls: bool, opt, cur: np.ndarray):
        self.net, self.cls, self.opt, self.cur, self.K = net, cls, opt, cur, net.K
        B, c, dt = len(net.row_model), net.c, net.theta.numpy().dtype
        K, N, M = self.K, x.shape[1], xv.shape[1]
        xall = torch.cat([x, xv], 1).numpy()  # (B, N+M, d): one pass measures train and val
        self.x1 = np.concatenate([xall, np.ones((B, N + M, 1), dt)], 2)  # (B, N+M, d+1)
        self.x1t = np.ascontiguousarray(self.x1[:, :N].transpose(0, 2, 1))  # (B, d+1, N)
        self.y = y.numpy()
        self.yall = np.concatenate([np.broadcast_to(t.numpy(), (K, t.shape[1])) for t in (y, yv)], 1)  # (K, N+M)
        self.mean = np.zeros((N + M, 2), dt)  # train and val means as one product
        self.mean[:N, 0], self.mean[N:, 1] = 1 / N, 1 / M
        self.W1 = net.P[0].numpy()  # (B, d+1, c): weights, then the bias row
        self.wo = net.P[-2].numpy()  # (B, 1, c)
        self.wo_col = self.wo.transpose(0, 2, 1)  # (B, c, 1)
        self.bo = net.P[-1].numpy().reshape(-1, 1)  # (K, 1)
        self.G1, self.Gwo, self.gbo = net.G[0].numpy(), net.G[-2].numpy(), net.G[-1].numpy().reshape(-1)
        self.A = np.empty((B, N + M, c), dt)  # activations, train points then val points
        # the training points' activations (B, N, c), strided: numpy's products take them as they are, but its
        # elementwise passes over strided arrays are 2-3x slower than torch's: those go through torch views
        self.a = self.A[:, :N]
        self.outr = np.empty((B, N + M, 1), dt)  # each row's share of its model's outputs
        self.outs = np.empty((K, N + M), dt)  # outputs (K, N+M): train, then val
        self.res, self.sq = np.empty_like(self.outs), np.empty_like(self.outs)  # residuals and their squares
        self.D = np.empty((B, N, c), dt)  # derivative of the activation at the training points
        self.at, self.Dt = torch.from_numpy(self.A)[:, :N], torch.from_numpy(self.D)
        self.one = torch.ones(1, 1, 1, dtype=net.theta.dtype)
        self.UV = np.empty_like(self.x1t)  # d loss / d z, before the units' factors: (B, d+1, N)
        self.rm = net.row_model.numpy() if net.chunked else None
        self.r0 = np.asarray(net.r0)
        self.umask = None if net.umask is None else net.umask.numpy()
        self.act = net.act
        self.p, self.g = net.theta.numpy(), net.grad.numpy()
        self.tmp = np.empty_like(self.p)
        self.steps, self.n = torch.tensor(1e9), 0  # Adam: the kernel's step (float32, fixed) and ours
        self.adam = [[t] for t in opt.state]

    def _forward(self) -> None:
        """Outputs (K, N+M) at the training and validation points into outs; keeps the activations."""
        a = np.matmul(self.x1, self.W1, out=self.A)  # (B, N+M, c): x w + b in one product
        if self.act == "tanh":
            np.tanh(a, out=a)
        elif self.act == "relu":
            np.maximum(a, 0, out=a)
        elif self.act == "sigmoid":
            torch.sigmoid_(torch.from_numpy(a))  # numpy has no sigmoid; exp would overflow with warnings
        else:  # gelu needs erf: torch, on the same memory; backward needs z, kept aside
            z = torch.from_numpy(a)
            self.z = z[:, : self.D.shape[1]].clone()
            z.copy_(F.gelu(z))
        if self.umask is not None:
            a *= self.umask  # padded units of sigmoid
        o = np.matmul(a, self.wo_col, out=self.outr)[..., 0]  # (B, N+M)
        if self.rm is None:
            np.add(o, self.bo, out=self.outs)
        else:  # each model's rows are consecutive: sum them; a diverged model's inf/NaN stays its own
            np.add.reduceat(o, self.r0, axis=0, out=self.outs)
            self.outs += self.bo

    def measure(self) -> None:
        """Losses (and accuracies) at the current weights into cur: rows k (loss), K + k (accuracy)."""
        K, cur, out, y = self.K, self.cur, self.outs, self.yall
        self._forward()
        if self.cls:
            bce = F.binary_cross_entropy_with_logits(torch.from_numpy(out), torch.from_numpy(y), reduction="none")
            np.matmul(bce.numpy(), self.mean, out=cur[:K])
            np.matmul((out > 0) == y, self.mean, out=cur[K:])
        else:
            r = np.subtract(out, y, out=self.res)  # (K, N+M)
            np.matmul(np.multiply(r, r, out=self.sq), self.mean, out=cur)

    def step(self) -> None:
        """Backward from the last measure() and one optimizer update."""
        n = self.y.shape[1]
        if self.cls:  # d BCE / d logit = (sigmoid(logit) - y) / n
            dout = torch.sigmoid(torch.from_numpy(self.outs[:, :n])).numpy()
            dout -= self.y
            dout *= 1.0 / n
        else:
            dout = self.res[:, :n] * (2.0 / n)  # (K, n)
        np.add.reduce(dout, 1, out=self.gbo)  # ufunc methods: np.sum's Python wrapper costs more than the sum
        drow = dout if self.rm is None else dout[self.rm]  # (B, n)
        a, at, Dt = self.a, self.at, self.Dt
        np.matmul(drow[:, None, :], a, out=self.Gwo)  # (B, 1, c)
        # d loss / d w1[i, j] = wo[j] sum_n x1[n, i] dout[n] act'(z[n, j]): one product (B, d+1, N) @ (B, N, c)
        UV = np.multiply(self.x1t, drow[:, None, :], out=self.UV)
        D, G1 = self.D, self.G1
        # act' elementwise, as autograd has it: 1 - a^2 per element, not sum uv - uv @ a^2, which cancels
        # in float32 where units saturate (a^2 ~ 1)
        if self.act == "tanh":
            torch.addcmul(self.one, at, at, value=-1.0, out=Dt)  # 1 - a^2 in one pass
        elif self.act == "sigmoid":  # a (1 - a)
            torch.sub(at, torch.square(at, out=Dt), out=Dt)
        elif self.act == "relu":
            torch.sign(at, out=Dt)  # a >= 0: 1 where z > 0
        else:
            torch.from_numpy(D).copy_(torch.ops.aten.gelu_backward(torch.ones_like(self.z), self.z))
        np.matmul(UV, D, out=G1)
        G1 *= self.wo
        self._update()

    def _update(self) -> None:
        """The engine's optimizer (coupled weight decay) through torch's fused kernels: one call, not a dozen."""
        o, p, g = self.opt, self.p, self.g
        if o.wd:  # added here, not by the kernel: frozen models must see a zero gradient
            g += np.multiply(p, o.wd, out=self.tmp)
        if o.frozen:  # stopped models: a zero gradient on zeroed state leaves them still
            np.copyto(g, 0, where=self.frozen)
        pt, gt = self.net.theta, self.net.grad
        if o.name == "adam":
            # The kernel's bias corrections from its step tensor are 1 at step 1e9; ours ride on lr and eps, as
            # batched's own Adam has them: m / (sqrt(v) / bc2 + eps) = bc2 m / (sqrt(v) + eps bc2). Saves a call.
            self.n += 1
            bc1, bc2 = 1 - BETAS[0] ** self.n, math.sqrt(1 - BETAS[1] ** self.n)
            torch._fused_adam_([pt], [gt], *self.adam, [], [self.steps], lr=o.lr * bc2 / bc1, beta1=BETAS[0],
                               beta2=BETAS[1], weight_decay=0.0, eps=EPS * bc2, amsgrad=False, maximize=False)  # fmt: skip
        else:  # sgd; momentum as torch.optim.SGD (dampening 0, the buffer starts at zero)
            mom = MOMENTUM if o.name == "momentum" else 0.0
            torch._fused_sgd_([pt], [gt], o.state, weight_decay=0.0, momentum=mom, lr=o.lr, dampening=0.0,
                              nesterov=False, maximize=False, is_first_step=False)  # fmt: skip

    def bind(self, frozen: np.ndarray) -> NumpyStep:
        """The engine's frozen-parameter mask (P,), as its rules write it."""
        self.frozen = frozen
        return self
