"""Benchmark of `playground.batched.train_many` against models trained one by one, measured in the same run.

Run from the repo root: .venv/bin/python benchmarks/bench_batched.py  (about a minute)

(a) 64 MLPs 1-64-1 tanh, N=30 (validation N=30), 2000 full-batch Adam steps: the batched engine against a torch
    loop (nn.Sequential + torch.optim.Adam, one model after another) and sklearn MLPRegressor one by one. The
    baselines are timed on a few models and scaled to 64; they only train, while the engine also measures the
    validation loss and does fit's bookkeeping (best weights, divergence) every epoch.
(b) a width sweep, widths 2, 4, ..., 256 (the eight powers of two) x 8 data sets, 2000 steps, one call.
(c) one model (K=1) against one MLPRegressor.
Baselines run on 1 thread (threads only slow tiny models); the engine runs on 1 and on 2 threads.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.batched import train_many
from playground.settings import ModelSettings, TrainSettings

N, STEPS, K, H, LR = 30, 2000, 64, 64, 0.01
MODEL = ModelSettings(family="mlp", width=H, activation="tanh")
TRAIN = TrainSettings(optimizer="adam", lr=LR, epochs=STEPS)
rows: list[tuple[str, str, float, str]] = []


def data(k: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """k noisy sine data sets of N points, with validation sets of N points: (k, N) each."""
    g = torch.Generator().manual_seed(seed)
    x, xv = torch.rand(k, N, generator=g) * 2 - 1, torch.rand(k, N, generator=g) * 2 - 1
    noise = 0.3 * torch.randn(k, N, generator=g)
    return x, torch.sin(1.5 * torch.pi * x) + noise, xv, torch.sin(1.5 * torch.pi * xv)


def timed(f, repeat: int = 3) -> float:
    """Median wall time of f() over `repeat` runs, in seconds."""
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def torch_loop(x: torch.Tensor, y: torch.Tensor) -> None:
    """One model at a time: nn.Sequential + torch.optim.Adam, full batch."""
    for k in range(len(x)):
        net = nn.Sequential(nn.Linear(1, H), nn.Tanh(), nn.Linear(H, 1))
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        xk, yk = x[k].view(-1, 1), y[k].view(-1, 1)
        for _ in range(STEPS):
            opt.zero_grad()
            nn.functional.mse_loss(net(xk), yk).backward()
            opt.step()


def sklearn_loop(x: torch.Tensor, y: torch.Tensor) -> None:
    """One MLPRegressor at a time, adam, batch_size=N: one step per iteration, no early exit."""
    from sklearn.neural_network import MLPRegressor

    for k in range(len(x)):
        m = MLPRegressor(
            hidden_layer_sizes=(H,), activation="tanh", solver="adam", learning_rate_init=LR, alpha=0.0,
            batch_size=N, max_iter=STEPS, tol=0.0, n_iter_no_change=10**9, shuffle=False, random_state=k,
        )  # fmt: skip
        m.fit(x[k].numpy().reshape(-1, 1), y[k].numpy())


def engine(x, y, xv, yv, widths) -> float:
    """Median time of one train_many call."""
    return timed(lambda: train_many(x, y, xv, yv, widths, MODEL, TRAIN, device="cpu"))


def row(case: str, method: str, seconds: float, note: str = "") -> None:
    rows.append((case, method, seconds, note))
    print(f"  {case:<22} {method:<44} {seconds:8.3f} s  {note}", flush=True)


def main() -> None:
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore")  # sklearn's ConvergenceWarning at max_iter is expected
    threadpool_limits(1)  # numpy/BLAS for sklearn: one thread is fastest on these tiny matrices
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()}; {time.strftime('%H:%M')}\n")
    x, y, xv, yv = data(K)

    # warm-up: the first optimizer imports torch._dynamo (~1 s), the first calls allocate
    torch_loop(x[:1], y[:1])
    train_many(x, y, xv, yv, [H] * K, MODEL, TRAIN.changed(epochs=20), device="cpu")

    print("(a) 64 MLPs 1-64-1 tanh, N=30, 2000 full-batch Adam steps")
    few = 4
    loop = timed(lambda: torch_loop(x[:few], y[:few]), 1) * K / few
    row("(a) 64 x 1-64-1", f"torch loop ({few} models timed, x{K // few})", loop)
    skl = timed(lambda: sklearn_loop(x[:few], y[:few]), 1) * K / few
    row("(a) 64 x 1-64-1", f"sklearn MLPRegressor ({few} timed, x{K // few})", skl)
    results = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results[threads] = t = engine(x, y, xv, yv, [H] * K)
        row("(a) 64 x 1-64-1", f"train_many, {threads} thread(s)", t, f"{loop / t:5.1f}x loop, {skl / t:5.1f}x sklearn")
    best = min(results.values())
    ok_a = loop / best >= 60 and skl / best >= 25
    print(f"  targets: >= 60x loop, >= 25x sklearn: {'met' if ok_a else 'MISSED'}\n")

    print("(b) width sweep: widths 2, 4, ..., 256 x 8 data sets, 2000 steps, one call")
    widths = [2**i for i in range(1, 9)]
    xs, ys = data(8, seed=1)[:2]
    xs, ys = xs.repeat_interleave(len(widths), 0), ys.repeat_interleave(len(widths), 0)  # (64, N)
    sweep = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        sweep[threads] = t = engine(xs, ys, xs, ys, widths * 8)
        row("(b) sweep 2..256 x 8", f"train_many, {threads} thread(s)", t)
    ok_b = min(sweep.values()) <= 0.8
    print(f"  target: <= 0.8 s: {'met' if ok_b else 'MISSED'}\n")

    print("(c) one model 1-64-1, 2000 steps")
    torch.set_num_threads(1)
    one = engine(x[:1], y[:1], xv[:1], yv[:1], [H])
    skl1 = timed(lambda: sklearn_loop(x[:1], y[:1]))
    row("(c) K=1", "sklearn MLPRegressor", skl1)
    row("(c) K=1", "train_many, 1 thread", one, f"{skl1 / one:5.2f}x sklearn")
    print(f"  target: faster than sklearn: {'met' if one < skl1 else 'MISSED'}\n")

    print("summary")
    for case, method, sec, note in rows:
        print(f"| {case} | {method} | {sec:.3f} s | {note} |")
    print(f"\nper step, one model: torch loop {loop / K / STEPS * 1e6:.0f} us, sklearn {skl / K / STEPS * 1e6:.0f} us; "
          f"train_many (64 models) {best / STEPS * 1e6:.0f} us per step for all 64")  # fmt: skip


if __name__ == "__main__":
    main()
