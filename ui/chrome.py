"""App-wide settings shown on every page: language and presentation mode."""

from __future__ import annotations

import streamlit as st

from .i18n import AppSettings, t
from .widgets import load_url, put, widget

# Our own constant CSS (no user text). st.html of style tags only takes no space in the page.
# Presentation mode: larger text for a projector, but compact headings and padding, so that at 1280x720 the
# first screen holds the lesson, the numbers and the top of the main chart.
PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMainBlockContainer"] { padding-top: 3.4rem; padding-bottom: 1rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; line-height: 1.1; }
h1 { font-size: 2.1rem !important; padding: 0 0 0.2rem 0 !important; }
h2 { font-size: 1.45rem !important; padding: 0.2rem 0 !important; }
h3 { font-size: 1.2rem !important; padding: 0.1rem 0 !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
</style>
"""

# Every screen: a row of six or more metrics (Classify) gets smaller numbers, so that 0.0000354 is not cut off,
# and metric labels wrap instead of ending in "…".
# Phones: metrics two by two instead of one under another, smaller headings, so a chart is on the first screen.
LAYOUT_CSS = """
<style>
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]:nth-child(6)) [data-testid="stMetricValue"] {
  font-size: 1.6rem;
}
[data-testid="stMetricLabel"] p { white-space: normal; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  h1 { font-size: 1.5rem !important; padding: 0 !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-flow: row wrap; gap: 0.25rem 1rem; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 40% !important; min-width: 40% !important; width: 40% !important;
  }
  [data-testid="stMetricValue"] { font-size: 1.5rem; }
  [data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
  /* The playback figures (curve or boundary beside the loss charts, buttons and slider below) need ~720 px: on a
     phone they keep that width and scroll sideways rather than overlap their own parts. */
  .st-key-chart_fit_playback, .st-key-chart_cls_playback { overflow-x: auto; }
  .st-key-chart_fit_playback > *, .st-key-chart_cls_playback > * { min-width: 720px; }
}
</style>
"""


def _default_lang() -> None:
    """First visit without ?lang=: follow the browser's language."""
    if "v:lang" in st.session_state:
        return
    loc = (st.context.locale or "") if hasattr(st, "context") else ""
    put("lang", "zh" if loc.lower().startswith("zh") else "en")


def app_chrome() -> AppSettings:
    """Load app settings from the URL (or the browser's locale) and draw their widgets."""
    _default_lang()
    load_url([(AppSettings, "")])
    with st.sidebar:
        widget(AppSettings, "lang")
    present = bool(st.session_state.get("v:present", False))
    st.set_page_config(page_title=t("Overfitting Playground"), initial_sidebar_state="collapsed" if present else "auto")
    st.html(LAYOUT_CSS + (PRESENT_CSS if present else ""))
    return AppSettings(lang=st.session_state["v:lang"], present=present)


def present_toggle() -> None:
    """The presentation-mode switch (bottom of the sidebar)."""
    with st.sidebar:
        st.divider()
        widget(AppSettings, "present")
        st.caption(t("Share this view: copy the address bar; the link holds every setting, seed included."))
