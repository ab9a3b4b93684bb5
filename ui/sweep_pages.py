"""The theory pages: capacity curve, bias-variance, learning curve and double descent, measured live."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import streamlit as st

from playground import analysis as an
from playground.analysis import SweepSettings
from playground.bv_epochs import EpochSettings
from playground.figures.sweeps import (
    bias_variance_figure,
    capacity_figure,
    double_descent_figure,
    learning_figure,
    norm_figure,
    spaghetti_figure,
)
from playground.settings import GUARD_SECONDS, DataSettings, ModelSettings, TrainSettings, sweep_refusal

from .bv_epochs_view import against_epochs
from .common import chart, fmt_metric, guarded
from .i18n import t
from .sections import data_section
from .share import table_export
from .widgets import (
    collect,
    complete_only,
    load_url,
    refuse,
    show_notices,
    uncached_if_incomplete,
    widget,
    write_url,
)

GROUPS = [(DataSettings, ""), (SweepSettings, ""), (ModelSettings, ""), (TrainSettings, ""), (EpochSettings, "")]
NO_N = ("truth", "noise", "n_val", "x_mode")  # pages that choose the number of points themselves
MLP_BLOCKS = 4  # the networks train in this many blocks of datasets, so the progress bar moves


# --- cached computations (pure functions of frozen settings) ------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def poly_capacity(ds: DataSettings, sw: SweepSettings) -> an.CapacityCurve:
    """Capacity curve of the polynomials."""
    return an.capacity_curve(ds, sw)


@st.cache_data(max_entries=64, show_spinner=False)
def poly_bias_variance(ds: DataSettings, sw: SweepSettings) -> an.BiasVariance:
    """Bias-variance decomposition of the polynomials."""
    return an.bias_variance(ds, sw)


@st.cache_data(max_entries=64, show_spinner=False)
def poly_spaghetti(ds: DataSettings, sw: SweepSettings, degree: int) -> an.Spaghetti:
    """The R fits of one degree."""
    return an.spaghetti(ds, sw, degree)


@st.cache_data(max_entries=256, show_spinner=False)
def learning_point(ds: DataSettings, sw: SweepSettings, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Errors of the learning-curve degrees at one training-set size."""
    return an.learning_point(ds, sw, n)


@st.cache_data(max_entries=64, show_spinner=False)
def dd_errors(ds: DataSettings, sw: SweepSettings, ps: tuple[int, ...]) -> np.ndarray:
    """Double-descent errors at some feature counts."""
    return an.dd_errors(ds, sw, np.array(ps))


@st.cache_data(max_entries=64, show_spinner=False)
def mlp_runs(
    ds: DataSettings, sw: SweepSettings, ms: ModelSettings, ts: TrainSettings, block: tuple[int, ...]
) -> an.MlpRuns:
    """Networks of every width trained on one block of datasets (the sweep is within the work bound)."""
    runs = an.mlp_runs(ds, sw, ms, ts, block, max_seconds=GUARD_SECONDS)
    return complete_only(runs, runs.stop_reason == "time budget")  # a result the guard cut short is never cached


def with_progress(fn: Callable[..., Any], items: Sequence[Any], text: str) -> list[Any]:
    """fn(item) for each item, with a progress bar while it works (cached items pass at once)."""
    bar = st.progress(0.0, text=text)
    out = []
    for i, item in enumerate(items):
        out.append(fn(item))
        bar.progress((i + 1) / len(items), text=text)
    bar.empty()
    return out


# --- sidebar ----------------------------------------------------------------------------


def sweep_section(fields: Sequence[str]) -> SweepSettings:
    """The sweep widgets of one page."""
    st.sidebar.subheader(t("Sweep"))
    for name in fields:
        widget(SweepSettings, name, container=st.sidebar)
    return collect(SweepSettings)


def family_section() -> tuple[ModelSettings, TrainSettings]:
    """Polynomial or network, the current capacity, and for networks how they train."""
    st.sidebar.subheader(t("Model"))
    fam = widget(ModelSettings, "family", container=st.sidebar)
    if fam == "poly":
        widget(ModelSettings, "degree", container=st.sidebar)
        widget(SweepSettings, "deg_max", container=st.sidebar)
    else:
        widget(ModelSettings, "width", container=st.sidebar)
        for cls, name in ((ModelSettings, "activation"), (TrainSettings, "lr")):
            widget(cls, name, container=st.sidebar)
        for name in ("mlp_epochs", "mlp_r"):
            widget(SweepSettings, name, container=st.sidebar)
    st.sidebar.caption(t("The charts mark the current degree or width."))
    return collect(ModelSettings), collect(TrainSettings)


def _mlp(ds: DataSettings, sw: SweepSettings, ms: ModelSettings, ts: TrainSettings) -> an.MlpRuns:
    """The width sweep's networks, trained block by block (only what the sweep uses enters the cache key)."""
    msw = ModelSettings(family="mlp", activation=ms.activation)
    tsw = TrainSettings(optimizer=ts.optimizer, lr=ts.lr, device=ts.device, init_seed=ts.init_seed)
    blocks = [tuple(int(i) for i in b) for b in an.mlp_blocks(sw, MLP_BLOCKS)]
    text = t("Training {k} networks…", k=sw.mlp_r * len(an.WIDTHS))
    refusal = sweep_refusal(ds.n, ds.n_val, sw.mlp_r, sw.mlp_epochs, an.WIDTHS)
    if refusal is not None:  # refused before training: what to reduce
        refuse(refusal)
        st.stop()
    runs = an.MlpRuns.join(with_progress(lambda b: uncached_if_incomplete(mlp_runs, ds, sw, msw, tsw, b), blocks, text))
    if runs.stop_reason == "time budget":
        st.warning(
            t(
                "The server was too busy: the networks hit the safety time limit and were cut short. These curves "
                "are incomplete and not reproducible, so they are not kept."
            )
        )
    return runs


def _current(ms: ModelSettings) -> tuple[int, str, bool]:
    """The current capacity, the axis name and whether the axis is logarithmic."""
    if ms.family == "poly":
        return ms.degree, t("degree"), False
    w = min(an.WIDTHS, key=lambda v: abs(np.log2(v) - np.log2(ms.width)))  # nearest swept width
    return w, t("hidden units (width)"), True


def _r(sw: SweepSettings, ms: ModelSettings) -> int:
    """How many datasets the family's sweep draws."""
    return sw.r if ms.family == "poly" else sw.mlp_r


def _at(values: np.ndarray, caps: np.ndarray, cur: int) -> str:
    """A value at the current capacity, or a dash when the sweep does not reach it."""
    k = int(np.argmin(np.abs(caps - cur)))
    return fmt_metric(values[k]) if caps[k] == cur else "—"


def _bv_metrics(bv: an.BiasVariance, cur: int) -> None:
    """The decomposition at the current capacity, term by term."""
    st.caption(t("At the current capacity ({c}):", c=cur))
    c = st.columns(5)
    c[0].metric(t("bias²"), _at(bv.bias2, bv.cap, cur))
    c[1].metric(t("variance"), _at(bv.var, bv.cap, cur))
    c[2].metric(t("noise σ²"), fmt_metric(bv.noise))
    c[3].metric(t("sum"), _at(bv.total, bv.cap, cur))
    se = _at(2 * bv.measured_se, bv.cap, cur)
    c[4].metric(t("measured test error"), _at(bv.measured, bv.cap, cur), help=t("±{se} (2 standard errors)", se=se))


def _mark_labels() -> dict[str, str]:
    return {"best": t("best"), "current": t("current"), "noise": t("noise σ²"), "off": t("off the chart")}


def how_to_read() -> str:
    """What the lines, the band and σ² on a sweep chart are."""
    return t(
        "How to read it: MSE is the mean squared distance between prediction and target. Circles: error on the training points each fit saw; triangles: error on the validation points it never saw. Lines are medians over the datasets, the shaded band holds the middle 80% of them (10–90%). The dashed σ² line is the Noise slider squared: the error even the true curve makes. ▲ on the top edge: off the chart (hover for the value)."
    )


def mlp_note() -> str:
    """What the network sweep shows, which is not always a U."""
    return t(
        "Networks: each width trains for the epochs set in the sidebar from small random weights, which keeps even a wide network smooth, so the validation error often stays flat across widths instead of rising. Fewer training points, more noise and more epochs let the wide ones overfit."
    )


# --- pages ------------------------------------------------------------------------------


@guarded
def capacity_page() -> None:
    """Draw the capacity-curve page."""
    load_url(GROUPS)
    ds = data_section()
    ms, ts = family_section()
    sw = sweep_section(["r"] if ms.family == "poly" else [])
    write_url([(ds, ""), (sw, ""), (ms, ""), (ts, "")])
    st.title(t("Capacity: error against model size"))
    st.caption(
        t(
            "Every capacity is fitted to many fresh training sets. Training error keeps falling as capacity grows; validation error falls, then rises again: that rise is overfitting."
        )
    )
    st.caption(how_to_read())
    if ms.family == "mlp":
        st.caption(mlp_note())
    show_notices()
    cur, axis, log_x = _current(ms)
    cc = poly_capacity(ds, sw) if ms.family == "poly" else an.mlp_capacity(_mlp(ds, sw, ms, ts))
    c = st.columns(4)
    c[0].metric(t("Best capacity"), str(cc.best))
    c[1].metric(t("Its validation MSE"), fmt_metric(np.nanmin(cc.val.mid)))
    c[2].metric(t("Validation MSE at current"), _at(cc.val.mid, cc.cap, cur))
    c[3].metric(t("Noise floor σ²"), fmt_metric(ds.noise**2))
    lab = {
        "train": t("training MSE"),
        "val": t("validation MSE"),
        **_mark_labels(),
        "y": t("MSE (median over the datasets)"),
    }
    title = t("Median error over {r} datasets (bands: 10–90%)", r=_r(sw, ms))
    chart(capacity_figure(cc, cur, ds.noise, title=title, xlabel=axis, log_x=log_x, labels=lab), "capacity")
    cols = {
        "capacity": cc.cap,
        "parameters": cc.n_params,
        "train_mse_median": cc.train.mid,
        "val_mse_median": cc.val.mid,
    }
    table_export({**cols, "val_lo": cc.val.lo, "val_hi": cc.val.hi}, "capacity")


@guarded
def bias_variance_page() -> None:
    """Draw the bias-variance page."""
    if against_epochs():  # the view against training epochs (ui/bv_epochs_view.py) draws the page itself
        return
    load_url(GROUPS)
    ds = data_section(("truth", "n", "noise", "x_mode"))
    ms, ts = family_section()
    sw = sweep_section(["r"] if ms.family == "poly" else [])
    write_url([(ds, ""), (sw, ""), (ms, ""), (ts, "")])
    st.title(t("Bias and variance"))
    st.caption(
        t(
            "Expected test error = bias² + variance + noise. Bias: how far the average fit is from the truth. Variance: how much the fit changes from one training set to another. Noise σ²: what no model can remove."
        )
    )
    st.caption(
        t(
            "Test error here is the error on fresh points that no fit was trained on, averaged over the datasets (MSE: the mean squared distance between prediction and target). σ² is the Noise slider squared."
        )
    )
    if ms.family == "mlp":
        st.caption(mlp_note())
    show_notices()
    cur, axis, log_x = _current(ms)
    if ms.family == "poly":
        bv, sp = poly_bias_variance(ds, sw), poly_spaghetti(ds, sw, ms.degree)
    else:
        runs = _mlp(ds, sw, ms, ts)
        bv, sp = an.mlp_bias_variance(ds, runs), an.mlp_spaghetti(ds, runs, ms.width)
    _bv_metrics(bv, cur)
    lab = {
        "bias2": t("bias²"),
        "var": t("variance"),
        "total": t("bias² + variance + σ²"),
        "measured": t("measured test error"),
        **_mark_labels(),
        "y": t("MSE (mean over the datasets)"),
    }
    left, right = st.columns(2)
    fig = bias_variance_figure(
        bv, cur, title=t("Decomposition over {r} datasets", r=_r(sw, ms)), xlabel=axis, log_x=log_x, labels=lab
    )
    chart(fig, "bias_variance", left)
    sp_lab = {"fits": t("fit to one dataset"), "mean": t("mean fit"), "truth": t("truth")}
    chart(
        spaghetti_figure(sp, title=t("{r} fits at the current capacity", r=len(sp.fits)), labels=sp_lab),
        "spaghetti",
        right,
    )
    cols = {"capacity": bv.cap, "parameters": bv.n_params, "bias2": bv.bias2, "variance": bv.var}
    table_export({**cols, "noise": [bv.noise] * len(bv.cap), "measured": bv.measured}, "bias_variance")


@guarded
def learning_page() -> None:
    """Draw the learning-curve page."""
    load_url(GROUPS)
    ds = data_section(NO_N)
    sw = sweep_section(["lc_deg_a", "lc_deg_b", "lc_deg_c", "lc_n_max", "r"])
    write_url([(ds, ""), (sw, "")])
    st.title(t("Learning curves: error against the number of points"))
    st.caption(
        t(
            "More data pulls training and validation error together. A simple model meets early, above the noise floor; a flexible one needs many points but gets lower."
        )
    )
    st.caption(how_to_read())
    show_notices()
    ns = an.n_grid(sw.lc_n_max)
    points = with_progress(lambda n: learning_point(ds, sw, int(n)), ns, t("Fitting…"))
    lc = an.LearningCurve.of(ns, an.lc_degrees(sw), points)
    lab = {
        "train": t("degree {d}: training"),
        "val": t("degree {d}: validation"),
        "noise": t("noise σ²"),
        "n": t("training points"),
        "y": t("MSE (median over the datasets)"),
    }
    title = t("Median error over {r} datasets per size (bands: 10–90%)", r=sw.r)
    chart(learning_figure(lc, ds.noise, title=title, labels=lab), "learning")
    cols: dict[str, object] = {"n": lc.n}
    for d, tr, va in zip(lc.degrees, lc.train, lc.val, strict=True):
        cols |= {f"train_mse_median_deg{d}": tr.mid, f"val_mse_median_deg{d}": va.mid}
    table_export(cols, "learning_curve")


@guarded
def double_descent_page() -> None:
    """Draw the double-descent page."""
    load_url(GROUPS)
    ds = data_section(NO_N)
    sw = sweep_section(["dd_n", "dd_features", "dd_ratio", "r"])
    write_url([(ds, ""), (sw, "")])
    st.title(t("Double descent"))
    st.caption(
        t(
            "A linear model on p features, fitted by minimum-norm least squares: with p = N features there is exactly one fit through every point, and it needs huge weights that swing wildly between the points, so the test error peaks. With more features many fits pass through every point, and the smallest one is smoother, so the test error falls again."
        )
    )
    st.caption(
        t(
            "Here, and only here, the validation points are called the test set: they are held out from every fit, and the curve is read as the error on new data. Lines: medians over the datasets; bands: 10–90%."
        )
    )
    show_notices()
    ps = an.dd_p_grid(sw)
    parts = [tuple(int(p) for p in c) for c in np.array_split(ps, 4)]
    errs = with_progress(lambda c: dd_errors(ds, sw, c), parts, t("Fitting…"))
    dd = an.DoubleDescent.of(ps, sw.dd_n, np.concatenate(errs, axis=-1))
    lab = {
        "train": t("training MSE"),
        "val": t("test MSE"),
        "threshold": t("interpolation threshold p = N = {n}"),
        "p": t("features p"),
        "y": t("MSE (median over the datasets)"),
    }
    left, right = st.columns([3, 2])
    chart(
        double_descent_figure(dd, title=t("Median error over {r} datasets", r=sw.r), labels=lab), "double_descent", left
    )
    nlab = {"norm": t("weight norm ‖c‖"), "p": t("features p")}
    chart(norm_figure(dd, title=t("Size of the fitted weights"), labels=nlab), "norm", right)
    table_export(
        {"p": dd.p, "train_mse": dd.train.mid, "test_mse": dd.test.mid, "weight_norm": dd.norm.mid}, "double_descent"
    )
