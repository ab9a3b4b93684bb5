"""Classify's "Inside the network": every neuron's picture over the plane, links by weight, hover to enlarge."""

from __future__ import annotations

import streamlit as st

from playground.classify import ClassSettings, boundary_grid, fit_classifier, make_transform, net_settings
from playground.data import Dataset
from playground.figures.network import NETWORK_JS, WORDS, network_figure
from playground.inside import MAX_UNITS, Inside, inside
from playground.settings import GUARD_SECONDS, ModelSettings, TooMuchWork, TrainSettings

from .common import chart
from .i18n import t
from .widgets import choice_name, complete_only, refuse, uncached_if_incomplete

GRID = 40  # each picture is GRID x GRID levels: a 6 x 8 network sends ~90 kB of them
OPEN_KEY = "inside_open"

# Wires the enlarge-on-hover of the network figures in the page (the figure alone shows the output large).
_WIRE = st.components.v2.component(
    "playground_network", js=NETWORK_JS + "\nexport default function () { window.__nnWire(); }"
)


@st.cache_data(max_entries=32, show_spinner=False)
def pictures(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, _data: Dataset, upload: str = "") -> Inside:
    """The trained network's neuron pictures (the same run as the page's: results are pure functions of settings).

    `upload` (a digest of the user's file) keys the cache when `_data` is the user's points.
    """
    res = fit_classifier(cs, ms, ts, max_seconds=GUARD_SECONDS, data=_data)
    gx, gy, _ = boundary_grid(_data, GRID)
    ins = inside(res.model, make_transform(cs.features), cs.features, gx, gy)
    return complete_only(ins, res.stop_reason == "time budget")  # a run the guard cut short is never cached


def words() -> dict[str, str]:
    """The figure's words, translated."""
    return {k: t(v) for k, v in WORDS.items()}


@st.fragment  # opening or closing the expander reruns this section only, not the page's training and charts
def network_section(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, data: Dataset, digest: str = "") -> None:
    """An expander "Inside the network"; its network trains (or comes from the cache) only when it is open."""
    box = st.expander(t("Inside the network"), icon=":material/hub:", key=OPEN_KEY, on_change="rerun")
    if not box.open:
        return
    with box:
        try:
            with st.spinner(t("Training…")):
                ins = uncached_if_incomplete(pictures, cs, net_settings(cs, ms), ts, data, digest)
        except TooMuchWork as e:
            refuse(e.refusal)
            return
        st.caption(
            t(
                "Each square is one neuron's output over the plane: blue negative, orange positive, white 0 (the "
                "output: P(class 1)). Lines are the weights: thicker is larger, orange positive, blue negative. "
                "Hover a neuron to see it large beside the network; hover a line for its weight."
            )
        )
        if ins.trimmed:
            st.caption(t("Layers wider than {m} show their first {m} neurons.", m=MAX_UNITS))
        names = [t(choice_name("features", f)) for f in ins.names]
        fig = network_figure(ins, data, names=names, labels=words())
        chart(fig, "inside_network")
        _WIRE(key="network_wire", data={"n": sum(ins.shown)}, height=0)
