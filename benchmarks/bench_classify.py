"""Benchmark a Classify-page training run with live boundary redraws against the same run without them.

Run by hand: `.venv/bin/python benchmarks/bench_classify.py [--strict]` (or `make bench`). Prints medians, the
ratio to the run without redraws (timed in the same process, interleaved) and PASS/MISS against the 1.5 s target.
torch runs on ONE intra-op thread, the app's own setting per session.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import plotly.io as pio
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the package lives at the repo root

from playground.classify import (  # noqa: E402
    AccuracySampler,
    ClassSettings,
    boundary_grid,
    class_data,
    fit_classifier,
    grid_probability,
    majority_share,
)
from playground.figures.classify import training_figures  # noqa: E402
from playground.settings import ModelSettings, TrainSettings  # noqa: E402
from playground.train import Progress  # noqa: E402

THREADS = 1
EPOCHS = 1000
EVERY = 25  # a redraw every 25 epochs: 40 frames
GRID = 80  # the page's boundary grid
REPEATS = 5  # per candidate, interleaved so machine load hits them alike
TARGET_S = 1.5


def interleaved(cands: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each candidate, timed round-robin (one call each per round)."""
    times: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(repeats):
        for name, fn in cands.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    """Time the run with and without redraws; with --strict, exit status 1 when the target is missed."""
    torch.set_num_threads(THREADS)
    cs = ClassSettings()  # the page's defaults: two moons, 300 points, 2 hidden layers of 16, tanh
    ms = ModelSettings(family="mlp", activation="tanh")
    ts = TrainSettings(epochs=EPOCHS, device="cpu")
    data = class_data(cs)
    frames = [0]

    def plain() -> object:
        return fit_classifier(cs, ms, ts)

    def live(serialize: bool) -> Callable[[], object]:
        def run() -> object:
            # What the page does per frame: accuracies, probabilities on the grid, three figures (and their JSON,
            # which st.plotly_chart sends to the browser).
            gx, gy, _ = boundary_grid(data, GRID)
            acc = AccuracySampler(data)
            chance = majority_share(data.y_val)

            def frame(p: Progress) -> None:
                acc(p)
                figs = training_figures(
                    data,
                    gx,
                    gy,
                    grid_probability(p.predict, gx, gy),
                    (p.train_loss, p.val_loss),
                    (acc.train, acc.val),
                    p.val_loss.index(min(p.val_loss)),
                    acc_epochs=acc.epochs,
                    chance=chance,
                    total_epochs=p.epochs,
                    titles=(f"Decision boundary — epoch {p.epoch}", "Cross-entropy", "Accuracy"),
                )
                if serialize:
                    for f in figs:
                        pio.to_json(f, validate=False)
                frames[0] += 1

            return fit_classifier(cs, ms, ts, callback=frame, every=EVERY)

        return run

    cands = {
        "no redraws": plain,
        f"redraw every {EVERY} epochs (figures)": live(False),
        f"redraw every {EVERY} epochs (figures + JSON)": live(True),
    }
    for fn in cands.values():  # warm up: the first optimizer imports torch._dynamo, plotly loads its template
        fn()
    frames[0] = 0
    res = interleaved(cands, REPEATS)
    n_frames = frames[0] // (2 * REPEATS)
    base = res["no redraws"]
    print(f"torch {torch.__version__}, {THREADS} torch thread")
    print(
        f"\nClassify: {cs.cset}, {data.n} training + {len(data.y_val)} validation points, "
        f"{cs.hidden} hidden layers of {cs.cwidth}, {EPOCHS} full-batch Adam epochs, "
        f"{n_frames} redraws on a {GRID}x{GRID} grid, {REPEATS} interleaved repeats"
    )
    print(f"  {'candidate':<46} {'median s':>9} {'÷ none':>8} {'ms / redraw':>12}")
    for k, v in res.items():
        per = "" if k == "no redraws" else f"{(v - base) / n_frames * 1e3:.1f}"
        print(f"  {k:<46} {v:>9.3f} {v / base:>8.2f} {per:>12}")
    worst = res[f"redraw every {EVERY} epochs (figures + JSON)"]
    ok = worst <= TARGET_S
    print(f"  target (figures + JSON) <= {TARGET_S} s: {worst:.3f} s -> {'PASS' if ok else 'MISS'}")
    return 1 if "--strict" in sys.argv and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
