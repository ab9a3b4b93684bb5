"""The work bound: a run's result is a pure function of its settings, whatever the server's load.

Settings beyond settings.WORK_LIMIT are refused before training (with what to reduce); the wall-clock guard is
a last resort that no default and no lesson comes near, even on a clock running 4x fast (a machine 4x slower);
two runs of the same link are bit-identical, also under CPU contention; a result the guard cut short is never
cached, neither by st.cache_data nor in the session.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import ui.classify_page as classify_page
import ui.compare_page as compare_page
import ui.sweep_pages as sweep_pages
from playground import analysis as an
from playground import settings
from playground.__main__ import fit_view, parse_settings, query_of
from playground.analysis import SweepSettings
from playground.classify import ClassSettings, class_data, fit_classifier, net_settings
from playground.data import make_data
from playground.lessons import PRESETS, Preset
from playground.models import build_mlp, n_params
from playground.settings import (
    GUARD_SECONDS,
    WORK_LIMIT,
    DataSettings,
    ModelSettings,
    TooMuchWork,
    TrainSettings,
    epoch_work,
    fit_refusal,
    mlp_shape,
    sweep_refusal,
    sweep_work,
)
from playground.train import FitResult, fit
from ui.widgets import Incomplete, uncached_if_incomplete

ROOT = Path(__file__).parents[1]
APP = "app.py"
SLOWER = 4.0  # the simulated machine is this many times slower than this one


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Torch on one thread, as the app runs it; restored afterwards."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture
def slow_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard's clock runs SLOWER times fast: every run looks as long as on a machine that much slower."""
    real = settings.clock
    t0 = real()
    monkeypatch.setattr(settings, "clock", lambda: t0 + SLOWER * (real() - t0))


@pytest.fixture
def stuck_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock that jumps 1000 s at every reading: the guard fires at its first check (a stuck server)."""
    ticks = itertools.count(0.0, 1000.0)
    monkeypatch.setattr(settings, "clock", lambda: next(ticks))


@pytest.fixture(autouse=True)
def clear_caches() -> Iterator[None]:
    """The pages' cached views start and end empty."""
    views = (compare_page.compare_view, classify_page.class_view, sweep_pages.mlp_runs)
    for v in views:
        v.clear()
    yield
    for v in views:
        v.clear()


# --- the cost model and the refusal ------------------------------------------------------------


@pytest.mark.parametrize(("d", "width", "layers"), [(1, 1, 1), (1, 64, 1), (7, 16, 2), (2, 256, 4), (3, 5, 0)])
def test_the_cost_model_counts_the_parameters_torch_builds(d: int, width: int, layers: int) -> None:
    ms = ModelSettings(family="mlp", width=width, layers=max(layers, 1))
    net = build_mlp(ms, d, 0, layers)
    assert mlp_shape(d, width, layers)[0] == n_params(net) == sum(p.numel() for p in net.parameters())


def test_epoch_work_grows_with_every_knob() -> None:
    base = dict(n=50, n_val=200, d_in=1, width=16, layers=1, batch_size=0, dropout=0.0)
    w0 = epoch_work(**base)
    for k, v in (("n", 51), ("n_val", 201), ("d_in", 2), ("width", 17), ("layers", 2), ("batch_size", 10)):
        assert epoch_work(**{**base, k: v}) > w0, k
    assert epoch_work(**{**base, "dropout": 0.5}) > w0  # a separate measuring pass
    assert epoch_work(**{**base, "batch_size": 50}) == w0  # a batch of every point is the full batch


WORST = (
    DataSettings(n=500, n_val=2000),
    ModelSettings(family="mlp", layers=4, width=256, activation="gelu", dropout=0.5),
    TrainSettings(lr=1e-5, epochs=5000, batch_size=1, weight_decay=0.01),
)


def test_the_worst_settings_are_refused_before_training(monkeypatch: pytest.MonkeyPatch) -> None:
    ds, ms, ts = WORST

    def never(*a: Any, **k: Any) -> None:
        raise AssertionError("trained although refused")

    monkeypatch.setattr("playground.train._train_mlp", never)
    with pytest.raises(TooMuchWork) as e:
        fit(make_data(ds), ms, ts)
    r = e.value.refusal
    assert "Lower Epochs to" in r.text() and r.values["epochs"] == "5000"
    assert float(r.values["times"]) > 1


def test_the_refusal_names_the_largest_allowed_epochs() -> None:
    """Its 'Lower Epochs to N' is exact: N epochs are allowed, N + 1 are refused."""
    data = make_data(DataSettings(n=200))
    for ms, ts in (
        (ModelSettings(family="mlp", width=256, layers=3), TrainSettings(epochs=5000)),
        (ModelSettings(family="mlp", width=64, dropout=0.3), TrainSettings(epochs=5000, batch_size=8)),
    ):
        r = fit_refusal(len(data.x), len(data.x_val), 1, ms, ts)
        assert r is not None
        most = int(r.values["most"])
        assert fit_refusal(len(data.x), len(data.x_val), 1, ms, ts.changed(epochs=most)) is None
        assert fit_refusal(len(data.x), len(data.x_val), 1, ms, ts.changed(epochs=most + 1)) is not None


def test_even_one_epoch_too_many_says_what_else_to_reduce() -> None:
    ms = ModelSettings(family="mlp", width=256, layers=4)
    r = fit_refusal(5000, 5000, 7, ms, TrainSettings(epochs=1, batch_size=1))  # the largest upload, batch size 1
    assert r is not None and "even one epoch" in r.text() and "batch size" in r.text()


def test_the_width_sweep_is_bounded_by_the_same_constant() -> None:
    assert sweep_refusal(20, 200, 8, 300, an.WIDTHS) is None  # the page's defaults
    r = sweep_refusal(500, 2000, 64, 3000, an.WIDTHS)  # the worst sweep settings
    assert r is not None and r.values["k"] == str(64 * len(an.WIDTHS))
    most, fewer = int(r.values["most"]), int(r.values["fewer"])
    assert sweep_work(500, 2000, 64, most, an.WIDTHS) <= WORK_LIMIT < sweep_work(500, 2000, 64, most + 1, an.WIDTHS)
    assert (
        sweep_work(500, 2000, fewer, 3000, an.WIDTHS) <= WORK_LIMIT < sweep_work(500, 2000, fewer + 1, 3000, an.WIDTHS)
    )


def test_the_command_line_refuses_with_the_same_message(tmp_path: Any, capsys: pytest.CaptureFixture) -> None:
    from playground.__main__ import main

    q = "family=mlp&n=500&n_val=2000&layers=4&width=256&epochs=5000&batch_size=1"
    assert main(["fit", q, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error: Too much training for one run" in err and "Lower Epochs to" in err


def test_the_guard_is_far_above_the_bound() -> None:
    """At about 1e-10 s per unit on one core (benchmarks/bench_workbound.py), the worst allowed run is seconds,
    the guard minutes: a machine 4x slower still finishes every allowed run long before it."""
    assert WORK_LIMIT * 1e-10 * SLOWER * 4 <= GUARD_SECONDS


# --- every lesson and the defaults, on a machine 4x slower -------------------------------------

PAGE_GROUPS = {
    "fit": [(DataSettings, ""), (ModelSettings, ""), (TrainSettings, "")],
    "compare": [(DataSettings, ""), (ModelSettings, "a_"), (ModelSettings, "b_"), (TrainSettings, "")],
    "classify": [(ClassSettings, ""), (ModelSettings, ""), (TrainSettings, "")],
}


def trainings(page: str, raw: dict[str, str]) -> list[Callable[[], FitResult]]:
    """The networks a page trains for a link, each as the page calls it (with the guard)."""
    if page not in PAGE_GROUPS:  # the theory pages' lessons fit polynomials (no training, no guard)
        return []
    groups, _ = parse_settings(raw, PAGE_GROUPS[page])
    if page == "fit":
        ds, ms, ts = groups
        return [lambda: fit_view(ds, ms, ts, GUARD_SECONDS).result] if ms.family == "mlp" else []
    if page == "compare":
        ds, ma, mb, ts = groups
        data = make_data(ds)
        return [
            (lambda m=m: fit(data, m, ts, device="cpu", max_seconds=GUARD_SECONDS))
            for m in (ma, mb)
            if m.family == "mlp"
        ]
    cs, ms, ts = groups
    if raw.get("cview") == "compare":
        shapes = [cs.changed(hidden=0), cs.changed(hidden=cs.hidden or classify_page.DEEP_DEFAULT)]
    else:
        shapes = [cs]
    return [(lambda c=c: fit_classifier(c, ms, ts, max_seconds=GUARD_SECONDS)) for c in shapes]


def lesson_raw(p: Preset) -> dict[str, str]:
    return {k: ",".join(v) if isinstance(v, tuple) else str(v) for k, v in p.values.items()}


DEFAULT_LINKS = [("fit", {"family": "mlp"}), ("classify", {}), ("classify", {"cview": "compare"})]


@pytest.mark.parametrize(
    ("page", "raw"),
    [(p.page, lesson_raw(p)) for p in PRESETS] + DEFAULT_LINKS,
    ids=[p.id for p in PRESETS] + ["fit-mlp-default", "classify-default", "classify-compare-default"],
)
def test_lessons_and_defaults_finish_without_the_guard_on_a_slower_machine(
    page: str, raw: dict[str, str], slow_clock: None
) -> None:
    for train in trainings(page, raw):
        r = train()
        assert r.stop_reason != "time budget", (page, raw)
        assert r.stop_reason in ("finished", "early stop"), r.stop_reason


def test_the_network_sweep_defaults_finish_without_the_guard_on_a_slower_machine(slow_clock: None) -> None:
    runs = an.mlp_runs(
        DataSettings(), SweepSettings(), ModelSettings(family="mlp"), TrainSettings(), None, GUARD_SECONDS
    )
    assert runs.stop_reason == "finished" and np.isfinite(runs.val).all()


# --- the same link, the same numbers -----------------------------------------------------------

LINKS = {
    "fit engine": "family=mlp&epochs=400&width=32",
    "fit dropout": "family=mlp&epochs=150&width=32&layers=2&dropout=0.3&init_seed=3",
    "fit mini-batch": "family=mlp&epochs=40&width=16&batch_size=4&optimizer=momentum&lr=0.05",
}


def fit_link(q: str) -> FitResult:
    (ds, ms, ts), _ = parse_settings(query_of(q), PAGE_GROUPS["fit"])
    return fit_view(ds, ms, ts, GUARD_SECONDS).result


def same(a: FitResult, b: FitResult) -> None:
    """Bit-identical histories, metrics and predictions."""
    assert a.stop_reason == b.stop_reason and a.best_epoch == b.best_epoch
    assert np.array_equal(np.array(a.train_loss), np.array(b.train_loss))
    assert np.array_equal(np.array(a.val_loss), np.array(b.val_loss))
    assert a.val_metric == b.val_metric and a.train_metric == b.train_metric
    x = np.linspace(-1, 1, 50)
    assert np.array_equal(a.predict(x), b.predict(x))


@pytest.mark.parametrize("name", list(LINKS))
def test_two_runs_of_the_same_link_are_bit_identical(name: str) -> None:
    same(fit_link(LINKS[name]), fit_link(LINKS[name]))


def test_the_same_link_gives_the_same_numbers_on_a_slower_clock_and_a_busy_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Load independence: with the clock 4x fast and two processes spinning on the CPU, the same numbers."""
    calm = {k: fit_link(q) for k, q in LINKS.items()}
    calm_cls = fit_classifier(ClassSettings(), ModelSettings(), TrainSettings(epochs=200), max_seconds=GUARD_SECONDS)
    real = settings.clock
    t0 = real()
    monkeypatch.setattr(settings, "clock", lambda: t0 + SLOWER * (real() - t0))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        busy = {k: fit_link(q) for k, q in LINKS.items()}
        busy_cls = fit_classifier(
            ClassSettings(), ModelSettings(), TrainSettings(epochs=200), max_seconds=GUARD_SECONDS
        )
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    for k in LINKS:
        same(calm[k], busy[k])
    assert np.array_equal(np.array(calm_cls.val_loss), np.array(busy_cls.val_loss))
    assert calm_cls.val_accuracy == busy_cls.val_accuracy


# --- the guard: incomplete, said so, never cached -------------------------------------------------


def test_a_run_the_guard_stops_says_it_is_incomplete(stuck_clock: None) -> None:
    r = fit_link(LINKS["fit engine"])
    assert r.stop_reason == "time budget" and len(r.train_loss) < 401
    assert r.note is not None and "incomplete" in r.note and "not reproducible" in r.note
    r = fit_link(LINKS["fit dropout"])  # the torch loop's guard
    assert r.stop_reason == "time budget" and "incomplete" in (r.note or "")


def test_compare_never_caches_an_incomplete_result(monkeypatch: pytest.MonkeyPatch) -> None:
    ds, ms, ts = DataSettings(), ModelSettings(family="mlp", width=16), TrainSettings(epochs=300)
    ticks = itertools.count(0.0, 1000.0)
    real = settings.clock
    monkeypatch.setattr(settings, "clock", lambda: next(ticks))
    with pytest.raises(Incomplete):  # out of the cached function: st.cache_data keeps no exception
        compare_page.compare_view(ds, ms, ts)
    cut = uncached_if_incomplete(compare_page.compare_view, ds, ms, ts)
    assert cut["note"] and "incomplete" in cut["note"]
    monkeypatch.setattr(settings, "clock", real)
    full = uncached_if_incomplete(compare_page.compare_view, ds, ms, ts)  # trained again: nothing was kept
    assert full["note"] is None
    ref = fit(make_data(ds), ms, ts, device="cpu")
    assert full["val"] == ref.val_metric
    assert compare_page.compare_view(ds, ms, ts)["val"] == ref.val_metric  # the complete one is cached


def test_classify_never_caches_an_incomplete_result(monkeypatch: pytest.MonkeyPatch) -> None:
    cs, ts = ClassSettings(cn=100), TrainSettings(epochs=200)
    ms = net_settings(cs, ModelSettings())
    data = class_data(cs)
    ticks = itertools.count(0.0, 1000.0)
    real = settings.clock
    monkeypatch.setattr(settings, "clock", lambda: next(ticks))
    cut = uncached_if_incomplete(classify_page.class_view, cs, ms, ts, data, "")
    assert cut.stop_reason == "time budget" and "incomplete" in (cut.note or "")
    monkeypatch.setattr(settings, "clock", real)
    full = uncached_if_incomplete(classify_page.class_view, cs, ms, ts, data, "")
    assert full.stop_reason == "finished" and len(full.val_loss) == ts.epochs + 1


def test_the_network_sweep_never_caches_an_incomplete_block(monkeypatch: pytest.MonkeyPatch) -> None:
    ds, sw = DataSettings(), SweepSettings(mlp_r=2, mlp_epochs=100)
    ms, ts = ModelSettings(family="mlp"), TrainSettings()
    ticks = itertools.count(0.0, 1000.0)
    real = settings.clock
    monkeypatch.setattr(settings, "clock", lambda: next(ticks))
    cut = uncached_if_incomplete(sweep_pages.mlp_runs, ds, sw, ms, ts, (0, 1))
    assert cut.stop_reason == "time budget"
    monkeypatch.setattr(settings, "clock", real)
    full = uncached_if_incomplete(sweep_pages.mlp_runs, ds, sw, ms, ts, (0, 1))
    assert full.stop_reason == "finished"
    ref = an.mlp_runs(ds, sw, ms, ts, (0, 1))
    assert np.array_equal(full.val, ref.val)


# --- the pages ------------------------------------------------------------------------------------


def _page(query: dict[str, str], page: str = APP) -> AppTest:
    """One page (on its own: its link is read first), run once, without an error."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    return at


OVER = {"family": "mlp", "n": "500", "n_val": "2000", "width": "256", "layers": "4", "epochs": "5000"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_fit_page_refuses_too_much_work_and_keeps_working(lang: str) -> None:
    from ui.zh import ZH

    at = _page({**OVER, "lang": lang})
    warn = [w.value for w in at.warning]
    head = "Too much training for one run"
    if lang == "zh":
        key = next(k for k in ZH if k.startswith(head) and "{most}" in k)
        head = ZH[key][:12]
    said = [w for w in warn if w.startswith(head)]
    assert len(said) == 1, warn
    assert "_fits" not in at.session_state or not at.session_state["_fits"]
    if lang == "zh":
        return
    most = int(re.search(r"Lower Epochs to (\d+) or fewer", said[0]).group(1))
    at.slider(key="epochs").set_value(most).run()  # as the message says: now within the bound, it trains
    assert not at.exception and not any(w.startswith(head) for w in at.warning.values)
    ((res, _recording),) = at.session_state["_fits"].values()  # the page keeps each run with its recording
    assert res.stop_reason == "finished" and len(res.train_loss) == most + 1


def test_the_fit_page_says_incomplete_and_keeps_nothing(stuck_clock: None) -> None:
    at = _page({"family": "mlp", "epochs": "300", "width": "16"})
    assert any("incomplete" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.session_state["_fits"]


@pytest.mark.parametrize("view", ["train", "compare"])
def test_the_classify_page_says_incomplete_and_keeps_nothing(view: str, stuck_clock: None) -> None:
    at = _page({"cview": view, "epochs": "300"}, "views/classify.py")
    assert any("incomplete" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.session_state["_cfits"]


def test_the_sweep_page_refuses_a_sweep_beyond_the_bound() -> None:
    at = _page({"family": "mlp", "mlp_r": "64", "mlp_epochs": "3000"}, "views/capacity.py")
    assert any(w.value.startswith("Too much training for one sweep") for w in at.warning)


def test_the_compare_page_refuses_one_model_and_shows_the_other() -> None:
    q = {"a_family": "poly", "b_family": "mlp", "b_width": "256", "b_layers": "4", "epochs": "5000", "n": "500"}
    at = _page(q, "views/compare.py")
    assert any(w.value.startswith("Too much training for one run") for w in at.warning)
    assert len(at.metric) == 3  # model A's metrics
    assert math.isfinite(float(at.metric[0].value))
