"""GPU benchmark: K=1024 MLPs 1-64-1 tanh, N=30, 2000 full-batch Adam steps, CUDA graph against eager.

Run from the repo root on a CUDA machine: python benchmarks/gpu_batched.py  (well under a minute on an H100)
It needs only torch: part 1 is a self-contained copy of the engine's training step (hand-written backward, one
Adam update on a flat tensor), eager and replayed from a CUDA graph. Part 2 runs when the `playground` package
imports (it needs numpy): `train_many` itself on CUDA, graph against eager, with checks that both give the same
histories and stop decisions (early stopping, divergence, callback), and that float64 CUDA matches the CPU.
Exits 0 with a message when there is no CUDA; exits 1 when a check fails.
Reference on an H100 (bmm + autograd + fused Adam, performance.md): ~0.25 s with graphs, ~1.9 s eager.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import torch

K, N, H, STEPS, LR = 1024, 30, 64, 2000, 0.01
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  [{'ok' if ok else 'FAIL'}] {what}", flush=True)
    if not ok:
        failures.append(what)


def standalone() -> None:
    """Part 1: the training step alone, K models in (K, N, H) tensors, eager vs CUDA graph."""
    dev = torch.device("cuda")
    g = torch.Generator(device=dev).manual_seed(0)
    x = torch.rand(K, N, 1, device=dev, generator=g) * 2 - 1
    y = torch.sin(3 * x.squeeze(-1)) + 0.3 * torch.randn(K, N, device=dev, generator=g)
    sizes = [K * H, K * H, K * H, K]  # W1 (K,1,H), b1 (K,1,H), w2 (K,1,H), b2 (K,1)

    def init() -> dict:
        theta = torch.empty(sum(sizes), device=dev)
        theta.uniform_(-1, 1, generator=torch.Generator(device=dev).manual_seed(1))
        theta[2 * K * H :].mul_(1 / math.sqrt(H))  # the output layer's fan-in is H
        s = {"theta": theta, "grad": torch.zeros_like(theta), "m": torch.zeros_like(theta)}
        s.update(v=torch.zeros_like(theta), t=torch.zeros((), device=dev))
        w1, b1, w2, b2 = theta.split(sizes)
        g1, gb1, g2, gb2 = s["grad"].split(sizes)
        s["p"] = [w1.view(K, 1, H), b1.view(K, 1, H), w2.view(K, 1, H), b2.view(K, 1)]
        s["g"] = [g1.view(K, 1, H), gb1.view(K, 1, H), g2.view(K, 1, H), gb2.view(K, 1)]
        return s

    def step(s: dict) -> None:
        (w1, b1, w2, b2), (g1, gb1, g2, gb2) = s["p"], s["g"]
        a = torch.tanh(torch.addcmul(b1, x, w1))  # (K, N, H)
        r = (a * w2).sum(-1) + b2 - y  # (K, N)
        d = r * (2.0 / N)  # d mse / d out
        torch.sum(d, 1, keepdim=True, out=gb2)
        torch.bmm(d.unsqueeze(1), a, out=g2)
        dz = torch.ops.aten.tanh_backward(d.unsqueeze(-1) * w2, a)
        torch.bmm(x.transpose(1, 2), dz, out=g1)
        torch.sum(dz, 1, keepdim=True, out=gb1)
        m, v, t, p, gr = s["m"], s["v"], s["t"], s["theta"], s["grad"]
        t.add_(1)
        m.lerp_(gr, 0.1)
        v.mul_(0.999).addcmul_(gr, gr, value=0.001)
        bc1, bc2 = 1 - torch.pow(0.9, t), 1 - torch.pow(0.999, t)
        p.addcdiv_(m, v.sqrt().div_(bc2.sqrt()).add_(1e-8).mul_(bc1).div_(-LR))

    def loss(s: dict) -> torch.Tensor:
        w1, b1, w2, b2 = s["p"]
        return ((torch.tanh(torch.addcmul(b1, x, w1)) * w2).sum(-1) + b2 - y).square().mean(1)

    s = init()
    for _ in range(3):  # warm-up (kernels, allocator)
        step(s)
    s = init()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(STEPS):
        step(s)
    torch.cuda.synchronize()
    eager = time.perf_counter() - t0
    le = loss(s)

    s = init()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step(s)
    torch.cuda.current_stream().wait_stream(side)
    s2 = init()
    for key in ("theta", "m", "v", "t"):
        s[key].copy_(s2[key])
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step(s)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(STEPS):
        graph.replay()
    torch.cuda.synchronize()
    graphed = time.perf_counter() - t0
    lg = loss(s)
    print(f"  eager       {eager:7.3f} s  ({eager / STEPS * 1e6:6.1f} us per step for {K} models)")
    print(f"  CUDA graph  {graphed:7.3f} s  ({graphed / STEPS * 1e6:6.1f} us per step)  {eager / graphed:5.1f}x")
    check(torch.allclose(le, lg, rtol=1e-4, atol=1e-6), "graph and eager reach the same losses")
    check(bool((lg < loss(init())).all()), "every model's loss went down")


def engine() -> None:
    """Part 2: train_many on CUDA, graph vs eager, and its stop rules under the graph."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        import numpy as np

        from playground.batched import train_many
        from playground.settings import ModelSettings, TrainSettings
    except ImportError as e:
        print(f"  skipped: playground does not import here ({e})")
        return

    g = torch.Generator().manual_seed(0)
    x, xv = torch.rand(K, N, generator=g) * 2 - 1, torch.rand(K, N, generator=g) * 2 - 1
    y, yv = torch.sin(3 * x) + 0.3 * torch.randn(K, N, generator=g), torch.sin(3 * xv)
    m, t = ModelSettings(family="mlp", width=H), TrainSettings(epochs=STEPS, lr=LR)

    def run(graph: bool, **kw):
        kw = {"x": x, "y": y, "x_val": xv, "y_val": yv, "widths": [H] * K, "model": m, "train": t} | kw
        return train_many(**kw, device="cuda", cuda_graph=graph)

    for graph in (False, True):  # warm-up
        run(graph, train=t.changed(epochs=10))
    times = {}
    for graph in (False, True):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        res = run(graph)  # returns numpy results: synchronized
        times[graph] = (time.perf_counter() - t0, res)
    (te, re), (tg, rg) = times[False], times[True]
    print(f"  train_many eager       {te:7.3f} s  (with per-epoch validation loss and bookkeeping)")
    print(f"  train_many CUDA graph  {tg:7.3f} s  {te / tg:5.1f}x")
    # the same kernels in the same order: equal up to the (rare) nondeterministic kernel
    check(np.allclose(re.train_loss, rg.train_loss, rtol=1e-5, atol=1e-7, equal_nan=True), "same train losses")
    check(np.allclose(re.val_loss, rg.val_loss, rtol=1e-5, atol=1e-7, equal_nan=True), "same val losses")

    # stop rules under the graph: early stopping, a diverging model, a callback, mixed widths (row chunks, whose
    # index_add uses atomics on CUDA: not bitwise reproducible, and Adam amplifies that rounding noise over
    # hundreds of epochs in float32, so that case compares in float64)
    yd = y[:64].clone()
    yd[3] *= 30  # plain SGD blows up on this one
    widths = [2, 4, 8, 16, 32, 64, 128, 256] * 8
    cases = {
        "early stopping": dict(train=t.changed(epochs=400, lr=0.05, early_stopping=True, patience=20)),
        "divergence (sgd)": dict(
            x=x[:64],
            y=yd,
            x_val=xv[:64],
            y_val=yv[:64],
            widths=[H] * 64,
            train=t.changed(epochs=60, optimizer="sgd", lr=0.1),
        ),
        "callback stops at 100": dict(train=t.changed(epochs=300), callback=lambda r: r.epoch < 100, every=50),
        "mixed widths 2..256": dict(
            x=x[:64].double(),
            y=y[:64].double(),
            x_val=xv[:64].double(),
            y_val=yv[:64].double(),
            widths=widths,
            train=t.changed(epochs=300),
            dtype=torch.float64,
        ),
    }
    for name, kw in cases.items():
        a, b = run(False, **kw), run(True, **kw)
        same = a.stop_reason == b.stop_reason and (a.best_epoch == b.best_epoch).all()
        same = same and np.allclose(a.val_loss, b.val_loss, rtol=1e-3, atol=1e-5, equal_nan=True)
        reasons = sorted(set(b.stop_reason))
        check(same, f"{name}: graph = eager (stop reasons {reasons})")

    # float64 on CUDA against the CPU: the same arithmetic, so agreement to rounding
    kw = dict(x=x[:8], y=y[:8], x_val=xv[:8], y_val=yv[:8], widths=[3, 7, 16, 64] * 2, train=t.changed(epochs=100))
    cpu = train_many(**(dict(model=m) | kw), device="cpu", dtype=torch.float64)
    gpu = train_many(**(dict(model=m) | kw), device="cuda", dtype=torch.float64)
    check(np.allclose(cpu.train_loss, gpu.train_loss, rtol=1e-9, atol=1e-12), "float64: CUDA graph = CPU to 1e-9")


def main() -> int:
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to benchmark (this script is for a GPU machine).")
        return 0
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")
    print(f"\n1) standalone step, K={K} MLPs 1-{H}-1, N={N}, {STEPS} Adam steps")
    standalone()
    print(f"\n2) playground.batched.train_many, same problem ({STEPS} epochs incl. validation each epoch)")
    engine()
    print("\nall checks passed" if not failures else f"\n{len(failures)} check(s) FAILED: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
