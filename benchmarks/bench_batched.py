"""Benchmark of `playground.batched.train_many` against models trained one by one, measured in the same run.

Run from the repo root: .venv/bin/python benchmarks/bench_batched.py  (about a minute)

(a) 64 MLPs 1-64-1 tanh, N=30 (validation N=30), 2000 full-batch Adam steps: the batched engine against a torch
    loop (nn.Sequential + torch.optim.Adam, one model after another) and sklearn MLPRegressor one by one. The
    baselines are timed on one model and scaled to 64; they only train, while the engine also measures the
    validation loss and does fit's bookkeeping (best weights, divergence) every epoch.
(b) a width sweep, widths 2, 4, ..., 256 (the eight powers of two) x 8 data sets, 2000 steps, one call.
(c) one model (K=1) against one MLPRegressor (and playground.train.fit).
Every time is the best of a few interleaved rounds, which resists other load on a shared machine. Everything runs
on 1 thread (threads only slow tiny models; numpy's BLAS is limited to 1 too). With --two-threads the engine is also
timed with torch.set_num_threads(2): off by default, because on a busy 2-core machine that made it 10-40x slower.

It first prints the CPU features numpy and torch found and the activation kernels npstep chose (with their times).
--avx2 runs it again as an AVX2-only CPU would (no AVX-512 in numpy, torch and OpenBLAS): the AVX-512 machine's way
to check the common cloud-VM case, as below. The load average before and after says how busy the machine was;
each time comes with the best CPU time of the process too, which waiting for a busy core touches less; --rounds=N
takes the best of N rounds instead of 3.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import npstep
from playground.batched import train_many
from playground.data import Dataset
from playground.settings import ModelSettings, TrainSettings
from playground.train import fit

N, STEPS, K, H, LR = 30, 2000, 64, 64, 0.01
ROUNDS = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--rounds=")), 3))  # more on a busy machine
TWO = "--two-threads" in sys.argv
MODEL = ModelSettings(family="mlp", width=H, activation="tanh")
TRAIN = TrainSettings(optimizer="adam", lr=LR, epochs=STEPS)
rows: list[tuple[str, str, float, str]] = []
# an AVX2-only CPU as numpy, torch and OpenBLAS see it (numpy 2.x's names; 1.x: AVX512F AVX512CD AVX512_SKX ...)
AVX2_ENV = {
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR",
    "ATEN_CPU_CAPABILITY": "avx2",
    "OPENBLAS_CORETYPE": "Haswell",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
}


def cpu_report() -> None:
    """The CPU's name and the SIMD sets numpy and torch use on it (after the environment's overrides)."""
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as mu
    import numpy as np
    from threadpoolctl import threadpool_info

    name = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        info = Path("/proc/cpuinfo").read_text().splitlines()
        name = next(ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name"))
    f = mu.__cpu_features__
    on = lambda new, old: bool(f.get(new if new in f else old))  # noqa: E731  numpy 2.x's group, or 1.x's name
    simd = {"AVX2": on("X86_V3", "AVX2"), "AVX-512": on("X86_V4", "AVX512_SKX"), "NEON": on("ASIMD", "NEON")}
    print(
        f"cpu: {platform.machine()}, {name}; numpy's SIMD: "
        + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in simd.items())
    )
    print(f"  numpy {np.__version__}: baseline {' '.join(mu.__cpu_baseline__)}; dispatch found "
          f"{' '.join(t for t in mu.__cpu_dispatch__ if f.get(t)) or '-'}, not found "
          f"{' '.join(t for t in mu.__cpu_dispatch__ if not f.get(t)) or '-'}")  # fmt: skip
    blas = "; ".join(
        f"{i['internal_api']} {i.get('architecture', '?')}" for i in threadpool_info() if i["user_api"] == "blas"
    )
    print(f"  torch {torch.__version__}: ATen CPU capability {torch.backends.cpu.get_cpu_capability()}; BLAS: {blas}")
    env = [f"{k}={os.environ[k]}" for k in AVX2_ENV if k in os.environ]
    print(f"  overrides: {' '.join(env) if env else 'none'}")


def kernel_report() -> None:
    """The kernel npstep chose for each activation, and every candidate's time per float32 value (64 x 60 x 64)."""
    import numpy as np

    src = torch.randn(K, 2 * N, H, generator=torch.Generator().manual_seed(0)).mul_(3).numpy()
    buf = np.empty_like(src)
    for act, ks in npstep.KERNELS.items():
        chosen = npstep.kernel(act).name
        ns = {k.name: math.inf for k in ks}
        for _ in range(20):
            for k in ks:
                np.copyto(buf, src)
                t0 = time.perf_counter()
                k.forward(buf, torch.from_numpy(buf))
                ns[k.name] = min(ns[k.name], (time.perf_counter() - t0) / src.size * 1e9)
        print(f"  {act:<8} {chosen:<8} (" + ", ".join(f"{n} {v:.2f}" for n, v in ns.items()) + " ns per value)")
    print(
        f"  product  {npstep.product():<8} (the first layer's x1 @ W1 for 1-D inputs: {' or '.join(npstep.PRODUCTS)})"
    )


def data(k: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """k noisy sine data sets of N points, with validation sets of N points: (k, N) each."""
    g = torch.Generator().manual_seed(seed)
    x, xv = torch.rand(k, N, generator=g) * 2 - 1, torch.rand(k, N, generator=g) * 2 - 1
    noise = 0.3 * torch.randn(k, N, generator=g)
    return x, torch.sin(1.5 * torch.pi * x) + noise, xv, torch.sin(1.5 * torch.pi * xv)


def best_of(fns: dict[str, Callable[[], object]], rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best wall time and best CPU time of each fn over `rounds` interleaved rounds, in seconds. The best resists a
    busy machine; the process's CPU time, less touched by waiting for a core, says what an idle machine would take."""
    wall, cpu = dict.fromkeys(fns, math.inf), dict.fromkeys(fns, math.inf)
    for _ in range(rounds):
        for name, f in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            f()
            wall[name] = min(wall[name], time.perf_counter() - t0)
            cpu[name] = min(cpu[name], time.process_time() - c0)
    return wall, cpu


def threads(n: int, f: Callable[[], object]) -> Callable[[], object]:
    """f run with n torch threads."""

    def run() -> object:
        torch.set_num_threads(n)
        try:
            return f()
        finally:
            torch.set_num_threads(1)

    return run


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


def engine(x, y, xv, yv, widths) -> Callable[[], object]:
    """One train_many call on the CPU."""
    return lambda: train_many(x, y, xv, yv, widths, MODEL, TRAIN, device="cpu")


def row(case: str, method: str, seconds: float, note: str = "") -> None:
    rows.append((case, method, seconds, note))
    print(f"  {case:<22} {method:<44} {seconds:8.3f} s  {note}", flush=True)


def main() -> None:
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore")  # sklearn's ConvergenceWarning at max_iter is expected
    threadpool_limits(1)  # numpy/BLAS for sklearn: one thread is fastest on these tiny matrices
    torch.set_num_threads(1)
    print(f"{time.strftime('%H:%M')}, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    cpu_report()
    x, y, xv, yv = data(K)

    # warm-up: the first optimizer imports torch._dynamo (~1 s), the first calls allocate
    torch_loop(x[:1], y[:1])
    train_many(x, y, xv, yv, [H] * K, MODEL, TRAIN.changed(epochs=20), device="cpu")
    print("kernels chosen (measured once per process; times here on the benchmark's 64 x 60 x 64 activations):")
    kernel_report()
    print()

    print(f"(a) 64 MLPs 1-64-1 tanh, N=30, 2000 full-batch Adam steps; best of {ROUNDS} interleaved rounds")
    t, c = best_of(
        {
            "loop": lambda: torch_loop(x[:1], y[:1]),
            "sklearn": lambda: sklearn_loop(x[:1], y[:1]),
            "1": threads(1, engine(x, y, xv, yv, [H] * K)),
        }
        | ({"2": threads(2, engine(x, y, xv, yv, [H] * K))} if TWO else {}),
        ROUNDS,
    )
    loop, skl = t["loop"] * K, t["sklearn"] * K
    row("(a) 64 x 1-64-1", "torch loop (1 model timed, x64)", loop, f"cpu {c['loop'] * K:.1f} s")
    row("(a) 64 x 1-64-1", "sklearn MLPRegressor (1 timed, x64)", skl, f"cpu {c['sklearn'] * K:.1f} s")
    for n in ("1", "2") if TWO else ("1",):
        row(
            "(a) 64 x 1-64-1",
            f"train_many, {n} thread(s)",
            t[n],
            f"{loop / t[n]:5.1f}x loop, {skl / t[n]:5.1f}x sklearn; cpu {c[n]:.3f} s: "
            f"{c['loop'] * K / c[n]:5.1f}x, {c['sklearn'] * K / c[n]:5.1f}x",
        )
    best = min(t["1"], t.get("2", math.inf))
    ok_a = loop / best >= 60 and skl / best >= 25
    print(f"  targets >= 60x loop, >= 25x sklearn: {'met' if ok_a else 'MISSED'}\n")

    print("(b) width sweep: widths 2, 4, ..., 256 (8) x 8 data sets, 2000 steps, one call")
    widths = [2**i for i in range(1, 9)]
    xs, ys = data(8, seed=1)[:2]
    xs, ys = xs.repeat_interleave(len(widths), 0), ys.repeat_interleave(len(widths), 0)  # (64, N)
    t, c = best_of({"1": engine(xs, ys, xs, ys, widths * 8)}, ROUNDS)
    row("(b) sweep 2..256 x 8", "train_many, 1 thread", t["1"], f"cpu {c['1']:.3f} s")
    print(
        f"  target <= 0.8 s: {'met' if t['1'] <= 0.8 else 'MISSED'} (cpu time: {'met' if c['1'] <= 0.8 else 'missed'})\n"
    )

    print("(c) one model 1-64-1, 2000 steps")
    ds = Dataset(x[0].double(), y[0].double(), xv[0].double(), yv[0].double(), 0.3, "sine")
    t, c = best_of({"sklearn": lambda: sklearn_loop(x[:1], y[:1]), "one": engine(x[:1], y[:1], xv[:1], yv[:1], [H])}, 6)
    t |= best_of({"fit": lambda: fit(ds, MODEL, TRAIN, device="cpu")}, 1)[0]
    row("(c) K=1", "sklearn MLPRegressor", t["sklearn"])
    row("(c) K=1", "playground.train.fit (float32, val loss every epoch)", t["fit"])
    row(
        "(c) K=1",
        "train_many, 1 thread",
        t["one"],
        f"{t['sklearn'] / t['one']:5.2f}x sklearn, {t['fit'] / t['one']:4.1f}x fit; cpu {c['sklearn'] / c['one']:5.2f}x sklearn",
    )
    print(f"  target faster than sklearn: {'met' if t['one'] < t['sklearn'] else 'MISSED'}\n")

    print("summary")
    for case, method, sec, note in rows:
        print(f"| {case} | {method} | {sec:.3f} s | {note} |")
    print(f"\nper step and model: torch loop {loop / K / STEPS * 1e6:.0f} us, sklearn {skl / K / STEPS * 1e6:.0f} us; "
          f"train_many {best / STEPS * 1e6:.0f} us per step for all 64 (incl. validation loss)")  # fmt: skip
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def avx2() -> None:
    """This benchmark again, as on a CPU with AVX2 but without AVX-512."""
    import subprocess

    print("\n=== again as an AVX2-only CPU: " + " ".join(f"{k}={v}" for k, v in AVX2_ENV.items()) + "\n", flush=True)
    args = [a for a in sys.argv if a != "--avx2"]
    subprocess.run([sys.executable, *args], env=os.environ | AVX2_ENV, check=True)


if __name__ == "__main__":
    main()
    if "--avx2" in sys.argv:
        avx2()
