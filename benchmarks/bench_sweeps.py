"""Benchmark of the theory pages: the polynomial sweep engine against per-dataset loops, and each page's default view.

Run from the repo root: .venv/bin/python benchmarks/bench_sweeps.py  (about half a minute; --solver-only: (a) without sklearn, (a2))

(a) Every degree 0..20 fitted to 200 resampled datasets of N=30 points, float64, with each fit's training MSE:
    `analysis.poly_fits` (one QR for all degrees, batched over datasets) against `models.poly_errors` (the same QR,
    then training and validation errors, as the Fit page uses it), a `np.polyfit` loop, a `np.polynomial.legendre.legfit` loop and an sklearn
    PolynomialFeatures + LinearRegression(tol=0) loop (its default tol=1e-6 truncates high degrees).
    Target: the engine at least TARGET_SPEEDUP x faster than the np.polyfit loop.
(a2) The same sweep on N=12 evenly spaced points: degrees 11..20 interpolate, and go through the minimum-norm SVD
    solver (`models.min_norm`), against a `np.linalg.pinv` loop; the engine's largest training MSE past N (must
    interpolate, < 1e-12) and its largest gap to pinv's validation MSE. Same target.
(b) Each page's default view in a fresh AppTest session with an empty cache (imports already warm), and a rerun
    that the cache serves.
(c) The network width sweep of the capacity page (8 widths x 8 datasets, 300 epochs), not a default view.
Torch runs on the app's thread setting (configure_threads: 1 thread unless PLAYGROUND_THREADS says otherwise).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground import analysis as an  # noqa: E402
from playground.data import make_data, resample  # noqa: E402
from playground.device import configure_threads  # noqa: E402
from playground.models import poly_errors  # noqa: E402
from playground.settings import DataSettings, ModelSettings, TrainSettings  # noqa: E402

R, N, DEG = 200, 30, 20
N_PAST = 12  # (a2): fewer points than the 21 coefficients of degree 20
TARGET_SPEEDUP = 10.0  # the batched engine against the per-dataset numpy loop timed in the same run
PAGES = ("capacity", "bias_variance", "learning_curve", "double_descent")


def timed(f: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of f() over `repeat` runs, in seconds."""
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def engine(x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """analysis.poly_fits: coefficients of every degree, then every training MSE (R, D)."""
    c = an.poly_fits(x, y, DEG)
    return (an.poly_predict(c, x) - y.unsqueeze(-2)).pow(2).mean(-1).numpy()


def loop(fit: Callable[[np.ndarray, np.ndarray, int], np.ndarray]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A per-dataset, per-degree loop over fit(x, y, d) -> predictions at x."""
    return lambda xs, ys: np.array(
        [[np.mean((fit(x, y, d) - y) ** 2) for d in range(DEG + 1)] for x, y in zip(xs, ys, strict=True)]
    )


def polyfit(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    return np.polyval(np.polyfit(x, y, d), x)


def legfit(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    return np.polynomial.legendre.legval(x, np.polynomial.legendre.legfit(x, y, d))


def sklearn_fit(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import PolynomialFeatures

    a = PolynomialFeatures(d).fit_transform(x[:, None])
    return LinearRegression(fit_intercept=False, tol=0).fit(a, y).predict(a)


def bench_engine() -> None:
    x, y = resample(DataSettings(n=N), R)  # (R, N) float64
    xs, ys = x.numpy(), y.numpy()
    ref = engine(x, y)
    runs = [
        ("analysis.poly_fits (one QR, all degrees)", lambda: engine(x, y), 9),
        ("models.poly_errors (QR, train + val MSE)", lambda: poly_errors(x, y, x, y, DEG), 5),
        ("np.polyfit loop", lambda: loop(polyfit)(xs, ys), 3),
        ("np legfit loop", lambda: loop(legfit)(xs, ys), 3),
        ("sklearn PolynomialFeatures + LinearRegression(tol=0) loop", lambda: loop(sklearn_fit)(xs, ys), 1),
    ]
    if "--solver-only" in sys.argv:  # the sklearn loop alone takes ~20 s
        runs = runs[:-1]
    print(f"(a) degrees 0..{DEG} x {R} datasets, N={N}, float64 (training MSE of every fit)")
    base = None
    for name, f, k in runs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # np.polyfit warns that high degrees are poorly conditioned
            s = timed(f, k)
            out = np.asarray(f()[0] if name.startswith("models") else f())
        base = base or s
        agree = np.median(np.abs(out - ref) / ref)
        print(f"    {name:60s} {s * 1e3:9.1f} ms  {s / base:7.1f}x  (median relative gap to the engine {agree:.1e})")
        if name == "np.polyfit loop":
            print(f"    target: engine >= {TARGET_SPEEDUP:g}x faster than this loop: {_verdict(s / base)}")


def _verdict(speedup: float) -> str:
    return f"{'PASS' if speedup >= TARGET_SPEEDUP else 'MISS'} ({speedup:.1f}x)"


def pinv_loop(xs: np.ndarray, ys: np.ndarray, xv: np.ndarray, yv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation MSE (R, D) of numpy's pseudo-inverse fit, one dataset and degree at a time."""
    tr, va = np.empty((len(xs), DEG + 1)), np.empty((len(xs), DEG + 1))
    for r, (x, y) in enumerate(zip(xs, ys, strict=True)):
        for d in range(DEG + 1):
            a = np.polynomial.legendre.legvander(x, d)
            c = np.linalg.pinv(a, rcond=np.finfo(np.float64).eps * max(a.shape)) @ y
            tr[r, d] = np.mean((a @ c - y) ** 2)
            va[r, d] = np.mean((np.polynomial.legendre.legval(xv, c) - yv) ** 2)
    return tr, va


def bench_past_n() -> None:
    ds = DataSettings(n=N_PAST, x_mode="grid")
    x, y = resample(ds, R)  # (R, 12): the same evenly spaced x in every dataset
    val = make_data(ds)
    xs, ys, xv, yv = x.numpy(), y.numpy(), val.x_val.numpy(), val.y_val.numpy()
    ours = timed(lambda: poly_errors(x, y, val.x_val, val.y_val, DEG), 5)
    ref = timed(lambda: pinv_loop(xs, ys, xv, yv), 1)
    tr, va = (t.numpy() for t in poly_errors(x, y, val.x_val, val.y_val, DEG))
    rva = pinv_loop(xs, ys, xv, yv)[1]
    print(f"(a2) degrees 0..{DEG} x {R} datasets, N={N_PAST} evenly spaced (degrees {N_PAST - 1}..{DEG} interpolate)")
    print(f"    models.poly_errors (QR, then min-norm SVD past N)              {ours * 1e3:9.1f} ms     1.0x")
    print(f"    np.linalg.pinv loop                                           {ref * 1e3:9.1f} ms  {ref / ours:7.1f}x")
    gap = np.max(np.abs(va - rva) / rva)
    print(f"    largest training MSE past N {tr[:, N_PAST - 1 :].max():.1e}, largest validation gap to pinv {gap:.1e}")
    print(f"    target: engine >= {TARGET_SPEEDUP:g}x faster than the pinv loop: {_verdict(ref / ours)}")


def bench_pages() -> None:
    from streamlit.testing.v1 import AppTest

    def view(name: str) -> AppTest:
        return AppTest.from_file(str(ROOT / "views" / f"{name}.py"), default_timeout=120)

    for name in PAGES:  # warm the imports (torch, streamlit, plotly), as a running server has them...
        at = view(name)
        at.session_state["v:seed"] = 12345  # ...on other data, so the timed runs below start with nothing cached
        at.run()
    print("(b) default view of each page: fresh session, nothing cached / rerun served by the cache")
    for name in PAGES:
        at = view(name)
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        assert not at.exception, at.exception
        warm = timed(lambda at=at: at.run(), 3)
        print(f"    {name:16s} {cold:6.2f} s cold   {warm:6.2f} s cached")


def bench_mlp() -> None:
    ds, sw = DataSettings(), an.SweepSettings()
    ms, ts = ModelSettings(family="mlp"), TrainSettings(device="cpu")
    s = timed(lambda: an.mlp_runs(ds, sw, ms, ts), 1)
    k = sw.mlp_r * len(an.WIDTHS)
    print(f"(c) network width sweep: {k} networks (widths 2..256 x {sw.mlp_r} datasets), {sw.mlp_epochs} epochs")
    print(f"    train_many via analysis.mlp_runs {s:6.2f} s")


if __name__ == "__main__":
    print(f"torch threads: {configure_threads()} (of {os.cpu_count()} cores)")
    bench_engine()
    bench_past_n()
    if "--solver-only" in sys.argv:  # (a) and (a2) only: a few seconds
        sys.exit()
    bench_pages()
    bench_mlp()
