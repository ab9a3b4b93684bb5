"""Compare: two models side by side on the same data, each with its errors and verdict."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.codegen import api_snippet, torch_script
from playground.data import make_data
from playground.figures import MODEL, MODEL_B, fit_figure, grid
from playground.figures.playback import fit_playback
from playground.record import curve_probe, record_fit
from playground.settings import GUARD_SECONDS, DataSettings, ModelSettings, TooMuchWork, TrainSettings
from playground.train import fit
from playground.verdict import verdict

from .common import chart, guarded, metric, playback_labels, player, url_extra, verdict_box
from .fit_page import PLAYBACK_POINTS, epoch_caption, labels
from .i18n import t
from .sections import data_section, model_section, training_section
from .share import code_expander, export_expander
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


# A first visit shows a contrast, not two identical models: the default cubic against a degree-12 polynomial.
CONTRAST = {"b_degree": 12}


def _first_visit_contrast() -> None:
    """Once per session, when the link sets neither model, give model B the contrasting default."""
    if st.session_state.get("_cmp_contrast"):
        return
    st.session_state["_cmp_contrast"] = True
    if not any(k.startswith(("a_", "b_")) for k in st.query_params):
        for k, v in CONTRAST.items():
            put(k, v)


@st.cache_data(max_entries=128, show_spinner=False)
def compare_view(ds: DataSettings, ms: ModelSettings, ts: TrainSettings) -> dict[str, object]:
    """Curve, metrics and result of one model on the data (cached: the same settings give the same numbers).

    A network's run is recorded (`rec`) and plays back like the Fit page's.
    """
    data = make_data(ds)
    rec = None
    if ms.family == "mlp":  # each model within the work bound
        r, rec = record_fit(data, ms, ts, curve_probe(grid(PLAYBACK_POINTS)), device="cpu", max_seconds=GUARD_SECONDS)
    else:
        r = fit(data, ms, ts, device="cpu", max_seconds=GUARD_SECONDS)
    v = {
        "curve": r.predict(grid()),
        "train": r.train_metric,
        "val": r.val_metric,
        "params": r.n_params,
        "note": r.note,
        "rec": rec,
        "res": r,
    }
    return complete_only(v, r.stop_reason == "time budget")  # a result the guard cut short is never cached


@guarded
def page() -> None:
    """Draw the Compare page."""
    load_url(GROUPS)
    _first_visit_contrast()
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
    write_url([(ds, ""), (ma, "a_"), (mb, "b_"), (ts, "")], url_extra())
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
        metric(c[0], t("Train MSE"), v["train"])
        metric(c[1], t("Validation MSE"), v["val"])
        c[2].metric(t("Parameters"), f"{v['params']:,}")
        label = t("model {m} ({p} parameters)", m=name, p=v["params"])
        if v["rec"] is not None:  # a network: its training plays back, curve and losses together
            words = {**playback_labels("MSE"), "model": label}
            fig = fit_playback(data, grid(PLAYBACK_POINTS), v["rec"], title=t("Model {m}", m=name), labels=words)
            fig.update_layout(xaxis={"domain": [0.0, 1.0]}, height=760, yaxis={"domain": [0.56, 1.0]},
                              xaxis2={"domain": [0.0, 1.0]}, yaxis2={"domain": [0.0, 0.4]})  # fmt: skip
            epoch_caption(v["res"].stop_reason, len(v["rec"].val_loss) - 1, v["rec"].best_epoch,
                          v["res"].val_loss, "MSE", col)  # fmt: skip
        else:
            curve = (label, v["curve"], colour)
            fig = fit_figure(data, [curve], title=t("Model {m}", m=name), labels=labels()["pts"])
        chart(fig, f"cmp_{name}", col)
        verdict_box(verdict(v["train"], v["val"], ds.noise, scale, v["res"].best_val), col)
        if v["note"]:
            (col.error if "diverged" in v["note"] else col.info)(t(v["note"]))
        with col:
            code_expander(torch_script(ds, ms, ts), api_snippet(ds, ms, ts), f"compare_{name}")
            export_expander(data, v["res"], {t("Model {m}", m=name): fig}, None, f"compare_{name}")
    player(None, "compare")
