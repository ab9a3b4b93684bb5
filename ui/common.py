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
from playground.verdict import Verdict

from .i18n import t

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


def chart(fig: Figure, key: str | None = None, where: Any = None) -> None:
    """Draw a Plotly figure at full width (with a key, so identical figures never clash)."""
    if st.session_state.get("v:present"):
        presentation(fig)
    (where or st).plotly_chart(fig, width="stretch", key=key and f"chart_{key}", config={"displaylogo": False})


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
