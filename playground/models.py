"""Models: Legendre polynomials fitted in closed form, and the MLP `nn.Module`."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .settings import ModelSettings, hidden_widths

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "linear": nn.Identity,  # every layer stays linear: the network is a linear model, however deep
}


# --- polynomials ----------------------------------------------------------------------


Span = tuple[float, float]  # an x interval (lo, hi)
UNIT: Span = (-1.0, 1.0)  # where the Legendre basis lives


def to_unit(x: torch.Tensor | np.ndarray, span: Span = UNIT) -> np.ndarray:
    """x mapped affinely from span onto [-1, 1], float64 numpy (span = UNIT returns x itself)."""
    x = x.detach().double().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=np.float64)
    lo, hi = float(span[0]), float(span[1])
    if (lo, hi) == UNIT:  # exact: no rounding for the generated data's own domain
        return x
    return (2.0 * x - (lo + hi)) / (hi - lo)


def legendre(x: torch.Tensor | np.ndarray, degree: int, span: Span = UNIT) -> torch.Tensor:
    """Legendre basis P_0..P_degree at x, with span mapped onto [-1, 1]: (..., N) -> (..., N, degree + 1), float64."""
    # numpy, not torch: a torch call releases and retakes the GIL, which costs a busy server far more than the
    # arithmetic (py-spy: the recurrence was a quarter of the server's time under 20 sessions)
    x = to_unit(x, span)
    out = np.empty((*x.shape, degree + 1))
    out[..., 0] = 1.0
    if degree >= 1:
        out[..., 1] = x
    for k in range(1, degree):  # Bonnet: (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}
        out[..., k + 1] = ((2 * k + 1) * x * out[..., k] - k * out[..., k - 1]) / (k + 1)
    return torch.from_numpy(out)


def min_norm(a: torch.Tensor, b: torch.Tensor, rtol: float | None = None) -> torch.Tensor:
    """Minimum-norm least squares pinv(a) @ b by SVD, batched, on a's device: a (..., N, p), b (..., N) -> (..., p).

    Singular values at or below rtol * the largest count as zero; rtol defaults to eps * max(N, p), as
    numpy's lstsq and torch's pinv do.
    """
    # Not torch's lstsq: its batched "gelsy" driver reads an uninitialised pivot array on the CPU (wrong and
    # irreproducible minimum-norm solutions), and "gelsd" exists on the CPU only. The SVD is one code path on every
    # backend, deterministic for a given input, and reveals the rank directly.
    b = b.to(a)  # dtype and device of a
    u, s, vh = torch.linalg.svd(a, full_matrices=False)  # (..., N, r), (..., r), (..., r, p); r = min(N, p)
    tol = (torch.finfo(a.dtype).eps * max(a.shape[-2:]) if rtol is None else rtol) * s[..., :1]
    s_inv = torch.where(s > tol, 1.0 / s, torch.zeros_like(s))  # (..., r)
    ub = (u.mT @ b.unsqueeze(-1)).squeeze(-1)  # (..., r)
    return (vh.mT @ (s_inv * ub).unsqueeze(-1)).squeeze(-1)  # (..., p)


def poly_coef(x: torch.Tensor, y: torch.Tensor, degree: int, ridge: float = 0.0, span: Span = UNIT) -> torch.Tensor:
    """Coefficients c minimizing mean (A c - y)^2 + ridge * |c[1:]|^2; x, y: (..., N) -> (..., d + 1)."""
    return solve_basis(legendre(x, degree, span), y, ridge)


def solve_basis(a: torch.Tensor, y: torch.Tensor, ridge: float = 0.0) -> torch.Tensor:
    """Least squares on a basis a (..., N, D), with the ridge penalty on all but the first column."""
    y = y.double()
    if ridge > 0:  # solve the augmented system [A/√N; √λ P] c = [y/√N; 0]; the constant is not penalized
        n, d = a.shape[-2], a.shape[-1]
        p = math.sqrt(ridge) * torch.eye(d, dtype=a.dtype)[1:]  # (D-1, D)
        p = p.expand(*a.shape[:-2], d - 1, d)
        a = torch.cat([a / math.sqrt(n), p], dim=-2)
        y = torch.cat([y / math.sqrt(n), y.new_zeros(*y.shape[:-1], d - 1)], dim=-1)
    return min_norm(a, y)


@dataclass(frozen=True)
class PolyModel:
    """A fitted polynomial in the Legendre basis, on the x interval `span` mapped onto [-1, 1]."""

    coef: torch.Tensor  # (D,)
    span: Span = UNIT

    @property
    def degree(self) -> int:
        """Polynomial degree."""
        return len(self.coef) - 1

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Predictions at x: (N,) -> (N,)."""
        return legendre(torch.as_tensor(x), self.degree, self.span) @ self.coef


def fit_poly(x: torch.Tensor, y: torch.Tensor, degree: int, ridge: float = 0.0, span: Span = UNIT) -> PolyModel:
    """Fit one polynomial by least squares (min-norm when parameters exceed points), its basis on `span`."""
    return PolyModel(poly_coef(x, y, degree, ridge, span), (float(span[0]), float(span[1])))


def poly_fits(x: torch.Tensor, y: torch.Tensor, deg_max: int, ridge: float = 0.0, span: Span = UNIT) -> torch.Tensor:
    """Least-squares Legendre coefficients of every degree 0..deg_max: (..., N) -> (..., K, D), zero-padded.

    Row k holds the degree-k fit (the minimum-norm one when k + 1 > N; with ridge, the ridge one). One QR of the
    full basis serves every degree: the QR of the leading k + 1 columns is the leading block of it.
    """
    a = legendre(x, deg_max, span)  # (..., N, D)
    y = y.double()
    n, d = a.shape[-2], a.shape[-1]
    if ridge > 0:  # [A/√N; √λ P] c = [y/√N; 0] as solve_basis; P's rows past column k are zero in the leading block
        p = (math.sqrt(ridge) * torch.eye(d, dtype=a.dtype)[1:]).expand(*a.shape[:-2], d - 1, d)
        a = torch.cat([a / math.sqrt(n), p], dim=-2)
        y = torch.cat([y / math.sqrt(n), y.new_zeros(*y.shape[:-1], d - 1)], dim=-1)
        n = a.shape[-2]
    m = min(n, d)  # degrees 0..m-1 are overdetermined (or square)
    q, r = torch.linalg.qr(a[..., :m])  # (..., N, m), (..., m, m)
    # Repeated x values make the basis rank-deficient before column N (10 distinct x: from degree 10). Degrees
    # from the first (numerically) dependent column on go to the minimum-norm solver, as past N.
    dr = r.diagonal(dim1=-2, dim2=-1).abs().reshape(-1, m)  # (batch, m)
    tol = max(n, d) * torch.finfo(a.dtype).eps * dr.max(-1, keepdim=True).values
    m = int((dr > tol).to(torch.int8).cumprod(-1).sum(-1).min())  # leading independent columns, in every batch
    q, r = q[..., :m], r[..., :m, :m]  # the QR of the leading columns is the leading block
    qy = (q.mT @ y.unsqueeze(-1)).squeeze(-1)  # (..., m)
    eye = torch.eye(m, dtype=a.dtype).expand_as(r)
    ri = torch.linalg.solve_triangular(r, eye, upper=True)  # (..., m, m), upper triangular
    # c_k = inv(R)[:k+1, :k+1] @ qy[:k+1] is a running sum over columns; entries past k vanish (inv(R) is triangular).
    c = torch.cumsum(ri * qy.unsqueeze(-2), dim=-1).mT  # (..., m, m): row k = degree k
    c = nn.functional.pad(c, (0, d - m))  # (..., m, D)
    rows = [c]
    for k in range(m, d):  # more parameters than points: the minimum-norm interpolant
        ck = min_norm(a[..., : k + 1], y)  # (..., k + 1)
        rows.append(nn.functional.pad(ck, (0, d - k - 1)).unsqueeze(-2))
    return torch.cat(rows, dim=-2)  # (..., K, D)


def poly_errors(
    x: torch.Tensor,
    y: torch.Tensor,
    xv: torch.Tensor,
    yv: torch.Tensor,
    max_degree: int,
    ridge: float = 0.0,
    span: Span = UNIT,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Train and validation MSE of every degree 0..max_degree, basis on `span`; x, y: (..., N) -> two (..., D)."""
    c = poly_fits(x, y, max_degree, ridge, span)  # (..., D, D): row k = degree k
    tr = (c @ legendre(x, max_degree, span).mT - y.double().unsqueeze(-2)).pow(2).mean(-1)
    va = (c @ legendre(xv, max_degree, span).mT - yv.double().unsqueeze(-2)).pow(2).mean(-1)
    return tr, va


# --- MLP ------------------------------------------------------------------------------


class MLP(nn.Module):
    """Fully-connected net: n_in -> hidden... -> n_out, activation and dropout after each hidden layer."""

    def __init__(
        self,
        n_in: int = 1,
        hidden: tuple[int, ...] = (64,),
        activation: str = "tanh",
        dropout: float = 0.0,
        n_out: int = 1,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        sizes = (n_in, *hidden)
        # Built on the meta device: nn.Linear's own init would draw from torch's global generator, which a
        # dropout run in another session is using (under train's lock); reset() below is the only draw.
        with torch.device("meta"):
            for a, b in itertools.pairwise(sizes):
                layers += [nn.Linear(a, b), ACTIVATIONS[activation]()]
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
            layers.append(nn.Linear(sizes[-1], n_out))
        self.net = nn.Sequential(*layers).to_empty(device="cpu")
        self.reset(generator)

    def reset(self, generator: torch.Generator | None = None) -> None:
        """PyTorch's default Linear init, U(-1/√fan_in, 1/√fan_in), drawn from `generator`."""
        for m in self.net:
            if isinstance(m, nn.Linear):
                b = 1.0 / math.sqrt(m.in_features)
                nn.init.uniform_(m.weight, -b, b, generator=generator)
                nn.init.uniform_(m.bias, -b, b, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, n_in) -> (N, n_out)."""
        return self.net(x)

    def infer(self, x: torch.Tensor) -> torch.Tensor:
        """(N, n_in) -> (N, n_out) as in eval mode (dropout off), whatever the mode: a snapshot mid-training."""
        for m in self.net:
            x = x if isinstance(m, nn.Dropout) else m(x)
        return x


def build_mlp(m: ModelSettings, n_in: int = 1, seed: int = 0, hidden_layers: int | Sequence[int] | None = None) -> MLP:
    """The MLP the settings describe, initialized from `seed`; `hidden_layers`: a count of m.width, or the widths."""
    hidden = hidden_widths(m.width, m.layers if hidden_layers is None else hidden_layers)
    g = torch.Generator().manual_seed(seed)
    return MLP(n_in, hidden, m.activation, m.dropout, 1, g)


def n_params(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def mlp_params(n_in: int, hidden: tuple[int, ...], n_out: int = 1) -> int:
    """Parameter count of an MLP without building it."""
    sizes = (n_in, *hidden, n_out)
    return sum(a * b + b for a, b in itertools.pairwise(sizes))
