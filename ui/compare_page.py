"""Compare: two models side by side on the same data, each with its errors and verdict."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.data import make_data
from playground.figures import MODEL, MODEL_B, fit_figure, grid
from playground.settings import GUARD_SECONDS, DataSettings, ModelSettings, TooMuchWork, TrainSettings
from playground.train import fit
from playground.verdict import verdict

from .common import chart, fmt_metric, guarded, verdict_box
from .fit_page import labels
from .i18n import t
from .sections import data_section, model_section, training_section
from .widgets import complete_only, load_url, put, refuse, show_notices, uncached_if_incomplete, write_url

GROUPS = [(DataSettings, ""), (ModelSettings, "a_"), (ModelSettings, "b_"), (TrainSettings, "")]

# The lesson's picture: 5 points on a line; a line (2 parameters) against 7 parameters through every point.
LESSON = {
    "truth": "linear",
    "n": 5,
    "noise": 0.3,
    "x_mode": "uniform",
    "seed": 1,
    "a_family": "poly",
    "a_degree": 1,
    "b_family": "poly",
    "b_degree": 6,
    "a_ridge": 0.0,
    "b_ridge": 0.0,
}


def apply_lesson() -> None:
    """Set the 5-point lesson (a callback: runs before the widgets draw)."""
    for k, v in LESSON.items():
        put(k, v)


@st.cache_data(max_entries=128, show_spinner=False)
def compare_view(ds: DataSettings, ms: ModelSettings, ts: TrainSettings) -> dict[str, object]:
    """Curve and metrics of one model on the data (cached: the same settings give the same numbers)."""
    r = fit(make_data(ds), ms, ts, device="cpu", max_seconds=GUARD_SECONDS)  # each model within the work bound
    v = {
        "curve": r.predict(grid()),
        "train": r.train_metric,
        "val": r.val_metric,
        "params": r.n_params,
        "note": r.note,
    }
    return complete_only(v, r.stop_reason == "time budget")  # a result the guard cut short is never cached


@guarded
def page() -> None:
    """Draw the Compare page."""
    load_url(GROUPS)
    ds = data_section()
    st.title(t("Compare two models on the same data"))
    st.caption(t("Same points, two models: which one generalizes? Training error alone cannot tell."))
    show_notices()
    st.button(
        t("Lesson: 5 points — a line vs a 7-parameter model"),
        on_click=apply_lesson,
        type="primary",
        key="lesson",
        help=t(
            "Five noisy points from a straight line: the line generalizes, the degree-6 polynomial passes through every point and misses the validation points."
        ),
    )
    cols = st.columns(2)
    ma = model_section("a_", cols[0], t("Model A"), regularizer=True)
    mb = model_section("b_", cols[1], t("Model B"), regularizer=True)
    ts = training_section() if "mlp" in (ma.family, mb.family) else TrainSettings()
    write_url([(ds, ""), (ma, "a_"), (mb, "b_"), (ts, "")])
    data = make_data(ds)
    scale = float(np.var(data.truth_fn(grid())))
    for col, ms, colour, name in ((cols[0], ma, MODEL, "A"), (cols[1], mb, MODEL_B, "B")):
        with st.spinner(t("Training…")):
            try:
                v = uncached_if_incomplete(compare_view, ds, ms, ts)
            except TooMuchWork as e:
                refuse(e.refusal, col)
                continue
        c = col.columns(3)
        c[0].metric(t("Train MSE"), fmt_metric(v["train"]))
        c[1].metric(t("Validation MSE"), fmt_metric(v["val"]))
        c[2].metric(t("Parameters"), f"{v['params']:,}")
        curve = (t("model {m} ({p} parameters)", m=name, p=v["params"]), v["curve"], colour)
        chart(fit_figure(data, [curve], title=t("Model {m}", m=name), labels=labels()["pts"]), f"cmp_{name}", col)
        verdict_box(verdict(v["train"], v["val"], ds.noise, scale), col)
        if v["note"]:
            (col.error if "diverged" in v["note"] else col.info)(t(v["note"]))
