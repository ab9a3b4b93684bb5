"""Sidebar sections shared by several pages: data, model, regularization, training."""

from __future__ import annotations

import streamlit as st

from playground.device import available
from playground.settings import DataSettings, ModelSettings, TrainSettings

from .i18n import t
from .widgets import collect, put, stored, widget


def _new_sample() -> None:
    put("seed", (stored(DataSettings, "seed") + 1) % (2**31 - 1))


def data_section(
    fields: tuple[str, ...] = ("truth", "n", "noise", "n_val", "x_mode"), enabled: bool = True
) -> DataSettings:
    """Data widgets and the "new sample" button; returns the data settings (widgets hidden while an upload rules)."""
    if not enabled:
        return collect(DataSettings)
    st.sidebar.subheader(t("Data"))
    for name in fields:
        widget(DataSettings, name, container=st.sidebar)
    c1, c2 = st.sidebar.columns(2, vertical_alignment="bottom")
    widget(DataSettings, "seed", container=c1)
    c2.button(
        t("New sample"), on_click=_new_sample, help=t("Draw fresh points: the seed goes up by one."), key="new_sample"
    )
    return collect(DataSettings)


def model_section(
    prefix: str = "", container: object = None, title: str | None = None, regularizer: bool = False
) -> ModelSettings:
    """Model family and capacity widgets (and its own L2 / dropout when `regularizer`, for paired runs)."""
    c = container or st.sidebar
    c.subheader(title or t("Model"))  # callers pass their title translated
    fam = widget(ModelSettings, "family", prefix, c)
    if fam == "poly":
        widget(ModelSettings, "degree", prefix, c)
    else:
        widget(ModelSettings, "layers", prefix, c)
        widget(ModelSettings, "width", prefix, c)
        widget(ModelSettings, "activation", prefix, c)
    if regularizer:
        widget(ModelSettings, "ridge" if fam == "poly" else "dropout", prefix, c)
    return collect(ModelSettings, prefix)


def regularization_section(family: str, prefix: str = "") -> None:
    """L2 / L1 / dropout / early stopping widgets for the family (polynomials: L2 only, see TrainSettings.l1)."""
    st.sidebar.subheader(t("Regularization"))
    if family == "poly":
        widget(ModelSettings, "ridge", prefix, st.sidebar)
        return
    widget(ModelSettings, "dropout", prefix, st.sidebar)
    widget(TrainSettings, "weight_decay", container=st.sidebar)
    widget(TrainSettings, "l1", container=st.sidebar)
    if widget(TrainSettings, "early_stopping", container=st.sidebar):
        widget(TrainSettings, "patience", container=st.sidebar)


def training_section() -> TrainSettings:
    """Optimizer, learning rate, epochs, batch size; seed and device under Advanced."""
    st.sidebar.subheader(t("Training"))
    for name in ("optimizer", "lr", "epochs", "batch_size"):
        widget(TrainSettings, name, container=st.sidebar)
    with st.sidebar.expander(t("Advanced")):
        widget(TrainSettings, "init_seed")
        widget(TrainSettings, "device")
        st.caption(t("Devices here: {devs}", devs=", ".join(available())))
    return collect(TrainSettings)
