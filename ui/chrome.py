"""App-wide settings shown on every page: language and presentation mode."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from playground.settings import Settings, param

from .i18n import t
from .widgets import CHOICE_NAMES, load_url, put, widget

CHOICE_NAMES.update({"en": "English", "zh": "中文"})

PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
h1 { font-size: 3rem !important; }
</style>
"""


@dataclass(frozen=True)
class AppSettings(Settings):
    """Settings of the whole app, kept in every page's URL."""

    lang: str = param("en", "Language", "Language of the whole app.", choices=("en", "zh"))
    present: bool = param(False, "Presentation mode", "Larger text and markers for a projector; controls collapsed.")


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
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)  # our own constant CSS, no user text
    return AppSettings(lang=st.session_state["v:lang"], present=present)


def present_toggle() -> None:
    """The presentation-mode switch (bottom of the sidebar)."""
    with st.sidebar:
        st.divider()
        widget(AppSettings, "present")
        st.caption(t("Share this view: copy the address bar; the link holds every setting, seed included."))
