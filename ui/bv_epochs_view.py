"""The Bias and variance page's view against epochs: R networks followed through training, decomposed."""

from __future__ import annotations

import streamlit as st

from playground.bv_epochs import EpochCurves, EpochSettings, bv_epochs
from playground.figures.bv_epochs import bv_epochs_figure
from playground.settings import DataSettings, TrainSettings

from .common import chart, fmt_metric
from .i18n import t
from .sections import data_section
from .share import table_export
from .widgets import collect, load_url, show_notices, widget, write_url

FIELDS = ("bve_r", "bve_width", "bve_epochs", "bve_lr")


@st.cache_data(max_entries=32, show_spinner=False)
def curves(ds: DataSettings, es: EpochSettings, init_seed: int) -> EpochCurves:
    """The decomposition at the recorded epochs (cached: a pure function of the settings)."""
    return bv_epochs(ds, es, init_seed=init_seed)


def against_epochs() -> bool:
    """The toggle on top of the sidebar; when it says epochs, draw the whole page here and return True."""
    load_url([(EpochSettings, ""), (TrainSettings, "")])
    if widget(EpochSettings, "bve_view", container=st.sidebar) != "epochs":
        return False
    ds = data_section(("truth", "n", "noise", "x_mode"))
    st.sidebar.subheader(t("Networks"))
    for name in FIELDS:
        widget(EpochSettings, name, container=st.sidebar)
    es, ts = collect(EpochSettings), collect(TrainSettings)
    write_url([(ds, ""), (es, "")])
    st.title(t("Bias and variance"))
    st.caption(
        t(
            "During training: {r} networks (one hidden layer of {w} tanh units, all starting from the same weights), each trained on its own fresh training set. At each recorded epoch their predictions are split into bias², variance and noise; the star marks the epoch with the lowest expected test error, where early stopping would stop.",
            r=es.bve_r,
            w=es.bve_width,
        )
    )
    show_notices()
    with st.spinner(t("Training {k} networks…", k=es.bve_r)):
        c = curves(ds, es, ts.init_seed)
    bv, i = c.bv, int(c.bv.total.argmin())
    st.caption(t("At the best epoch ({e}), and at the last ({last}):", e=int(c.epochs[i]), last=int(c.epochs[-1])))
    cols = st.columns(4)
    for col, (name, v) in zip(
        cols,
        (
            (t("bias²"), bv.bias2),
            (t("variance"), bv.var),
            (t("sum"), bv.total),
            (t("measured test error"), bv.measured),
        ),
        strict=True,
    ):
        col.metric(name, fmt_metric(v[i]), delta=fmt_metric(v[-1] - v[i]), delta_color="inverse")
    lab = {
        "title": t("Bias² + variance + noise during training"),
        "x": t("epoch"),
        "y": t("MSE (mean over the datasets)"),
        "bias2": t("bias²"),
        "var": t("variance"),
        "noise": t("noise σ²"),
        "total": t("bias² + variance + σ²"),
        "measured": t("measured test error"),
        "best": t("lowest test error"),
        "current": t("current"),
    }
    chart(bv_epochs_figure(c, labels=lab), "bv_epochs")
    cols_ = {"epoch": bv.cap, "bias2": bv.bias2, "variance": bv.var, "noise": [bv.noise] * len(bv.cap)}
    table_export({**cols_, "measured": bv.measured}, "bias_variance_epochs")
    return True
