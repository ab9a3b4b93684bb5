"""Small pieces every page uses: charts, verdict boxes, error guard."""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from playground.figures import Figure, presentation
from playground.figures.playback import PLAYER_JS
from playground.verdict import Verdict

from .i18n import t
from .plot import kept, stable_chart

log = logging.getLogger("playground")

VERDICT_TITLE = {"underfit": "Underfitting", "good": "Good fit", "overfit": "Overfitting"}


@functools.cache
def freeze_startup_heap() -> None:
    """Once per process: hide the imported libraries' objects (torch, plotly, streamlit) from the collector.

    A full collection walks every tracked object; with those imports that took ~0.15 s of CPU, which the
    load test measured after every rerun (Streamlit's runner.postScriptGC, now off in config.toml). Frozen,
    the startup heap is skipped by the collections that Python still runs by itself.
    """
    gc.collect()
    gc.freeze()


def chart(fig: Figure, key: str | None = None, where: Any = None, slot: str | None = None) -> None:
    """Draw a Plotly figure at full width; a key keeps the chart mounted across reruns (redrawn in place).

    `slot` (LiveChart) names a training frame's graph: each frame is a new element, as a run's frames cannot share
    a key, and it takes over that graph, still drawn.
    """
    if st.session_state.get("v:present"):
        presentation(fig)
    fig.layout.modebar.orientation = "v"  # the toolbar down the right edge: on a phone it never covers the title
    config = {"displaylogo": False}
    if key and kept():
        stable_chart(fig.to_json(validate=False), f"chart_{key}", {**config, "responsive": True}, where, slot)
    else:
        (where or st).plotly_chart(fig, width="stretch", key=key and f"chart_{key}", config=config)


class LiveChart:
    """The place of a chart redrawn while a network trains: two stacked slots take turns.

    A frame goes into the slot that does not hold the graph, and the graph moves into it once that element is
    mounted, so the graph is never inside an element being replaced: no animation frame shows the place blank.
    """

    def __init__(self, where: Any, name: str) -> None:
        box = (where or st).container(gap=None)  # no gap: the empty slot takes no room
        self.slots, self.name, self.n = (box.empty(), box.empty()), name, 0

    def draw(self, fig: Figure) -> None:
        """Show the next frame (Streamlit's own chart, before plotly.js has gone out: one slot, replaced)."""
        if not kept():
            chart(fig, None, self.slots[0])
            return
        self.n += 1
        chart(fig, f"live_{self.name}_{self.n}", self.slots[self.n % 2], slot=self.name)

    def empty(self) -> None:
        """Remove the chart."""
        for s in self.slots:
            s.empty()


def verdict_box(v: Verdict, where: Any = None) -> None:
    """The verdict as a coloured box with its reason."""
    w = where or st
    text = f"**{t(VERDICT_TITLE[v.kind])}** — {t(v.reason)}"
    {"underfit": w.info, "good": w.success, "overfit": w.warning}[v.kind](text)


def guarded(page: Callable[[], None]) -> Callable[[], None]:
    """Run a page; an unexpected error becomes a message in the page, never a traceback."""

    @functools.wraps(page)
    def run() -> None:
        try:
            page()
        except Exception as e:  # Streamlit's rerun/stop signals are BaseExceptions and pass through
            log.exception("page failed")
            st.error(
                t("Something went wrong with these settings: {err}. Try other values or reset.", err=type(e).__name__)
            )

    return run


ZERO = 1e-6  # below this an error is shown as "≈ 0": 4.76e-31 is an interpolating fit, not a number to read
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def metric(where: Any, label: str, v: float) -> None:
    """A metric shown as a plain number (fmt_metric), its exact value on hover where the shown one is rounded."""
    shown, exact = fmt_metric(v), ("—" if v != v else f"{v:.10g}")
    where.metric(label, shown, help=None if shown == exact else t("Exact value: {v}", v=exact))


def fmt_metric(v: float) -> str:
    """A metric value as a plain number with 3 significant digits: "≈ 0" when tiny, a dash when missing."""
    if v != v:
        return "—"
    if abs(v) == float("inf"):
        return "∞" if v > 0 else "-∞"
    if abs(v) < ZERO:
        return "≈ 0"
    if abs(v) < 1:  # 0.0000354, never 3.54e-05
        return np.format_float_positional(v, precision=3, unique=False, fractional=False, trim="-")
    if abs(v) < 1e6:  # 713, 12,300
        return f"{float(f'{v:.3g}'):,.15g}"
    m, e = f"{v:.2e}".split("e")
    return f"{m} × 10{str(int(e)).translate(SUPERSCRIPT)}"  # 2.46 × 10⁶: a blown-up fit, readable


# Wires the playback figures in the page (Step, keyboard) and presses Play once per new run. Components v2 run
# in the app's own document, where the charts are; the figure itself plays without it.
_PLAYER = st.components.v2.component(
    "playground_player",
    js=PLAYER_JS + "\nexport default function (c) { window.__pbWire(!!c.data.autoplay, c.data.run || null); }",
)


def autoplay_enabled() -> bool:
    """Whether a new run plays by itself: `autoplay=0` in the link turns it off for the session."""
    flag = st.query_params.get("autoplay")
    if flag is not None:
        st.session_state["_autoplay"] = flag != "0"
    return st.session_state.get("_autoplay", True)


def url_extra() -> dict[str, str]:
    """Link parameters the settings do not hold (write_url would drop them)."""
    return {} if autoplay_enabled() else {"autoplay": "0"}


def player(run: str | None, key: str) -> None:
    """Wire this page's playback charts; `run` names a run just trained, played once if autoplay is on."""
    _PLAYER(key=f"player_{key}", data={"run": run, "autoplay": bool(run) and autoplay_enabled()}, height=0)


def playback_labels(metric: str) -> dict[str, str]:
    """Translated words of the playback figures (controls, legends, the slider's line)."""
    return {
        "play": t("▶ Play"),
        "pause": t("❚❚ Pause"),
        "reset": t("⏮ Reset"),
        "step": t("⏭ Step"),
        "best": t("★ Best epoch"),
        "speed": t("speed"),
        "epoch": t("epoch"),
        "after": t("after the best epoch"),
        "train": t("training"),
        "val": t("validation"),
        "best_marker": t("best epoch"),
        "now": t("this epoch"),
        "metric": metric,
        "train points": t("training points"),
        "val points": t("validation points"),
        "truth": t("truth"),
        "model": t("network"),
        "accuracy": t("accuracy"),
        "chance": t("chance level"),
        "prob": t("P(class 1)"),
        "boundary": t("boundary (P = 0.5)"),
        "train0": t("training, class 0"),
        "train1": t("training, class 1"),
        "val0": t("validation, class 0"),
        "val1": t("validation, class 1"),
        "train_on": t("training loss (dropout on)"),
    }
