"""Widgets, session state and the URL, all derived from the settings declarations.

Each setting has a widget key (`prefix + field`, also its URL key) and a stored value under
"v:" + key that survives pages where the widget is not drawn.
"""

from __future__ import annotations

from typing import Any, TypeVar

import streamlit as st

from playground.settings import Settings, check, fmt, log_grid, nearest_on_grid, parse, to_raw

from .i18n import t

S = TypeVar("S", bound=Settings)

CHOICE_NAMES = {
    "poly": "Polynomial",
    "mlp": "Neural network (MLP)",
    "sine": "sine wave",
    "linear": "straight line",
    "cubic": "cubic",
    "step": "step",
    "abs": "|x| kink",
    "uniform": "uniform random",
    "grid": "evenly spaced",
    "adam": "Adam",
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "auto": "auto",
    "cpu": "CPU",
    "cuda": "CUDA GPU",
    "mps": "Apple MPS",
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "gelu": "GELU",
}

SEED_MAX = 10_000  # above this a number box beats a slider


def _store(key: str) -> str:
    return "v:" + key


def stored(cls: type[S], name: str, prefix: str = "") -> Any:
    """The current value of one setting in this session (default if never set)."""
    spec, default = cls.specs()[name]
    key = prefix + name
    v = st.session_state.get(key, st.session_state.get(_store(key), default))  # a widget's new value comes first
    if isinstance(default, tuple):
        v = tuple(o for o in spec.choices or () if o in v)  # multiselect holds a list, in click order
    if check(spec, default, v) is not None:  # e.g. an emptied multiselect: keep the last valid value
        v = st.session_state.get(_store(key), default)
    return v


def put(key: str, value: Any) -> None:
    """Set a setting's value (and its widget) from code: presets, buttons. Call before the widget draws."""
    st.session_state[_store(key)] = value
    st.session_state[key] = value


def load_url(groups: list[tuple[type[Settings], str]]) -> None:
    """Once per session and group: take settings from the URL query string; bad values become notices."""
    done = st.session_state.setdefault("_url_loaded", set())
    qp = st.query_params
    notes = st.session_state.setdefault("_notices", [])
    for cls, prefix in groups:
        if (cls.__name__, prefix) in done:
            continue
        done.add((cls.__name__, prefix))
        for name, (spec, default) in cls.specs().items():
            key = prefix + name
            if key in qp:
                v, note = parse(spec, default, qp[key])
                if spec.log:
                    v = nearest_on_grid(v, log_grid(spec.lo or 0.0, spec.hi or 1.0))
                put(key, v)
                if note:  # said again in the session's language: parse's note is the package's English
                    shown = {"label": t(spec.label), "raw": code(qp[key]), "v": fmt(v)}
                    if "out of range" in note:
                        notes.append(t("{label}: {raw} is out of range, using {v}", **shown))
                    elif "whole number" in note:
                        notes.append(t("{label}: {raw} is not a whole number, using {v}", **shown))
                    else:
                        notes.append(t("{label}: {raw} is not valid, using the default {v}", **shown))


def code(raw: object) -> str:
    """A visitor's text shown as inline code: Markdown in a link (a [link](...)) stays inert."""
    return "`" + str(raw)[:40].replace("`", "'") + "`"


def show_notices() -> None:
    """Show the URL notices once (a bad link never raises)."""
    for note in st.session_state.pop("_notices", []):
        st.warning(t("Link setting ignored: {note}", note=note), icon="⚠️")


def widget(cls: type[Settings], name: str, prefix: str = "", container: Any = None, label: str | None = None) -> Any:
    """Draw the widget of one setting (kind, bounds and help from its declaration); return its value."""
    spec, default = cls.specs()[name]
    key = prefix + name
    store = _store(key)
    if store not in st.session_state:
        st.session_state[store] = default
    # Re-own the value every run: a keyed widget last drawn by another page would fall back to its default.
    st.session_state[key] = st.session_state[key] if key in st.session_state else st.session_state[store]
    c = container or st
    lab, hlp = t(label or spec.label), t(spec.help)
    if isinstance(default, bool):
        v = c.toggle(lab, key=key, help=hlp)
    elif isinstance(default, tuple):  # a subset of the choices; the widget holds a list
        st.session_state[key] = list(st.session_state[key])
        names = {o: t(CHOICE_NAMES.get(o, o)) for o in spec.choices or ()}
        picked = c.multiselect(lab, spec.choices, key=key, help=hlp, format_func=names.__getitem__)
        v = stored(cls, name, prefix)
        if len(picked) < (spec.lo or 0):
            c.warning(t("{label}: pick at least one; keeping the last choice.", label=lab))
    elif isinstance(default, str):
        names = {o: t(CHOICE_NAMES.get(o, o)) for o in spec.choices or ()}  # format_func runs off the script thread
        kind = c.segmented_control if spec.widget == "segmented" else c.selectbox
        extra = {"required": True} if spec.widget == "segmented" else {}
        v = kind(lab, spec.choices, key=key, help=hlp, format_func=names.__getitem__, **extra)
    elif spec.log:
        opts = log_grid(spec.lo or 0.0, spec.hi or 1.0)
        st.session_state[key] = nearest_on_grid(st.session_state[key], opts)
        v = c.select_slider(lab, opts, key=key, help=hlp, format_func=fmt)
    elif isinstance(default, int) and (spec.hi or 0) > SEED_MAX:
        v = c.number_input(lab, int(spec.lo or 0), int(spec.hi or 0), step=1, key=key, help=hlp)
    elif isinstance(default, int):
        v = c.slider(lab, int(spec.lo or 0), int(spec.hi or 0), step=1, key=key, help=hlp)
    else:
        v = c.slider(lab, float(spec.lo or 0), float(spec.hi or 0), step=spec.step, key=key, help=hlp)
    st.session_state[store] = v
    return v


def collect(cls: type[S], prefix: str = "") -> S:
    """The settings object from this session's stored values."""
    return cls(**{name: stored(cls, name, prefix) for name in cls.specs()})


def write_url(groups: list[tuple[Settings, str]], extra: dict[str, str] | None = None) -> None:
    """Put every non-default setting of this page into the URL, so the link reproduces the view."""
    from .chrome import AppSettings  # every page's link also keeps the language and presentation mode

    raw = dict(extra or {})
    groups = [*groups, (collect(AppSettings), "")]
    for s, prefix in groups:
        raw.update(to_raw(s, prefix))
    if dict(st.query_params) != raw:
        st.query_params.from_dict(raw)
    if st.session_state.get("_lesson_link"):  # a lesson's text is on this page: the link reopens it (ui.presets)
        raw["lesson"] = st.session_state["_lesson_link"]
