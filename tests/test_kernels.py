"""npstep's activation kernels: every one, whatever this machine would choose, against float64 torch and autograd.

A kernel takes scale * z in place (the engine folds the scale into its inputs) and gives act(z); its backward gives
act'(z) from that output (and z). The references are torch's own activations and their autograd derivatives in
float64, at the very inputs the kernel saw (z rounded to the kernel's dtype).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground import npstep

REF = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "gelu": F.gelu, "linear": lambda z: z * 1}
EPS = {torch.float32: float(np.finfo(np.float32).eps), torch.float64: float(np.finfo(np.float64).eps)}
ALL = [k for ks in npstep.KERNELS.values() for k in ks]


def inputs(dtype: torch.dtype) -> torch.Tensor:
    """Pre-activations over the range that matters, both tails, tiny values, zero and huge values."""
    g = torch.Generator().manual_seed(0)
    z = torch.cat(
        [
            torch.linspace(-12, 12, 4001, dtype=torch.float64),
            torch.randn(3000, generator=g, dtype=torch.float64) * 3,
            torch.tensor([0.0, 1e-30, -1e-30, 1e-8, -1e-8, 44.0, -44.0, 50.0, -50.0, 1e4, -1e4, 1e30, -1e30]).double(),
        ]
    )
    return z.to(dtype)


def run(k: npstep.Kernel, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The kernel's forward and backward at z, as the engine calls them: (act(z), act'(z)) in z's dtype."""
    a = (z * k.scale).numpy().copy()  # the engine's product gives scale * z: here one rounding too
    at = torch.from_numpy(a)
    k.forward(a, at)
    d = at.clone()
    k.backward(d, z, d)  # in place, as the engine calls it
    return at, d


def reference_in(act: str, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """act(z) and act'(z) by torch's activation and autograd, in z's dtype."""
    z = z.clone().requires_grad_(True)
    a = REF[act](z)
    (d,) = torch.autograd.grad(a.sum(), z)
    return a.detach(), d


def reference(act: str, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """act(z) and act'(z) in float64, at the same (rounded) z."""
    return reference_in(act, z.double())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("k", ALL, ids=[f"{k.act}-{k.name}" for k in ALL])
def test_kernel_matches_float64_torch_and_autograd(k: npstep.Kernel, dtype: torch.dtype) -> None:
    """Value by value as close to float64 as the plain loop's own op in that dtype (torch's activation and its
    autograd derivative), give or take two roundings of the dtype (four for the derivative): absolute near 0,
    where 1 - 2 / (1 + 2^u) cancels as float32's rounding of values near 1 does, relative where |act| > 1."""
    z = inputs(dtype)
    a, d = run(k, z)
    ra, rd = reference(k.act, z)
    la, ld = (t.double() for t in reference_in(k.act, z))  # what the plain loop computes in this dtype
    eps = EPS[dtype]
    ok = (a.double() - ra).abs() <= (la - ra).abs() + 2 * eps * ra.abs().clamp_min(1)
    assert ok.all(), f"forward off at z = {z[~ok][:5].tolist()}"
    ok = (d.double() - rd).abs() <= (ld - rd).abs() + 4 * eps * rd.abs().clamp_min(1)
    assert ok.all(), f"backward off at z = {z[~ok][:5].tolist()}"
    assert a.dtype == d.dtype == dtype


@pytest.mark.parametrize("k", ALL, ids=[f"{k.act}-{k.name}" for k in ALL])
def test_kernel_edges(k: npstep.Kernel) -> None:
    """act(0) exactly as torch's (padded units of zero weights stay exactly zero under tanh, relu and gelu),
    the saturated ends exactly, no NaN from overflow (2^u = inf), and a diverged model's NaN stays NaN."""
    for dtype in (torch.float32, torch.float64):
        z = torch.tensor([0.0, 1e4, -1e4, 1e30, -1e30, math.nan], dtype=dtype)
        a, d = run(k, z)
        ra = REF[k.act](z.double())
        assert a[0].item() == ra[0].item()
        if k.act != "gelu":  # gelu's tails are z and 0, within rounding of z
            assert torch.equal(a[1:5].double(), ra[1:5])
        assert torch.isfinite(a[:5]).all() and torch.isfinite(d[:5]).all()
        assert math.isnan(a[5].item())


@pytest.mark.parametrize(
    ("features", "tanh", "product"),
    [
        ({"AVX2": True, "AVX512F": True, "AVX512_SKX": True}, "numpy", "matmul"),  # numpy's SIMD tanh
        ({"AVX2": True, "AVX512F": False, "AVX512_SKX": False}, "exp2", "addcmul"),  # AVX2 only
        ({"ASIMD": True, "NEON": True}, "exp2", "addcmul"),  # ARM
        ({}, "exp2", "addcmul"),
    ],
)
def test_kernels_follow_the_cpu_features_not_a_timing(features, tanh, product) -> None:
    """A machine always takes the same kernels: a result never depends on how busy it was at start-up."""
    chosen = npstep.choose(features)
    assert (chosen["tanh"], chosen["product"]) == (tanh, product)
    assert set(chosen) == {*npstep.KERNELS, "product"} and chosen["product"] in npstep.PRODUCTS
    for act, ks in npstep.KERNELS.items():
        assert chosen[act] in {k.name for k in ks}
    assert npstep.choose(npstep.cpu_features()) == npstep.CHOSEN  # this machine, by the same rule


def test_every_activation_has_its_reference_kernel_first() -> None:
    """The first kernel of each activation is the one kept unless another is clearly faster; all compute the
    activation their key names, with a positive scale."""
    assert set(npstep.KERNELS) == set(REF)
    for act, ks in npstep.KERNELS.items():
        assert ks and all(k.act == act and k.scale > 0 for k in ks)
        assert len({k.name for k in ks}) == len(ks)
        assert npstep.kernel(act) in ks


@pytest.mark.parametrize("name", [k.name for k in npstep.KERNELS["tanh"]])
def test_tanh_in_place_for_the_torch_path(monkeypatch, name: str) -> None:
    """The engine's autograd-free torch path (mini-batches, deeper nets) takes tanh_ with unscaled z."""
    monkeypatch.setitem(npstep.CHOSEN, "tanh", name)
    for dtype in (torch.float32, torch.float64):
        z = inputs(dtype)
        out = npstep.tanh_(z.clone())
        err, ref_err = (
            (out.double() - torch.tanh(z.double())).abs(),
            (torch.tanh(z).double() - torch.tanh(z.double())).abs(),
        )
        assert (err <= ref_err + 3 * EPS[dtype]).all()
