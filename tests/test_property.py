"""Property-based tests: any link parses to valid settings; any valid settings compute; the worst settings stay fast.

1. Settings/URL layer: >= 10,000 generated query strings (arbitrary text, near-valid values, repeated keys)
   through every page's groups the way the app (load_url), the command line (query_of + parse_settings) and the
   library (coerce) read them: never an exception, always valid settings, notices are short strings.
2. Pipelines: valid settings drawn from the declarations (tests/strategies.py::settings_strategy) through data,
   fits, classifiers, the analysis sweeps and their figures, with small budgets: outputs finite or flagged.
3. Worst allowed settings of each page: refused before training beyond the work bound; the sweeps stay bounded.

Every example count is asserted (a test that silently ran 10 examples would prove little), and printed (-s).
"""

from __future__ import annotations

import math
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import ui.classify_page as classify_page
import ui.compare_page as compare_page
import ui.fit_page as fit_page
import ui.sweep_pages as sweep_pages
from playground import analysis as an
from playground.__main__ import fit_view, parse_settings, query_of
from playground.analysis import SweepSettings
from playground.batched import train_many
from playground.classify import AccuracySampler, ClassSettings, class_data, fit_classifier, net_settings, report
from playground.codegen import api_snippet, api_snippet_classify, torch_script, torch_script_classify
from playground.data import Dataset, make_data
from playground.figures import fit_figure, grid, loss_figure
from playground.figures.classify import confusion_figure, training_figures
from playground.figures.sweeps import (
    bias_variance_figure,
    capacity_figure,
    double_descent_figure,
    learning_figure,
    norm_figure,
    spaghetti_figure,
)
from playground.io import read_points_csv
from playground.settings import (
    GUARD_SECONDS,
    DataSettings,
    ModelSettings,
    Settings,
    TooMuchWork,
    TrainSettings,
    check,
    coerce,
    fit_refusal,
    log_grid,
    nearest_on_grid,
    parse,
    sweep_refusal,
    to_raw,
)
from playground.train import FitResult, Progress, fit
from playground.verdict import class_verdict, verdict
from tests.strategies import Groups, query_string, raw_pairs, settings_strategy
from ui.chrome import AppSettings
from ui.presets import PAGE_GROUPS, preset

# Every page's settings groups, as each page passes them to load_url (app_chrome adds AppSettings to all).
PAGES: dict[str, Groups] = PAGE_GROUPS
EXTRA_KEYS = ("lesson", "cview")  # read from the URL outside the settings groups
CLI_GROUPS: Groups = [(DataSettings, ""), (ModelSettings, ""), (TrainSettings, "")]  # `python -m playground fit`
MAX_NOTICE = 200  # a notice echoes at most 40 characters of the raw value

FUZZ = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)


def run_counted(n: int, strategy: st.SearchStrategy, check_one: Callable[[Any], None], **kw: Any) -> int:
    """Run check_one on n generated examples (derandomized, no deadline); returns how many ran."""
    count = [0]

    @hsettings(max_examples=n, **{**FUZZ, **kw})
    @given(strategy)
    def run(example: Any) -> None:
        check_one(example)
        count[0] += 1  # after the check: examples rejected by assume() do not count

    run()
    return count[0]


# --- 1. the settings / URL layer ---------------------------------------------------------------


def assert_valid(s: Settings) -> None:
    """Valid settings: every field within its declaration, and constructing them again gives the same."""
    cls = type(s)
    specs = cls.specs()
    for f in fields(s):  # type: ignore[arg-type]
        spec, default = specs[f.name]
        v = getattr(s, f.name)
        assert check(spec, default, v) is None, (f.name, v)
        assert type(v) is type(default), (f.name, v)  # an int stays an int, a float a float, no bools sneak in
        if isinstance(v, float | int) and not isinstance(v, bool):
            assert math.isfinite(v)
            assert spec.lo is None or v >= spec.lo
            assert spec.hi is None or v <= spec.hi
    assert cls(**{f.name: getattr(s, f.name) for f in fields(s)}) == s  # type: ignore[arg-type]


def assert_notices(notes: list[str]) -> None:
    for n in notes:
        assert isinstance(n, str) and n and len(n) < MAX_NOTICE, n


def app_load(groups: Groups, qp: dict[str, str]) -> tuple[list[Settings], list[str]]:
    """What the app builds from a link: load_url (parse, snap log settings) then collect (construct)."""
    out, notes = [], []
    for cls, prefix in groups:
        vals = {}
        for name, (spec, default) in cls.specs().items():
            key = prefix + name
            if key in qp:
                v, note = parse(spec, default, qp[key])
                if spec.log:
                    v = nearest_on_grid(v, log_grid(spec.lo or 0.0, spec.hi or 1.0))
                if isinstance(default, tuple):  # stored(): the multiselect's order is the choices' order
                    v = tuple(o for o in spec.choices or () if o in v)
                vals[name] = v
                if note:
                    notes.append(note)
        out.append(cls(**vals))
    return out, notes


# Fields that another key of the link may set: a per-layer shape (net=8,8) is written as hidden and cwidth.
SETS_TOO = {("ClassSettings", "hidden"): ("net",), ("ClassSettings", "cwidth"): ("net",)}


def check_coerce(groups: Groups, raw: dict[str, str]) -> None:
    """coerce(cls, raw, prefix) for every group: valid settings; absent keys keep the default; at most one notice
    per key; the link written from them (to_raw) reads back to the same link, without notices."""
    for cls, prefix in groups:
        s, notes = coerce(cls, raw, prefix)
        assert_valid(s)
        assert_notices(notes)
        present = [name for name in cls.specs() if prefix + name in raw]
        assert len(notes) <= len(present)
        labels = tuple(cls.specs()[name][0].label + ":" for name in present)
        assert all(n.startswith(labels) for n in notes), (notes, labels)  # each notice names its setting
        for name, (_, default) in cls.specs().items():
            if name not in present and not any(k in present for k in SETS_TOO.get((cls.__name__, name), ())):
                assert getattr(s, name) == default
        link = to_raw(s, prefix, only_changed=False)  # what write_url puts in the link (6 significant digits)
        s2, n2 = coerce(cls, link, prefix)
        assert not n2 and to_raw(s2, prefix, only_changed=False) == link, (n2, link)


def check_query(groups: Groups, q: str) -> None:
    """A raw query string through query_of, then the library's (coerce) and the app's (load_url) parsing."""
    raw = query_of(q)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items())
    check_coerce(groups, raw)
    settings, notes = app_load([*groups, (AppSettings, "")], raw)
    for s in settings:
        assert_valid(s)
        for name, (spec, _) in type(s).specs().items():
            if spec.log:  # the app snaps log settings onto its slider's grid
                assert getattr(s, name) in log_grid(spec.lo or 0.0, spec.hi or 1.0)
    assert_notices(notes)
    if raw.get("lesson"):  # presets.from_url: a lesson id, or a notice
        p = preset(raw["lesson"])
        assert p is None or p.page in PAGES


def check_cli(q: str) -> None:
    """The command line: `python -m playground fit QUERY` parses with query_of and parse_settings."""
    out, notes = parse_settings(query_of(q), CLI_GROUPS)
    for s in out:
        assert_valid(s)
    assert_notices(notes)


# Distinct group lists (the four theory pages share one); the examples are split among them.
DISTINCT = {page: PAGES[page] for page in ("fit", "compare", "classify", "capacity")}
URL_EXAMPLES = 1_900  # per distinct page: query strings through query_of, coerce and the app's load_url
DICT_EXAMPLES = 450  # per distinct page: raw dicts straight into coerce (values need not be UTF-8 encodable)
CLI_EXAMPLES = 1_000
URL_TOTAL = [0]


@pytest.mark.parametrize("page", list(DISTINCT))
def test_any_query_string_gives_valid_settings(page: str) -> None:
    groups = DISTINCT[page]
    n = run_counted(URL_EXAMPLES, query_string(groups, EXTRA_KEYS), lambda q: check_query(groups, q))
    m = run_counted(DICT_EXAMPLES, raw_pairs(groups, EXTRA_KEYS), lambda p: check_coerce(groups, dict(p)))
    print(f"{page}: {n} query strings, {m} raw dicts")
    URL_TOTAL[0] += n + m
    assert n >= URL_EXAMPLES and m >= DICT_EXAMPLES


def test_any_query_string_on_the_command_line_gives_valid_settings() -> None:
    n = run_counted(CLI_EXAMPLES, query_string(CLI_GROUPS, EXTRA_KEYS), check_cli)
    print(f"cli: {n} query strings")
    URL_TOTAL[0] += n
    assert n >= CLI_EXAMPLES


def test_url_layer_total_is_over_ten_thousand() -> None:
    """The examples above add up to at least 10,000 (counted by declaration, so this holds under -k too)."""
    total = len(DISTINCT) * (URL_EXAMPLES + DICT_EXAMPLES) + CLI_EXAMPLES
    print(f"url layer: {total} examples declared, {URL_TOTAL[0]} run in this session")
    assert total >= 10_000


@given(st.data())
@hsettings(max_examples=150, **FUZZ)
def test_valid_settings_survive_the_link_round_trip(data: st.DataObject) -> None:
    """write_url's to_raw, urlencoded, read back by query_of + coerce: the same settings (6 significant digits)."""
    for cls, prefix in [*PAGES["compare"], (SweepSettings, ""), (ClassSettings, ""), (AppSettings, "")]:
        s = data.draw(settings_strategy(cls))
        back, notes = coerce(cls, query_of(urllib.parse.urlencode(to_raw(s, prefix))), prefix)
        assert not notes
        assert to_raw(back, prefix, only_changed=False) == to_raw(s, prefix, only_changed=False)


# --- 2. pipelines on generated valid settings ----------------------------------------------------

STOPS = {"finished", "early stop", "diverged", "time budget", "stopped", "closed form"}


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Torch on one thread, as the app runs it (configure_threads); restored afterwards."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def assert_figure(fig: go.Figure) -> None:
    """A figure that passes plotly's full validation (the builders skip it for speed) with finite axis ranges."""
    full = go.Figure(fig.to_dict())  # raises on any invalid property
    for ax in (full.layout.xaxis, full.layout.yaxis):
        if ax.range is not None:
            assert all(math.isfinite(float(v)) for v in ax.range), ax.range


def assert_fit_result(r: FitResult, epochs: int | None = None) -> None:
    """Final metrics finite for every stop reason; histories hold non-finite values only in a diverged run."""
    assert r.stop_reason in STOPS
    assert math.isfinite(r.train_metric) and math.isfinite(r.val_metric), (r.stop_reason, r.train_metric)
    assert r.train_metric >= 0 and r.val_metric >= 0
    if r.family == "mlp":
        assert len(r.train_loss) == len(r.val_loss) >= 1
        assert epochs is None or len(r.train_loss) <= epochs + 1
        hist = np.array([r.train_loss, r.val_loss])
        if r.stop_reason != "diverged":
            assert np.isfinite(hist).all()
        else:
            assert np.isfinite(hist[:, :-1]).all()  # only the last (the one that blew up) may be non-finite
            assert r.note
        assert r.best_epoch is not None and 0 <= r.best_epoch < len(r.val_loss)
        assert np.isfinite(r.val_loss[r.best_epoch])
        if r.stop_reason == "time budget":
            assert r.note
    if r.transform is None:  # 1-D regression (a classifier's inputs are 2-D: its report checks the grid)
        assert np.isfinite(r.predict(grid())).all()


def capped(ts: TrainSettings, epochs: int) -> TrainSettings:
    return ts.changed(epochs=min(ts.epochs, epochs), patience=min(ts.patience, epochs))


POLY_EXAMPLES = 200
MLP_EXAMPLES = 100
CLASS_EXAMPLES = 80
CODE_EXAMPLES = 200
MANY_EXAMPLES = 150
SWEEP_EXAMPLES = 60
MLP_SWEEP_EXAMPLES = 20


def test_polynomial_fits_of_any_settings_are_finite() -> None:
    """make_data + closed-form fit + the Fit page's view (all bounds: it is cheap) + its figures and verdict."""

    def one(ex: tuple[DataSettings, ModelSettings]) -> None:
        ds, ms = ex
        ms = ms.changed(family="poly")
        data = make_data(ds)
        assert len(data.x) == ds.n and len(data.x_val) == ds.n_val
        assert np.isfinite(data.y.numpy()).all() and np.isfinite(data.y_val.numpy()).all()
        view = fit_view(ds, ms, TrainSettings(), None)
        assert_fit_result(view.result)
        assert view.result.stop_reason == "closed form" and view.result.n_params == ms.degree + 1
        degree_chart = view.figures["degree"]  # errors of degrees 0..max(20, degree): floored and capped
        assert len(degree_chart.data[0].y) == max(fit_page.MAX_DEGREE_CURVE, ms.degree) + 1
        assert np.isfinite(np.asarray(degree_chart.data[0].y, dtype=float)).all()
        # validation errors above the capped axis leave a gap in the line and sit as ▲ on the top edge instead
        val_y = np.asarray(degree_chart.data[1].y, dtype=float)
        assert not np.isinf(val_y).any()
        gaps = set(np.asarray(degree_chart.data[1].x)[np.isnan(val_y)].tolist())
        marked = {x for t in degree_chart.data[3:] for x in np.asarray(t.x).tolist()}
        assert gaps <= marked, (gaps, marked)
        assert view.verdict.kind in ("underfit", "good", "overfit")
        for fig in view.figures.values():
            assert_figure(fig)

    n = run_counted(POLY_EXAMPLES, st.tuples(settings_strategy(DataSettings), settings_strategy(ModelSettings)), one)
    print(f"polynomial fits: {n}")
    assert n >= POLY_EXAMPLES


def test_tiny_noise_draws_the_degree_chart() -> None:
    """Found by the property above: noise² underflows to 0 below 1.5e-162, and log10(0) broke the degree chart."""
    ds, _ = coerce(DataSettings, query_of("noise=1e-200"))
    assert ds.noise == 1e-200
    view = fit_view(ds, ModelSettings(), TrainSettings(), None)
    assert_figure(view.figures["degree"])


def test_networks_of_any_settings_train_to_finite_or_flagged_results() -> None:
    """MLP fit with epochs capped at 5 and a 1 s budget; width, layers, optimizer, lr, batch size... as drawn."""
    stops: dict[str, int] = {}

    def one(ex: tuple[DataSettings, ModelSettings, TrainSettings, int]) -> None:
        ds, ms, ts, stop_at = ex
        ms, ts = ms.changed(family="mlp"), capped(ts, 5)
        data = make_data(ds)
        cb = (lambda p: p.epoch < stop_at) if stop_at else None  # sometimes stop from the callback
        r = fit(data, ms, ts, device=ts.device, callback=cb, every=1, max_seconds=1.0)
        assert_fit_result(r, ts.epochs)
        if r.stop_reason == "stopped":
            assert stop_at
        stops[r.stop_reason] = stops.get(r.stop_reason, 0) + 1
        assert_figure(fit_figure(data, [("net", r.predict(grid()), "#000000")]))
        assert_figure(loss_figure(r.train_loss, r.val_loss, r.best_epoch, total_epochs=ts.epochs))
        verdict(r.train_metric, r.val_metric, ds.noise)

    strategy = st.tuples(
        settings_strategy(DataSettings, n=st.integers(2, 100)),  # batch size 1 on 500 points is part 3's job
        settings_strategy(ModelSettings),
        settings_strategy(TrainSettings),
        st.sampled_from([0, 0, 0, 2]),
    )
    n = run_counted(MLP_EXAMPLES, strategy, one)
    print(f"network fits: {n}, stop reasons {stops}")
    assert n >= MLP_EXAMPLES


def test_classifiers_of_any_settings_train_to_finite_or_flagged_results() -> None:
    """fit_classifier with epochs capped at 5, a 1 s budget and points capped at 200; the page's report and figures."""

    def one(ex: tuple[ClassSettings, ModelSettings, TrainSettings]) -> None:
        cs, ms, ts = ex
        ts = capped(ts, 5)
        r = fit_classifier(cs, ms, ts, max_seconds=1.0)
        assert_fit_result(r, ts.epochs)
        assert 0.0 <= r.train_accuracy <= 1.0 and 0.0 <= r.val_accuracy <= 1.0
        data = class_data(cs)
        rep = report(r, data, grid=20)
        assert np.isfinite(rep.prob).all() and ((rep.prob >= 0) & (rep.prob <= 1)).all()
        assert rep.confusion.sum() == len(data.y_val) and 0.5 <= rep.chance <= 1.0
        class_verdict(rep.train_accuracy, rep.val_accuracy, rep.chance)
        figs = training_figures(
            data,
            rep.gx,
            rep.gy,
            rep.prob,
            (rep.train_loss, rep.val_loss),
            (rep.train_acc, rep.val_acc),
            rep.best_epoch,
            chance=rep.chance,
            total_epochs=ts.epochs,
        )
        for fig in (*figs, confusion_figure(rep.confusion)):
            assert_figure(fig)

    strategy = st.tuples(
        settings_strategy(ClassSettings, cn=st.integers(10, 200)),
        settings_strategy(ModelSettings),
        settings_strategy(TrainSettings),
    )
    n = run_counted(CLASS_EXAMPLES, strategy, one)
    print(f"classifiers: {n}")
    assert n >= CLASS_EXAMPLES


def test_generated_code_of_any_settings_compiles() -> None:
    """The "show the code" scripts and API snippets (Fit and Classify pages) are valid Python for any settings."""

    def one(ex: tuple[DataSettings, ClassSettings, ModelSettings, TrainSettings]) -> None:
        ds, cs, ms, ts = ex
        for src in (
            torch_script(ds, ms, ts),
            api_snippet(ds, ms, ts),
            torch_script_classify(cs, ms, ts),
            api_snippet_classify(cs, ms, ts),
        ):
            compile(src, "<generated>", "exec")

    strategy = st.tuples(*(settings_strategy(c) for c in (DataSettings, ClassSettings, ModelSettings, TrainSettings)))
    n = run_counted(CODE_EXAMPLES, strategy, one)
    print(f"generated code: {n}")
    assert n >= CODE_EXAMPLES


def assert_history(h: np.ndarray, reason: str) -> None:
    """One model's loss history (E+1,): finite, then (diverged) one non-finite value, then NaN (not run)."""
    ok = np.isfinite(h)
    k = int(np.argmin(ok)) if not ok.all() else len(h)  # the first non-finite entry
    assert ok[:k].all() and k >= 1
    rest = h[k + (reason == "diverged") :]
    assert np.isnan(rest).all(), (reason, h)


GRAPH_BUG_SCRIPT = """
import torch
from playground.batched import train_many
from playground.settings import ModelSettings, TrainSettings
x = torch.linspace(-1, 1, 5)
r = train_many(x, x**2, x, x**2, [4], ModelSettings(family="mlp"), TrainSettings(epochs=1), device="cuda")
print(r.stop_reason)
torch.cuda.synchronize()
"""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (train_many's CUDA-graph path)")
def test_one_epoch_of_many_networks_on_cuda() -> None:
    """In a subprocess: a device-side assert leaves the CUDA context unusable for every later test."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", GRAPH_BUG_SCRIPT], capture_output=True, text=True, timeout=120, cwd=root
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_many_networks_at_once_of_any_settings_are_finite_or_flagged() -> None:
    """batched.train_many: 1-4 models of drawn widths, drawn depth, dropout, batch size, rules; regression or
    classification; epochs capped at 8, up to 100 points, a 1 s budget."""

    def one(ex: tuple[DataSettings, ClassSettings, ModelSettings, TrainSettings, list[int], bool]) -> None:
        ds, cs, ms, ts, widths, cls = ex
        ts = capped(ts, 8)
        data = class_data(cs) if cls else make_data(ds)
        task = "classification" if cls else "regression"
        r = train_many(
            data.x,
            data.y,
            data.x_val,
            data.y_val,
            widths,
            ms,
            ts,
            task=task,
            seeds=[ts.init_seed + k for k in range(len(widths))],
            device=ts.device,
            hidden_layers=ms.layers,
            max_seconds=1.0,
        )
        k = len(widths)
        assert r.train_loss.shape == r.val_loss.shape == (k, ts.epochs + 1)
        assert len(r.stop_reason) == k and set(r.stop_reason) <= STOPS
        assert np.isfinite(r.train_metric).all() and np.isfinite(r.val_metric).all()
        for i in range(k):
            assert_history(r.train_loss[i], r.stop_reason[i])
            assert_history(r.val_loss[i], r.stop_reason[i])
            assert 0 <= r.best_epoch[i] <= ts.epochs and np.isfinite(r.val_loss[i, r.best_epoch[i]])
        xs = data.x_val if cls else torch.from_numpy(grid())
        assert np.isfinite(r.predict(xs)).all()
        if cls:
            assert ((r.train_accuracy >= 0) & (r.train_accuracy <= 1)).all()

    strategy = st.tuples(
        settings_strategy(DataSettings, n=st.integers(2, 100)),
        settings_strategy(ClassSettings, cn=st.integers(10, 100)),
        settings_strategy(ModelSettings),
        settings_strategy(TrainSettings),
        st.lists(st.sampled_from([*an.WIDTHS, 1, 3, 100]), min_size=1, max_size=4),
        st.booleans(),
    )
    n = run_counted(MANY_EXAMPLES, strategy, one)
    print(f"train_many: {n}")
    assert n >= MANY_EXAMPLES


def _band_ok(b: an.Band) -> None:
    for a in (b.mid, b.lo, b.hi):
        assert np.isfinite(a).all() and (a >= 0).all()
    assert (b.lo <= b.hi + 1e-12).all()


def test_polynomial_sweeps_of_any_settings_are_finite() -> None:
    """capacity, bias-variance, spaghetti, learning curve and double descent with R capped at 8; their figures."""

    def one(ex: tuple[DataSettings, SweepSettings, ModelSettings]) -> None:
        ds, sw, ms = ex
        sw = sw.changed(r=min(sw.r, 8))
        cur = min(ms.degree, sw.deg_max)
        cc = an.capacity_curve(ds, sw)
        _band_ok(cc.train)
        _band_ok(cc.val)
        assert 0 <= cc.best <= sw.deg_max
        assert_figure(capacity_figure(cc, cur, ds.noise))
        bv = an.bias_variance(ds, sw)
        for a in (bv.bias2, bv.var, bv.measured, bv.measured_se, bv.total):
            assert np.isfinite(a).all() and (a >= 0).all()
        assert_figure(bias_variance_figure(bv, cur))
        sp = an.spaghetti(ds, sw, ms.degree)
        assert np.isfinite(sp.fits).all() and sp.fits.shape == (sw.r, len(sp.x))
        assert_figure(spaghetti_figure(sp))
        lc = an.learning_curve(ds, sw)
        for b in (*lc.train, *lc.val):
            _band_ok(b)
        assert_figure(learning_figure(lc, ds.noise))
        dd = an.double_descent(ds, sw)
        for b in (dd.train, dd.test, dd.norm):
            _band_ok(b)
        assert_figure(double_descent_figure(dd))
        assert_figure(norm_figure(dd))

    strategy = st.tuples(
        settings_strategy(DataSettings), settings_strategy(SweepSettings), settings_strategy(ModelSettings)
    )
    n = run_counted(SWEEP_EXAMPLES, strategy, one)
    print(f"polynomial sweeps: {n}")
    assert n >= SWEEP_EXAMPLES


def test_network_width_sweeps_of_any_settings_are_finite() -> None:
    """The MLP width sweep (8 widths) with 2 datasets, 20 epochs and up to 100 points; capacity, bias-variance."""

    def one(ex: tuple[DataSettings, SweepSettings, ModelSettings, TrainSettings]) -> None:
        ds, sw, ms, ts = ex
        sw = sw.changed(mlp_r=2, mlp_epochs=20)
        runs = an.mlp_runs(ds, sw, ms, ts)
        for a in (runs.train, runs.val, runs.pred):
            assert np.isfinite(a).all()
        cc = an.mlp_capacity(runs)
        assert cc.best in an.WIDTHS
        assert_figure(capacity_figure(cc, ms.width, ds.noise, log_x=True))
        bv = an.mlp_bias_variance(ds, runs)
        assert_figure(bias_variance_figure(bv, ms.width, log_x=True))
        assert_figure(spaghetti_figure(an.mlp_spaghetti(ds, runs, ms.width)))

    strategy = st.tuples(
        settings_strategy(DataSettings, n=st.integers(2, 100)),
        settings_strategy(SweepSettings),
        settings_strategy(ModelSettings),
        settings_strategy(TrainSettings),
    )
    n = run_counted(MLP_SWEEP_EXAMPLES, strategy, one)
    print(f"network width sweeps: {n}")
    assert n >= MLP_SWEEP_EXAMPLES


# --- 3. the worst allowed settings of each page ---------------------------------------------------
#
# No page trains on a clock any more: settings beyond the work bound (settings.WORK_LIMIT) are refused before
# training, with the largest number of epochs that is allowed; a wall clock (settings.GUARD_SECONDS) is only a
# last-resort guard. Each test runs the page's own training call at its worst settings: it must refuse, and the
# epochs it names must be allowed. What a run at the bound costs is measured in benchmarks/bench_workbound.py;
# the polynomial sweeps have no bound and are simply measured here.

# CPU seconds: a guard against a page whose worst settings blow up (an unbounded sweep, a lost cache), not a
# speed target (those are benchmarks/bench_sweeps.py's). The double-descent page's worst case measures 9.5-10.3 s
# on a 2-core CI machine, so the guard sits at twice that rather than on the measured value.
PAGE_LIMIT = 20.0
CACHED_VIEWS = (
    fit_page.poly_view,
    compare_page.compare_view,
    classify_page.class_view,
    sweep_pages.poly_capacity,
    sweep_pages.poly_bias_variance,
    sweep_pages.poly_spaghetti,
    sweep_pages.learning_point,
    sweep_pages.dd_errors,
    sweep_pages.mlp_runs,
)


@pytest.fixture(autouse=True)
def clear_page_caches() -> Iterator[None]:
    """The page's st.cache_data views start empty, and keep none of the short-budget results for later tests."""
    for view in CACHED_VIEWS:
        view.clear()
    yield
    for view in CACHED_VIEWS:
        view.clear()


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """fn(), its CPU seconds (this thread: torch computes in it, on one thread here) and its wall seconds."""
    c, w = time.thread_time(), time.perf_counter()
    out = fn()
    return out, time.thread_time() - c, time.perf_counter() - w


ALL_FEATURES = ClassSettings.specs()["features"][0].choices or ()
WORST_DATA = DataSettings(n=500, n_val=2000)
WORST_NET = ModelSettings(family="mlp", layers=4, width=256, activation="gelu", dropout=0.5)
# Smallest non-zero batch, most epochs, no early stop, and a tiny rate so that it never diverges (that stops early).
WORST_TRAIN = TrainSettings(lr=1e-5, epochs=5000, batch_size=1, weight_decay=0.01)
WORST_CLASS = ClassSettings(cn=1000, cval=0.1, hidden=4, cwidth=128, features=ALL_FEATURES)
WORST_SWEEP = SweepSettings(
    r=500,
    deg_max=30,
    lc_deg_a=18,
    lc_deg_b=19,
    lc_deg_c=20,
    lc_n_max=500,
    mlp_r=64,
    mlp_epochs=3000,
    dd_n=40,
    dd_ratio=10,
)


def assert_refused(
    call: Callable[[], Any],
    n: int,
    n_val: int,
    d_in: int,
    ms: ModelSettings,
    ts: TrainSettings,
    hidden: int | None = None,
) -> str:
    """call() (a page's training at its worst settings) refuses before training; the epochs it names are allowed."""
    with pytest.raises(TooMuchWork) as e:
        call()
    r = e.value.refusal
    if "most" in r.values:
        most = int(r.values["most"])
        assert fit_refusal(n, n_val, d_in, ms, ts.changed(epochs=most), hidden) is None
        assert fit_refusal(n, n_val, d_in, ms, ts.changed(epochs=most + 1), hidden) is not None
    return r.text()


def fit_page_run(data: Dataset, ts: TrainSettings) -> FitResult:
    """The Fit page's training (ui/fit_page.py::train_live): fit(..., callback, every=10, max_seconds=the guard)."""
    frames: list[Progress] = []
    return fit(data, WORST_NET, ts, device=ts.device, callback=frames.append, every=10, max_seconds=GUARD_SECONDS)


CLASS_NET = ModelSettings(activation="gelu", dropout=0.5)  # the Classify page takes activation and dropout from here


def classify_live_run(data: Dataset, ts: TrainSettings) -> FitResult:
    """Classify's "Train and watch" (ui/classify_page.py::train_live): accuracies at every callback, then report."""
    acc = AccuracySampler(data)
    r = fit_classifier(WORST_CLASS, CLASS_NET, ts, callback=acc, every=10, max_seconds=GUARD_SECONDS, data=data)
    report(r, data, classify_page.GRID)
    return r


def test_fit_page_worst_settings_are_refused_before_training() -> None:
    data = make_data(WORST_DATA)
    msg = assert_refused(lambda: fit_page_run(data, WORST_TRAIN), 500, 2000, 1, WORST_NET, WORST_TRAIN)
    assert "Lower Epochs to" in msg


def test_compare_page_worst_settings_are_refused_before_training() -> None:
    """ui/compare_page.py: compare_view for either model (the refusal is raised, never cached)."""
    assert_refused(
        lambda: compare_page.compare_view(WORST_DATA, WORST_NET, WORST_TRAIN), 500, 2000, 1, WORST_NET, WORST_TRAIN
    )


def test_classify_page_worst_settings_are_refused_before_training() -> None:
    """Both views: "Train and watch" (train_live) and "Single vs multi-layer" (class_view, 0 and 4 hidden layers)."""
    data = class_data(WORST_CLASS)
    n, m, d = len(data.x), len(data.x_val), len(ALL_FEATURES)
    net = net_settings(WORST_CLASS, CLASS_NET)
    assert_refused(lambda: classify_live_run(data, WORST_TRAIN), n, m, d, net, WORST_TRAIN, WORST_CLASS.hidden)
    for hidden in (0, WORST_CLASS.hidden):
        cs = WORST_CLASS.changed(hidden=hidden)
        ms = net_settings(cs, CLASS_NET)
        assert_refused(
            lambda cs=cs, ms=ms: classify_page.class_view(cs, ms, WORST_TRAIN, data, ""),
            n,
            m,
            d,
            ms,
            WORST_TRAIN,
            hidden,
        )


def uploaded(task: str, rows: int = 5000, val: int = 10) -> Dataset:
    """The largest upload (read_points_csv's 5000 rows), nearly all marked 'train', read as the pages read it."""
    g = np.random.default_rng(0)
    x = g.uniform(-1, 1, (rows, 2))
    split = ["val" if i < val else "train" for i in range(rows)]
    if task == "regression":
        lines = ["x,y,split"] + [f"{a:.6f},{np.sin(3 * a):.6f},{s}" for (a, _), s in zip(x, split, strict=True)]
    else:
        lines = ["x1,x2,label,split"] + [
            f"{a:.6f},{b:.6f},{int(a * b > 0)},{s}" for (a, b), s in zip(x, split, strict=True)
        ]
    data, _ = read_points_csv(("\n".join(lines) + "\n").encode(), task)
    assert data.n == rows - val
    return data


def test_pages_with_the_largest_upload_are_refused_before_training() -> None:
    """Fit and Classify on an uploaded file at batch size 1: even one epoch is over the bound, and the page says
    what else to reduce (a smaller network, fewer points, a larger batch size)."""
    reg, cls = uploaded("regression"), uploaded("classification")
    for msg in (
        assert_refused(lambda: fit_page_run(reg, WORST_TRAIN), reg.n, 10, 1, WORST_NET, WORST_TRAIN),
        assert_refused(lambda: classify_live_run(cls, WORST_TRAIN), cls.n, 10, 7, WORST_NET, WORST_TRAIN),
    ):
        assert "batch size" in msg


def test_network_sweep_pages_worst_settings_are_refused_before_training() -> None:
    """Capacity / bias-variance pages with networks: ui/sweep_pages.py checks sweep_refusal before any block."""
    ds, sw = WORST_DATA, WORST_SWEEP
    r = sweep_refusal(ds.n, ds.n_val, sw.mlp_r, sw.mlp_epochs, an.WIDTHS)
    assert r is not None and "Lower Epochs per network to" in r.text()
    assert sweep_refusal(ds.n, ds.n_val, sw.mlp_r, int(r.values["most"]), an.WIDTHS) is None


def test_polynomial_sweep_pages_worst_settings_are_fast() -> None:
    """Capacity, bias-variance, learning-curve and double-descent pages (polynomials): the page's cached calls."""
    ds, sw = WORST_DATA, WORST_SWEEP
    pages = {
        "capacity": lambda: sweep_pages.poly_capacity(ds, sw),
        "bias-variance": lambda: (sweep_pages.poly_bias_variance(ds, sw), sweep_pages.poly_spaghetti(ds, sw, 30)),
        "learning-curve": lambda: [sweep_pages.learning_point(ds, sw, int(n)) for n in an.n_grid(sw.lc_n_max)],
    }
    # The random features are the slower choice (Legendre's measured 2.1 s against 2.5 s).
    parts = [tuple(int(p) for p in c) for c in np.array_split(an.dd_p_grid(sw), 4)]
    pages["double-descent"] = lambda: [sweep_pages.dd_errors(ds, sw, c) for c in parts]
    slow = {}
    for name, fn in pages.items():
        _, cpu, wall = timed(fn)
        print(f"{name} page worst case: {cpu:.2f} s CPU ({wall:.2f} s wall)")
        if cpu > PAGE_LIMIT:
            slow[name] = cpu
    assert not slow, slow


def test_a_network_sweep_stopped_by_its_budget_says_so() -> None:
    sw = SweepSettings(mlp_r=2, mlp_epochs=3000)
    runs = an.mlp_runs(DataSettings(), sw, ModelSettings(family="mlp"), TrainSettings(), max_seconds=0.0)
    assert getattr(runs, "stop_reason", None) == "time budget"
    assert getattr(an.MlpRuns.join([runs, runs]), "stop_reason", None) == "time budget"
