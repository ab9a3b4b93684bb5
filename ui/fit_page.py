"""The Fit page: one model on noisy points (generated or uploaded), live, with its verdict."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import streamlit as st

from playground.codegen import api_snippet, torch_script
from playground.data import Dataset, make_data
from playground.figures import MODEL, Figure, degree_figure, fit_figure, grid, loss_figure
from playground.figures.playback import fit_playback
from playground.io import history_csv
from playground.models import poly_errors
from playground.record import Recording, curve_probe, record_fit
from playground.settings import GUARD_SECONDS, DataSettings, ModelSettings, TooMuchWork, TrainSettings
from playground.train import FitResult, Progress, fit
from playground.verdict import verdict

from .common import LiveChart, chart, fmt_metric, guarded, metric, playback_labels, player, url_extra, verdict_box
from .i18n import t
from .sections import data_section, model_section, regularization_section, training_section
from .share import code_expander, export_expander, upload_section
from .widgets import load_url, refuse, show_notices, write_url

GROUPS = [(DataSettings, ""), (ModelSettings, ""), (TrainSettings, "")]
MAX_DEGREE_CURVE = 20
FRAME_SECONDS = 1.0  # live frames while training: each replaces its chart, so few, each drawn in full
PLAYBACK_POINTS = 200  # x values of each recorded curve (the playback's payload is frames x points)


@st.cache_data(max_entries=256, show_spinner=False)
def poly_view(ds: DataSettings, ms: ModelSettings, _data: Dataset | None = None, upload: str = "") -> dict[str, Any]:
    """Everything the page shows for a polynomial: curve, errors, errors of every degree.

    `upload` (a digest of the uploaded file) keys the cache when `_data` is the user's points.
    """
    d = _data if upload else make_data(ds)
    r = fit(d, ms)
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, max(MAX_DEGREE_CURVE, ms.degree), ms.ridge, d.span)  # as fit's
    return {
        "curve": r.predict(grid(span=d.x_range)),  # fit_figure draws over the data's x-range
        "train": r.train_metric,
        "val": r.val_metric,
        "deg_tr": tr.numpy(),
        "deg_va": va.numpy(),
    }


def labels() -> dict[str, dict[str, str]]:
    """Translated legend names of the figures."""
    pts = {"train": t("training points"), "val": t("validation points"), "truth": t("truth")}
    loss = {"train": t("training loss"), "val": t("validation loss"), "best": t("best epoch"), "epoch": t("epoch")}
    deg = {
        "train": t("training MSE"),
        "val": t("validation MSE"),
        "best": t("best degree"),
        "current": t("current"),
        "noise": t("noise σ²"),
        "degree": t("degree"),
        "off": t("validation MSE off the chart"),
    }
    return {"pts": pts, "loss": loss, "deg": deg}


def _metrics(cols: list, tr: float, va: float, n_params: int, best: int | None) -> None:
    metric(cols[0], t("Train MSE"), tr)
    metric(cols[1], t("Validation MSE"), va)
    cols[2].metric(t("Parameters"), f"{n_params:,}")
    cols[3].metric(t("Best epoch"), "—" if best is None else str(best))


def _noise_and_scale(data: Dataset, ds: DataSettings, deg_va: np.ndarray) -> tuple[float, float]:
    """The noise level and signal variance the verdict compares against.

    Uploaded points have no known truth: the best polynomial's validation error stands in for σ².
    """
    if data.has_truth:
        return ds.noise, float(np.var(data.truth_fn(grid())))
    return math.sqrt(float(np.nanmin(deg_va))), float(np.var(data.y.numpy()))


@guarded
def page() -> None:
    """Draw the Fit page."""
    load_url(GROUPS)
    up = upload_section("regression")
    ds = data_section(enabled=up is None)
    ms = model_section()
    regularization_section(ms.family)
    ts = training_section() if ms.family == "mlp" else TrainSettings()
    write_url([(ds, ""), (ms, ""), (ts, "")], url_extra())

    st.title(t("Fit: watch a model overfit"))
    st.caption(t("Drag the sliders: fewer points, more noise or more capacity make the fitted curve chase the noise."))
    show_notices()
    data, digest = (up.data, up.digest) if up else (make_data(ds), "")
    lab = labels()
    head = st.columns(4)
    box = st.empty()
    left, right = st.columns(2)
    v = poly_view(ds, ms if ms.family == "poly" else ModelSettings(), data, digest)
    noise, scale = _noise_and_scale(data, ds, v["deg_va"])
    figs: dict[str, Figure] = {}
    if ms.family == "poly":
        _metrics(head, v["train"], v["val"], ms.degree + 1, None)
        verdict_box(verdict(v["train"], v["val"], noise, scale), box)
        curve = (t("degree {d} fit", d=ms.degree), v["curve"], MODEL)
        figs["fit"] = fit_figure(data, [curve], title=t("Data and fitted curve"), labels=lab["pts"])
        figs["degree"] = degree_figure(
            v["deg_tr"],
            v["deg_va"],
            ms.degree,
            noise if data.has_truth else 0.0,
            title=t("Error against degree"),
            labels=lab["deg"],
        )
        chart(figs["fit"], "fit", left)
        chart(figs["degree"], "degree", right)
        res = fit(data, ms)  # closed form: instant; gives the exported weights
    else:
        note = st.container()  # which epoch the numbers are from, right under them
        ph_play = st.empty()  # the playback, full width, above the live frames' columns
        ph_fit, ph_loss = LiveChart(left, "fit"), LiveChart(right, "loss")
        res, rec, run = train_live(data, (ds, digest), ms, ts, ph_fit, ph_loss, st.empty())
        ph_fit.empty()
        ph_loss.empty()
        if res.note:
            (st.error if res.stop_reason == "diverged" else st.info)(t(res.note))
        _metrics(head, res.train_metric, res.val_metric, res.n_params, res.best_epoch)
        verdict_box(verdict(res.train_metric, res.val_metric, noise, scale, res.best_val), box)
        epoch_caption(res.stop_reason, len(res.val_loss) - 1, res.best_epoch, res.val_loss, "MSE", note)
        name = t("network ({p} parameters)", p=f"{res.n_params:,}")
        figs = {"training": playback(data, rec, name)}
        chart(figs["training"], "fit_playback", ph_play)
        player(run, "fit")
    if up is None:
        code_expander(torch_script(ds, ms, ts), api_snippet(ds, ms, ts), "fit")
    export_expander(data, res, figs, (lambda: history_csv(res)) if ms.family == "mlp" else None, "fit")


def epoch_caption(stop: str, last: int, best: int | None, val: list[float], metric: str, where: Any = None) -> None:
    """Say which epoch the numbers belong to, and where the best epoch was."""
    w = where or st
    if stop == "early stop" and best is not None:
        w.caption(t("Stopped early at epoch {e}; the best weights (epoch {b}) are restored.", e=last, b=best))
    elif best is not None and best < last:
        w.caption(
            t(
                "The numbers above are from epoch {e}, the last one trained (without early stopping the last "
                "weights are kept). The best validation {m}, {v}, was at epoch {b}: press ★ Best epoch below to see it.",
                e=last,
                m=metric,
                v=fmt_metric(val[best]),
                b=best,
            )
        )


def playback(data: Dataset, rec: Recording, name: str) -> Figure:
    """The recorded run as one playable figure (the curve at each snapshot beside the losses)."""
    words = {**playback_labels("MSE"), "model": name}
    xs = grid(PLAYBACK_POINTS, span=data.x_range)
    return fit_playback(data, xs, rec, title=t("Training, epoch by epoch"), labels=words)


def _draw(data, ts, p: Progress, lab, left: LiveChart, right: LiveChart) -> None:
    """Draw a live frame: the fit and the loss curves so far, titled by epoch."""
    curve = (t("network"), p.predict(grid(span=data.x_range)), MODEL)
    suffix = t(" — epoch {e}", e=p.epoch)
    f1 = fit_figure(data, [curve], title=t("Data and fitted curve") + suffix, labels=lab["pts"])
    f2 = loss_figure(
        p.train_loss,
        p.val_loss,
        int(np.argmin(p.val_loss)),
        title=t("Loss per epoch") + suffix,
        labels=lab["loss"],
        total_epochs=ts.epochs,
    )
    left.draw(f1)
    right.draw(f2)


def train_live(data, key, ms, ts, ph_fit, ph_loss, ph_bar) -> tuple[FitResult, Recording, str | None]:
    """Train and record (or reuse this session's earlier result for the same settings), showing live frames.

    Returns the result, its recording and a name for a run just trained (None when it came from the cache).
    """
    cache = st.session_state.setdefault("_fits", {})
    key = (key, ms, ts)
    if key in cache:
        return (*cache[key], None)
    lab = labels()
    bar = ph_bar.progress(0.0, text=t("Training…"))
    last = [0.0]

    def frame(p: Progress) -> None:
        now = time.perf_counter()
        if now - last[0] < FRAME_SECONDS:
            return
        last[0] = now
        bar.progress(p.epoch / p.epochs, text=t("Training… epoch {e} of {n}", e=p.epoch, n=p.epochs))
        _draw(data, ts, p, lab, ph_fit, ph_loss)

    try:  # the work bound refuses settings before training; the guard only stops a stuck server
        xs = grid(PLAYBACK_POINTS, span=data.x_range)
        res, rec = record_fit(data, ms, ts, curve_probe(xs), inner=frame, device=ts.device, max_seconds=GUARD_SECONDS)
    except TooMuchWork as e:
        ph_bar.empty()
        refuse(e.refusal)
        st.stop()
    ph_bar.empty()
    run = f"fit-{st.session_state.setdefault('_runs', 0) + 1}"
    st.session_state["_runs"] += 1
    if res.stop_reason == "time budget":  # incomplete: never kept
        return res, rec, run
    if len(cache) >= 8:
        cache.pop(next(iter(cache)))
    cache[key] = (res, rec)
    return res, rec, run
