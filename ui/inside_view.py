"""Classify's "Inside the network": every neuron's picture over the plane, links by weight, hover to enlarge."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from playground.classify import ClassSettings, boundary_grid, fit_classifier, make_transform, net_settings
from playground.data import Dataset
from playground.figures.network import NETWORK_JS, WORDS, network_figure
from playground.inside import MAX_UNITS, Inside, inside, shown_epochs
from playground.settings import GUARD_SECONDS, ModelSettings, TooMuchWork, TrainSettings

from .common import chart
from .i18n import t
from .widgets import choice_name, complete_only, refuse, uncached_if_incomplete

GRID = 40  # each picture is GRID x GRID levels: a 6 x 8 network sends ~90 kB of them
OPEN_KEY = "inside_open"
EPOCH_KEY = "inside_epoch"
RUN_KEY = "inside_epoch_of"  # which run the slider's epoch belongs to

# Wires the enlarge-on-hover of the network figures in the page (the figure alone shows the output large).
_WIRE = st.components.v2.component(
    "playground_network", js=NETWORK_JS + "\nexport default function () { window.__nnWire(); }"
)


class Pictures(NamedTuple):
    """A run's neuron pictures at its end, and which epochs it measured."""

    ins: Inside
    last: int  # the last epoch measured (an early stop's; its pictures are the weights kept)
    best: int | None
    stop: str


@st.cache_data(max_entries=96, show_spinner=False)  # 8 epochs of 12 runs; 6 x 8 pictures are ~90 kB
def pictures(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, _data: Dataset, upload: str = "") -> Pictures:
    """The trained network's neuron pictures (the same run as the page's: results are pure functions of settings).

    `upload` (a digest of the user's file) keys the cache when `_data` is the user's points. The pictures at an
    earlier epoch e are this function's with ts.changed(epochs=e): the same seeds and batches, stopped at e.
    """
    res = fit_classifier(cs, ms, ts, max_seconds=GUARD_SECONDS, data=_data)
    gx, gy, _ = boundary_grid(_data, GRID)
    ins = inside(res.model, make_transform(cs.features), cs.features, gx, gy)
    out = Pictures(ins, len(res.val_loss) - 1, res.best_epoch, res.stop_reason)
    return complete_only(out, res.stop_reason == "time budget")  # a run the guard cut short is never cached


def _label(e: int, p: Pictures) -> str:
    """A slider stop: the epoch, and whether it is the best or the weights kept."""
    if e == p.last and p.stop in ("early stop", "diverged") and p.best is not None and p.best != p.last:
        return t("{e} (the best epoch's weights, kept)", e=e)
    return t("{e} (best)", e=e) if e == p.best else str(e)


def words() -> dict[str, str]:
    """The figure's words, translated."""
    return {k: t(v) for k, v in WORDS.items()}


def _epoch(run: Pictures, of: str) -> int:
    """The epoch slider (a run of one epoch has none): which of the run's shown epochs to draw, its end at first.

    `of` names the run; another run (changed settings) starts at its end again.
    """
    stops = shown_epochs(run.last, run.best)
    if st.session_state.get(RUN_KEY) != of or st.session_state.get(EPOCH_KEY) not in stops:
        st.session_state[EPOCH_KEY] = run.last  # set, not dropped: the slider in the page moves there too
    st.session_state[RUN_KEY] = of
    if len(stops) < 2:
        return run.last
    return st.select_slider(
        t("Epoch"),
        stops,
        format_func=lambda e: _label(e, run),
        key=EPOCH_KEY,
        help=t(
            "Each neuron at an earlier epoch of the same run: the network trained with the same settings for that "
            "many epochs (the same seeds and batches)."
        ),
    )


@st.fragment  # opening or closing the expander reruns this section only, not the page's training and charts
def network_section(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, data: Dataset, digest: str = "") -> None:
    """An expander "Inside the network"; its network trains (or comes from the cache) only when it is open."""
    box = st.expander(t("Inside the network"), icon=":material/hub:", key=OPEN_KEY, on_change="rerun")
    if not box.open:
        return
    net = net_settings(cs, ms)
    with box:
        try:
            with st.spinner(t("Training…")):
                run = uncached_if_incomplete(pictures, cs, net, ts, data, digest)
            epoch = _epoch(run, repr((cs, net, ts, digest)))
            ins = run.ins
            if epoch != run.last:  # an earlier epoch: the same settings trained for that many epochs (cached too)
                with st.spinner(t("Training…")):
                    ins = uncached_if_incomplete(pictures, cs, net, ts.changed(epochs=epoch), data, digest).ins
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
        _WIRE(key="network_wire", data={"n": sum(ins.shown), "epoch": epoch}, height=0)  # new epoch: rewire
