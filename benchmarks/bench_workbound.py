"""Benchmark the work bound: each page's costliest allowed runs (at settings.WORK_LIMIT), on one core.

Run by hand: `.venv/bin/python benchmarks/bench_workbound.py [--quick]`. For each page it trains the shapes that
come closest to the bound (the largest epochs the refusal names, so the work is just under WORK_LIMIT) as the page
calls them, and prints CPU seconds (torch on ONE intra-op thread, the app's setting per session), seconds per
million work units, and the ratio to the Fit page's default network measured in the same run. A page's worst case
is the sum of the runs it makes (Compare and Classify's comparison train two). PASS/MISS against TARGET_S.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the package lives at the repo root

from playground import analysis as an  # noqa: E402
from playground.analysis import SweepSettings  # noqa: E402
from playground.classify import AccuracySampler, ClassSettings, class_data, fit_classifier, net_settings, report  # noqa: E402
from playground.data import make_data  # noqa: E402
from playground.settings import (  # noqa: E402
    GUARD_SECONDS,
    WORK_LIMIT,
    DataSettings,
    ModelSettings,
    TrainSettings,
    epoch_work,
    fit_refusal,
    sweep_refusal,
    sweep_work,
)
from playground.train import fit  # noqa: E402

THREADS = 1
TARGET_S = 6.0  # a page's worst case on this machine's one core ("a few seconds")
ALL_FEATURES = ClassSettings.specs()["features"][0].choices or ()


def cpu(fn: Callable[[], Any]) -> float:
    """CPU seconds of fn() in this thread (torch computes in it on one thread)."""
    c = time.thread_time()
    fn()
    return time.thread_time() - c


def at_bound(
    n: int, n_val: int, d: int, ms: ModelSettings, ts: TrainSettings, hidden: int | None = None
) -> TrainSettings:
    """ts with the most epochs the bound allows for this shape (the number the refusal names)."""
    r = fit_refusal(n, n_val, d, ms, ts.changed(epochs=5000), hidden)
    return ts.changed(epochs=5000 if r is None else int(r.values["most"]))


def work(n: int, n_val: int, d: int, ms: ModelSettings, ts: TrainSettings, hidden: int | None = None) -> float:
    layers = ms.layers if hidden is None else hidden
    return ts.epochs * epoch_work(
        n, n_val, d, ms.width if layers else 0, layers, ts.batch_size, ms.dropout if layers else 0
    )


def fit_runs() -> dict[str, tuple[Callable[[], Any], float]]:
    """Fit page (and each Compare model): the costliest shapes at the bound, as train_live calls fit."""
    out = {}
    big, small = DataSettings(n=500, n_val=2000), DataSettings()
    shapes = {
        "deep wide, full batch": (
            big,
            ModelSettings(family="mlp", width=256, layers=4, activation="gelu"),
            TrainSettings(),
        ),
        "deep wide, dropout": (
            big,
            ModelSettings(family="mlp", width=256, layers=4, activation="gelu", dropout=0.5),
            TrainSettings(),
        ),
        "one layer (numpy engine)": (big, ModelSettings(family="mlp", width=256, activation="gelu"), TrainSettings()),
        "one layer (numpy engine), relu": (
            big,
            ModelSettings(family="mlp", width=256, activation="relu"),
            TrainSettings(),
        ),
        "batch size 1": (big, ModelSettings(family="mlp", width=8, layers=4), TrainSettings(batch_size=1)),
        "batch size 16": (
            big,
            ModelSettings(family="mlp", width=128, layers=2, dropout=0.3),
            TrainSettings(batch_size=16),
        ),
        "dropout lesson B": (
            small,
            ModelSettings(family="mlp", width=128, layers=2, dropout=0.3),
            TrainSettings(epochs=2000),
        ),
    }
    for name, (ds, ms, ts) in shapes.items():
        data = make_data(ds)
        ts = ts if name.endswith("lesson B") else at_bound(ds.n, ds.n_val, 1, ms, ts)
        frames: list = []
        run = lambda data=data, ms=ms, ts=ts, frames=frames: fit(  # noqa: E731
            data, ms, ts, device="cpu", callback=frames.append, every=10, max_seconds=GUARD_SECONDS
        )
        out[f"{name} ({ts.epochs} epochs)"] = (run, work(ds.n, ds.n_val, 1, ms, ts))
    return out


def classify_runs() -> dict[str, tuple[Callable[[], Any], float]]:
    """Classify: the largest points and features, each view's networks at the bound."""
    out = {}
    base = ClassSettings(cn=1000, cval=0.1, cwidth=128, features=ALL_FEATURES)
    for hidden, ms in (
        (4, ModelSettings(activation="gelu", dropout=0.5)),
        (4, ModelSettings(activation="gelu")),
        (0, ModelSettings()),
    ):
        cs = base.changed(hidden=hidden)
        data = class_data(cs)
        net = net_settings(cs, ms)
        ts = at_bound(len(data.x), len(data.x_val), len(ALL_FEATURES), net, TrainSettings(), hidden)

        def run(cs=cs, ms=ms, ts=ts, data=data) -> None:
            acc = AccuracySampler(data)  # the live view's callback; the comparison view has none (cheaper)
            r = fit_classifier(cs, ms, ts, callback=acc, every=5, max_seconds=GUARD_SECONDS, data=data)
            report(r, data, 80)

        label = f"{hidden} hidden{', dropout' if ms.dropout else ''} ({ts.epochs} epochs)"
        out[label] = (run, work(len(data.x), len(data.x_val), len(ALL_FEATURES), net, ts, hidden))
    return out


def sweep_runs() -> dict[str, tuple[Callable[[], Any], float]]:
    """The width sweep at the bound: the most epochs it allows for the fewest datasets on the most points, and for
    the most datasets on the default points."""
    ms, ts = ModelSettings(family="mlp", activation="gelu"), TrainSettings()
    big, small = DataSettings(n=500, n_val=2000), DataSettings()

    def most(ds: DataSettings, r: int) -> int:  # the most epochs the bound allows for r datasets per width
        ref = sweep_refusal(ds.n, ds.n_val, r, 3000, an.WIDTHS)
        return 3000 if ref is None else int(ref.values["most"])

    cases = [
        (big, SweepSettings(mlp_r=2, mlp_epochs=most(big, 2))),
        (small, SweepSettings(mlp_r=64, mlp_epochs=most(small, 64))),
    ]
    out = {}
    for ds, sw in cases:
        run = lambda ds=ds, sw=sw: an.mlp_runs(ds, sw, ms, ts, None, GUARD_SECONDS)  # noqa: E731
        label = f"N={ds.n}, M={ds.n_val}, R={sw.mlp_r} ({sw.mlp_epochs} epochs)"
        out[label] = (run, sweep_work(ds.n, ds.n_val, sw.mlp_r, sw.mlp_epochs, an.WIDTHS))
    return out


def main() -> int:
    torch.set_num_threads(THREADS)
    quick = "--quick" in sys.argv
    base_data = make_data(DataSettings())
    base = lambda: fit(base_data, ModelSettings(family="mlp"), TrainSettings(), device="cpu")  # noqa: E731
    base()  # warm-up
    t_base = min(cpu(base) for _ in range(3))
    print(
        f"WORK_LIMIT {WORK_LIMIT:.3g} units, guard {GUARD_SECONDS:g} s; baseline (Fit default MLP) {t_base:.3f} s CPU"
    )
    worst: dict[str, float] = {}
    for page, runs in (("fit", fit_runs()), ("classify", classify_runs()), ("sweep", sweep_runs())):
        print(f"\n{page}:")
        for name, (run, w) in runs.items():
            if quick and worst.get(page):
                break
            t = cpu(run)
            worst[page] = max(worst.get(page, 0.0), t)
            print(
                f"  {name:45s} {t:6.2f} s CPU  {w / WORK_LIMIT:5.2f} of the bound  "
                f"{t / w * 1e10:5.2f}e-10 s/unit  {t / t_base:6.1f}x baseline"
            )
    pages = {
        "Fit": worst["fit"],
        "Compare (two models)": 2 * worst["fit"],
        "Classify train and watch": worst["classify"],
        "Classify comparison (two)": 2 * worst["classify"],
        "network sweep": worst["sweep"],
    }
    print("\nworst case per page (one core):")
    ok = True
    for name, t in pages.items():
        verdict = "PASS" if t <= TARGET_S * (2 if "two" in name else 1) else "MISS"
        ok &= verdict == "PASS"
        print(f"  {name:28s} {t:6.2f} s  {verdict} (target {TARGET_S:g} s per run)")
    return 0 if ok or "--strict" not in sys.argv else 1


if __name__ == "__main__":
    sys.exit(main())
