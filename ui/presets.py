"""Lesson presets: one click sets a page up to show one claim of the lesson, with two sentences why."""

from __future__ import annotations

import streamlit as st

from playground.lessons import PRESETS, STAGES, Preset, in_order, lesson
from playground.settings import ModelSettings, Settings, TrainSettings

from . import classify_page, compare_page, fit_page, sweep_pages
from .i18n import t
from .widgets import LESSON_TRIM, TRIM_KEYS, check_trim, code, put, trim_names

Groups = list[tuple[type[Settings], str]]

# The settings groups each page (by URL path) reads: the same lists the pages pass to load_url.
PAGE_GROUPS: dict[str, Groups] = {
    "fit": fit_page.GROUPS,
    "compare": compare_page.GROUPS,
    "classify": classify_page.GROUPS,
    "capacity": sweep_pages.GROUPS,
    "bias-variance": sweep_pages.GROUPS,
    "learning-curve": sweep_pages.GROUPS,
    "double-descent": sweep_pages.GROUPS,
}


LINK_KEY = "_lesson_link"  # the lesson shown on this run's page, for the link

__all__ = ["PAGE_GROUPS", "PRESETS", "STAGES", "Preset", "apply", "banner", "from_url", "lessons_page", "preset"]

preset = lesson


def known_keys() -> set[str]:
    """The URL key of every control of the app: what a link's hide= and lock= may name."""
    from .challenge_page import PREFIX  # the challenge's own model and training controls
    from .i18n import AppSettings

    groups = [g for gs in PAGE_GROUPS.values() for g in gs]
    groups += [(AppSettings, ""), (ModelSettings, PREFIX), (TrainSettings, PREFIX)]
    return {prefix + name for cls, prefix in groups for name in cls.specs()}


def lesson_trim(p: Preset) -> dict[str, tuple[str, ...]]:
    """The controls a lesson hides and locks on its page: its values "hide" and "lock", as a link's."""
    return {k: trim_names(p.values.get(k, "")) for k in TRIM_KEYS}


def apply(p: Preset) -> None:
    """Reset the preset's page to defaults, then set the preset's values (a callback)."""
    for cls, prefix in PAGE_GROUPS[p.page]:
        for name, (_, default) in cls.specs().items():
            put(prefix + name, default)
    for k, v in p.values.items():
        if k not in TRIM_KEYS:  # hide= and lock= trim the page's controls (banner), they are no setting
            put(k, v)
    st.session_state["_lesson"] = p.id
    st.session_state["_goto"] = p.page


def from_url() -> None:
    """Open a lesson named in the link (?lesson=id), once per session."""
    if st.session_state.get("_lesson_url_done"):
        return
    st.session_state["_lesson_url_done"] = True  # only the link a session opens with: later ?lesson= are its own
    check_trim(known_keys())  # the link's hide= and lock=: a name that is no control gets a notice
    pid = st.query_params.get("lesson")
    if pid:
        p = preset(pid)
        if p is None:
            st.session_state.setdefault("_notices", []).append(t("lesson: {raw} is not a lesson", raw=code(pid)))
        else:
            apply(p)


def banner(url_path: str) -> None:
    """Show the active lesson's explanation on top of its page."""
    p = preset(st.session_state.get("_lesson", ""))
    if p is None or p.page != url_path:
        st.session_state.pop(LINK_KEY, None)
        st.session_state.pop(LESSON_TRIM, None)
        return
    st.session_state[LESSON_TRIM] = lesson_trim(p)  # read by every widget() of this run
    st.session_state[LINK_KEY] = p.id  # write_url keeps ?lesson= in the address bar: a copied link shows this text
    c1, c2 = st.columns([12, 1])
    c1.info(f"**{t(p.title)}** — {t(p.text)}", icon=":material/school:")
    if c2.button("", icon=":material/close:", key="close_lesson", help=t("Hide the lesson")):
        st.session_state.pop("_lesson", None)
        st.session_state.pop(LINK_KEY, None)
        st.session_state.pop(LESSON_TRIM, None)  # the lesson's trimmed controls come back
        st.rerun()


def lessons_page() -> None:
    """The lessons in teaching order, numbered, a card each, each one click away."""
    st.title(t("Lessons"))
    st.caption(t("Each lesson opens a page set up to show one idea. Read the two sentences, then move the sliders."))
    number = 0
    for stage in STAGES:
        group = [p for p in in_order() if p.stage == stage.id]
        if not group:
            continue
        st.subheader(t(stage.title))
        cols = st.columns(2)
        for i, p in enumerate(group):
            number += 1
            with cols[i % 2].container(border=True):
                st.markdown(f"**{number}. {t(p.title)}**")
                st.write(t(p.text))
                if p.claim is not None:
                    st.caption(t("What you should see: {see}", see=t(p.claim.see)))
                st.button(t("Open"), key=f"lesson_{p.id}", on_click=apply, args=(p,), type="primary")
