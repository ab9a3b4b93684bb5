"""The CPU hot path of `batched.train_many`: a full-batch epoch of one-hidden-layer MLPs through numpy.

On the CPU a small batched step is bound by per-call overhead and by a few slow kernels: numpy calls cost a
quarter of torch's, and numpy's stacked matmul is 3x faster than torch 2.13's for these shapes. Which kernel is
fastest for an activation depends on the CPU: numpy's tanh is SIMD-fast with AVX-512 (7x torch's tanh), but 3x
slower on AVX2, where 1 - 2 / (1 + 2^u) through torch's exp2 wins; so each activation's kernel (and the first
layer's product) is chosen from the CPU's features by a rule measured with bench_batched.py (choose(), CHOSEN):
never by timing at start-up, so a machine always takes the same kernels and the same numbers. The kernels agree
to float32 rounding (tests/test_kernels.py).
Buffers are allocated once; every call writes in place into views of the engine's tensors, so that the stop
rules, the optimizer state and the results stay the engine's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

BETAS, EPS, MOMENTUM = (0.9, 0.999), 1e-8, 0.9  # torch.optim's defaults, and the momentum `fit` uses (both paths)
aten = torch.ops.aten


@dataclass(frozen=True)
class Kernel:
    """One way to compute an activation in place and its derivative, on numpy and torch views of one buffer.

    scale: the forward takes scale * z, which the caller gets by scaling the inputs of the product (x and its
    column of ones), so that the kernel saves a pass: exact for a power of two, else a relative change of z of
    one rounding, far below the float32 rounding of the activation itself.
    """

    act: str
    name: str
    scale: float
    forward: Callable[[np.ndarray, torch.Tensor], object]  # (a, at): scale * z -> act(z), in place
    # (a, z, out): act'(z) -> out (may be a); z is None where the kernel does not need it
    backward: Callable[[torch.Tensor, torch.Tensor | None, torch.Tensor], object]
    needs_z: bool = False  # backward reads z (else only the output a; z is then unused)


_ONE = {dt: torch.ones((), dtype=dt) for dt in (torch.float32, torch.float64)}


def _tanh_by_exp2(a: np.ndarray, at: torch.Tensor) -> None:
    """tanh z = 1 - 2 / (1 + 2^u) from u = 2 z / ln 2; right at both ends: 2^u = inf gives 1, 2^u = 0 gives -1."""
    torch.exp2_(at)  # torch's exp2: 0.43 ns per float32 where numpy's tanh takes 1.1 (AVX2, measured)
    np.add(a, 1.0, out=a)
    np.divide(-2.0, a, out=a)
    np.add(a, 1.0, out=a)


def _tanh_by_sigmoid(a: np.ndarray, at: torch.Tensor) -> None:
    """tanh z = 2 sigmoid(2z) - 1 from 2z."""
    torch.sigmoid_(at)
    np.multiply(a, 2.0, out=a)  # exact
    np.subtract(a, 1.0, out=a)


def _tanh_back(a: torch.Tensor, z: torch.Tensor | None, out: torch.Tensor) -> None:
    """1 - a^2 per element, as autograd has it (not a sum of products that cancels where units saturate)."""
    torch.addcmul(_ONE[a.dtype], a, a, value=-1.0, out=out)


def _sigmoid_back(a: torch.Tensor, z: torch.Tensor | None, out: torch.Tensor) -> None:
    """a (1 - a) as a - a a, in one pass."""
    torch.addcmul(a, a, a, value=-1.0, out=out)


def _relu_back(a: torch.Tensor, z: torch.Tensor | None, out: torch.Tensor) -> None:
    """1 where z > 0 (where a > 0), else 0, as autograd has it."""
    torch.gt(a, 0, out=out)


def _linear_back(a: torch.Tensor, z: torch.Tensor | None, out: torch.Tensor) -> None:
    """The identity's derivative: 1 everywhere."""
    out.fill_(1.0)


def _gelu_back(a: torch.Tensor, z: torch.Tensor | None, out: torch.Tensor) -> None:
    """gelu'(z), by the op autograd uses."""
    assert z is not None  # its kernel needs_z: the engine keeps z
    aten.gelu_backward.grad_input(_ONE[z.dtype].expand_as(z), z, grad_input=out)


# Every kernel of an activation gives the same function to float32 rounding (tests/test_kernels.py checks each
# against float64); the first is the reference, choose() picks one per CPU.
KERNELS: dict[str, tuple[Kernel, ...]] = {
    "tanh": (
        Kernel("tanh", "numpy", 1.0, lambda a, at: np.tanh(a, out=a), _tanh_back),  # SIMD-fast on AVX-512
        Kernel("tanh", "exp2", 2 / math.log(2), _tanh_by_exp2, _tanh_back),
        Kernel("tanh", "sigmoid", 2.0, _tanh_by_sigmoid, _tanh_back),
    ),
    # numpy has no sigmoid (and exp would overflow with warnings)
    "sigmoid": (Kernel("sigmoid", "torch", 1.0, lambda a, at: torch.sigmoid_(at), _sigmoid_back),),
    "relu": (  # torch's relu was 3x numpy's maximum with AVX2 and with AVX-512 here: ARM decides for itself
        Kernel("relu", "torch", 1.0, lambda a, at: torch.relu_(at), _relu_back),
        Kernel("relu", "numpy", 1.0, lambda a, at: np.maximum(a, 0, out=a), _relu_back),
    ),
    "gelu": (Kernel("gelu", "torch", 1.0, lambda a, at: aten.gelu.out(at, out=at), _gelu_back, needs_z=True),),
    "linear": (Kernel("linear", "identity", 1.0, lambda a, at: None, _linear_back),),  # z is already the output
}
PRODUCTS = ("matmul", "addcmul")  # x1 @ W1 for 1-D inputs: numpy's stacked product, or x w + b by torch's addcmul


def cpu_features() -> dict[str, bool]:
    """numpy's runtime CPU features (what its SIMD dispatch uses; NPY_DISABLE_CPU_FEATURES turns some off)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as f  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1.26
        # mypy takes this second binding of f (numpy 1's module) for a redefinition
        from numpy.core._multiarray_umath import __cpu_features__ as f  # type: ignore[no-redef]
    return dict(f)


def choose(features: dict[str, bool]) -> dict[str, str]:
    """The kernel of each activation (and the first layer's product) for a CPU with these features.

    A rule on the CPU's features, not a timing: a result must not depend on how busy the machine was when the
    process started. The rule is what bench_batched.py measured (it prints every candidate's time): numpy's
    float32 tanh and OpenBLAS's small stacked products are SIMD-fast with AVX-512 (tanh 0.40 ns per value);
    without it numpy's tanh took 1.1 ns (AVX2) to 4.4 ns (scalar), where 1 - 2 / (1 + 2^u) through torch's exp2
    takes 0.6, and torch's addcmul beat the stacked product 1.5x. relu: torch's was 3-5x numpy's maximum on both.
    """
    wide = bool(features.get("AVX512_SKX"))
    return {
        "tanh": "numpy" if wide else "exp2",
        "sigmoid": "torch",
        "relu": "torch",
        "gelu": "torch",
        "linear": "identity",
        "product": "matmul" if wide else "addcmul",
    }


CHOSEN: dict[str, str] = choose(cpu_features())  # activation (or "product") -> its kernel's name on this machine


def kernel(act: str) -> Kernel:
    """The kernel of act on this machine (CHOSEN)."""
    return next(k for k in KERNELS[act] if k.name == CHOSEN[act])


def product() -> str:
    """How this machine computes the first layer's x1 @ W1 for 1-D inputs (one of PRODUCTS)."""
    return CHOSEN["product"]


def tanh_(z: torch.Tensor) -> torch.Tensor:
    """tanh in place on a contiguous CPU tensor by this machine's kernel (scaling z here costs one pass)."""
    k, a = kernel("tanh"), z.numpy()
    if k.scale != 1:
        np.multiply(a, k.scale, out=a)
    k.forward(a, z)
    return z


def supported(layers: int, fused: bool) -> bool:
    """Whether this path can run a configuration (the rest runs the engine's torch code)."""
    return layers == 1 and fused


class NumpyStep:
    """measure() then step(): the engine's forward/evaluate and backward/update for a `_Net` with one hidden layer.

    x, xv: per-row inputs (B, N, d), (B, M, d); y, yv: targets (1 or K, N), (1 or K, M); cur: the engine's
    (K or 2K, 2) array of this epoch's [train, val] losses (and accuracies), written by measure().
    """

    def __init__(self, net, x: torch.Tensor, xv: torch.Tensor, y, yv, cls: bool, opt, cur: np.ndarray):
        if opt.name not in ("adam", "sgd", "momentum"):  # _update knows these three; never a silent SGD
            raise ValueError(f"unknown optimizer {opt.name!r}")
        self.net, self.cls, self.opt, self.cur, self.K = net, cls, opt, cur, net.K
        B, c, dt = len(net.row_model), net.c, net.theta.numpy().dtype
        K, N, M = self.K, x.shape[1], xv.shape[1]
        self.kern = k = kernel(net.act)
        xall = torch.cat([x, xv], 1).numpy()  # (B, N+M, d): one pass measures train and val
        x1 = np.concatenate([xall, np.ones((B, N + M, 1), dt)], 2)  # (B, N+M, d+1)
        self.x1t = np.ascontiguousarray(x1[:, :N].transpose(0, 2, 1))  # (B, d+1, N)
        self.x1 = x1 * k.scale if k.scale != 1 else x1  # the product then gives the kernel's scale * z
        self.y = y.numpy()
        self.yall = np.concatenate([np.broadcast_to(t.numpy(), (K, t.shape[1])) for t in (y, yv)], 1)  # (K, N+M)
        self.mean = np.zeros((N + M, 2), dt)  # train and val means as one product
        self.mean[:N, 0], self.mean[N:, 1] = 1 / N, 1 / M
        self.W1 = net.P[0].numpy()  # (B, d+1, c): weights, then the bias row
        self.W1t, self.sb = net.P[0], None  # sb: the first product by addcmul, from the bias times the scale
        if x.shape[2] == 1 and product() == "addcmul":
            self.xs = torch.from_numpy(self.x1[..., :1])  # (B, N+M, 1): scale * x
            self.sb = np.empty_like(self.W1[:, 1:]) if k.scale != 1 else self.W1[:, 1:]  # (B, 1, c)
            self.sbt = torch.from_numpy(self.sb)
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
        self.At = torch.from_numpy(self.A)
        self.at = self.At[:, :N]
        self.Z = np.empty((B, N, c), dt) if k.needs_z else None  # pre-activations of the training points
        self.Zt = torch.from_numpy(self.Z) if k.needs_z else None
        self.UV = np.empty_like(self.x1t)  # d loss / d z, before the units' factors: (B, d+1, N)
        self.rm = net.row_model.numpy() if net.chunked else None
        self.rm_t, self.outs_t, self.o_t = (
            net.row_model,
            torch.from_numpy(self.outs),
            torch.from_numpy(self.outr[..., 0]),
        )
        self.umask = None if net.umask is None else net.umask.numpy()
        self.p, self.g = net.theta.numpy(), net.grad.numpy()
        self.tmp = np.empty_like(self.p)
        self.steps, self.n = torch.tensor(1e9), 0  # Adam: the kernel's step (float32, fixed) and ours
        self.adam = [[t] for t in opt.state]

    def _forward(self) -> None:
        """Outputs (K, N+M) at the training and validation points into outs; keeps the activations."""
        a = self.A  # (B, N+M, c): x w + b (times the kernel's scale) in one product, or one addcmul for 1-D x
        if self.sb is None:
            np.matmul(self.x1, self.W1, out=a)
        else:
            if self.kern.scale != 1:
                np.multiply(self.W1[:, 1:], self.kern.scale, out=self.sb)
            torch.addcmul(self.sbt, self.xs, self.W1t[:, :1], out=self.At)
        if self.Z is not None:
            np.copyto(self.Z, self.a)
        self.kern.forward(a, self.At)
        if self.umask is not None:
            a *= self.umask  # padded units of sigmoid
        o = np.matmul(a, self.wo_col, out=self.outr)[..., 0]  # (B, N+M)
        if self.rm is None:
            np.add(o, self.bo, out=self.outs)
        else:  # each model's rows added to its bias (torch's index_add: 2.4x numpy's reduceat); inf/NaN stay its own
            np.copyto(self.outs, self.bo)
            self.outs_t.index_add_(0, self.rm_t, self.o_t)

    def measure(self) -> None:
        """Losses (and accuracies) at the current weights into cur: rows k (loss), K + k (accuracy)."""
        K, cur, out, y = self.K, self.cur, self.outs, self.yall
        self._forward()
        if self.cls:
            bce = F.binary_cross_entropy_with_logits(torch.from_numpy(out), torch.from_numpy(y), reduction="none")
            np.matmul(bce.numpy(), self.mean, out=cur[:K])
            np.matmul((out > 0) == y, self.mean, out=cur[K:])
            np.minimum(cur[K:], 1.0, out=cur[K:])  # n float32 copies of 1/n can sum to 1.0000001
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
        np.matmul(drow[:, None, :], self.a, out=self.Gwo)  # (B, 1, c)
        # d loss / d w1[i, j] = wo[j] sum_n x1[n, i] dout[n] act'(z[n, j]): one product (B, d+1, N) @ (B, N, c)
        UV = np.multiply(self.x1t, drow[:, None, :], out=self.UV)
        # act' elementwise, as autograd has it, over the activations, which this epoch needs no more: a buffer less
        # keeps the working set nearer the core's cache
        self.kern.backward(self.at, self.Zt, self.at)
        G1 = np.matmul(UV, self.a, out=self.G1)
        G1 *= self.wo
        self._update()

    def _update(self) -> None:
        """The engine's optimizer (coupled weight decay) through torch's fused kernels: one call, not a dozen."""
        o, p, g = self.opt, self.p, self.g
        if o.l1w is not None:  # l1 * sign(w) at the weights, before the weight decay, as the engine's torch step
            np.sign(p, out=self.tmp)
            g += np.multiply(self.tmp, o.l1w.numpy(), out=self.tmp)
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
            exp_avg, exp_avg_sq = self.adam  # one-tensor lists, as the kernel takes them
            torch._fused_adam_([pt], [gt], exp_avg, exp_avg_sq, [], [self.steps], lr=o.lr * bc2 / bc1,
                               beta1=BETAS[0], beta2=BETAS[1], weight_decay=0.0, eps=EPS * bc2, amsgrad=False,
                               maximize=False)  # fmt: skip
        else:  # sgd; momentum as torch.optim.SGD (dampening 0, the buffer starts at zero)
            mom = MOMENTUM if o.name == "momentum" else 0.0
            torch._fused_sgd_([pt], [gt], o.state, weight_decay=0.0, momentum=mom, lr=o.lr, dampening=0.0,
                              nesterov=False, maximize=False, is_first_step=False)  # fmt: skip

    def bind(self, frozen: np.ndarray) -> NumpyStep:
        """The engine's frozen-parameter mask (P,), as its rules write it."""
        self.frozen = frozen
        return self
