"""Widgets, session state and the URL, all derived from the settings declarations.

Each setting has a widget key (`prefix + field`, also its URL key) and a stored value under
"v:" + key that survives pages where the widget is not drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from playground.settings import (
    Refusal,
    Settings,
    Spec,
    check,
    count_options,
    fmt_number,
    log_grid,
    nearest_on_grid,
    parse_kind,
    to_raw,
)

from .i18n import LANGS, AppSettings, t

S = TypeVar("S", bound=Settings)
T = TypeVar("T")

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
    "cset=linear": "line split",  # "field=choice": a name for one field only (the truth "linear" is a line)
    "activation=linear": "linear (none)",  # not the "straight line" ground truth of the same id
    # Classify's data sets, features and views
    "moons": "two moons",
    "circles": "circles",
    "xor": "XOR quadrants",
    "spiral": "two spirals",
    "blobs": "two blobs",
    "course": "course notebook (make_classification)",
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1²",
    "x2^2": "x2²",
    "x1*x2": "x1·x2",
    "sin x1": "sin(x1)",
    "sin x2": "sin(x2)",
    "train": "Train and watch",
    "compare": "Single vs multi-layer",
    # the sweeps' truths and the bias-variance page's views
    "random": "random smooth curves",
    "legendre": "Legendre polynomials",
    "capacity": "against capacity",
    "epochs": "against epochs",
    **LANGS,  # each language by its own name
}

SEED_MAX = 10_000  # above this a number box beats a slider

# Trimmed exercises: a link's hide= and lock= name controls by their URL keys (comma-separated). A hidden control
# is not drawn but keeps the link's value; a locked one is drawn disabled. Both stay in every link the page writes.
TRIM_KEYS = ("hide", "lock")
TRIM_STATE = "_trim"  # this session's {kind: names} from its first link
LESSON_TRIM = "_lesson_trim"  # the open lesson's {kind: names}, on its own page only (ui.presets.banner)


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


def choice_name(name: str, choice: str) -> str:
    """The display name (English key of t()) of one choice of field `name`."""
    return CHOICE_NAMES.get(f"{name}={choice}", CHOICE_NAMES.get(choice, choice))


def shown(name: str, v: Any) -> str:
    """A setting's value as the page names it, in the session's language (choices by name, not id)."""
    if isinstance(v, bool):
        return t("on") if v else t("off")
    if isinstance(v, tuple):
        return ", ".join(t(choice_name(name, o)) for o in v)
    if isinstance(v, str):
        return t(choice_name(name, v))
    return fmt_number(v)


def trim_names(raw: object) -> tuple[str, ...]:
    """Control names from "a,b" (or a sequence of names): stripped, no empties, no repeats, in order."""
    parts = raw.split(",") if isinstance(raw, str) else [str(p) for p in raw or ()]  # type: ignore[attr-defined]
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def link_trim() -> dict[str, tuple[str, ...]]:
    """The controls this session's link hides and locks (read from the link once per session)."""
    tr = st.session_state.get(TRIM_STATE)
    if tr is None:
        tr = {k: trim_names(st.query_params.get(k, "")) for k in TRIM_KEYS}
        st.session_state[TRIM_STATE] = tr
    return tr


def check_trim(known: set[str]) -> None:
    """Drop names of the link's hide= and lock= that are no control of the app, each with a notice in the page."""
    tr = link_trim()
    for kind in TRIM_KEYS:
        bad = [n for n in tr[kind] if n not in known]
        for n in bad:
            st.session_state.setdefault("_notices", []).append(
                t(
                    "{param}: {raw} is not the name of a control (names are a link's keys, e.g. lr)",
                    param=kind,
                    raw=code(n),
                )
            )
        tr[kind] = tuple(n for n in tr[kind] if n not in bad)


def trimmed(*keys: str) -> str | None:
    """ "hide" or "lock" when the link or the open lesson trims a control with one of these URL keys; hide wins.

    widget() asks for its own key; a control drawn by a page itself (a text entry standing for several settings)
    asks with the keys it sets, and skips drawing itself or draws itself disabled.
    """
    link, lesson = link_trim(), st.session_state.get(LESSON_TRIM) or {}
    for kind in TRIM_KEYS:
        if any(k in link[kind] or k in lesson.get(kind, ()) for k in keys):
            return kind
    return None


def load_url(groups: list[tuple[type[Settings], str]]) -> None:
    """Once per session and group: take settings from the URL query string; bad values become notices."""
    done = st.session_state.setdefault("_url_loaded", set())
    qp = st.query_params
    notes = st.session_state.setdefault("_link_notes", [])  # whole sentences (other notices are "_notices")
    for cls, prefix in groups:
        if (cls.__name__, prefix) in done:
            continue
        done.add((cls.__name__, prefix))
        for name, (spec, default) in cls.specs().items():
            key = prefix + name
            if key in qp:
                v, kind = parse_kind(spec, default, qp[key])
                if spec.log and kind != "unknown":
                    near = nearest_on_grid(v, log_grid(spec.lo or 0.0, spec.hi or 1.0))
                    kind, v = ("snapped" if near != v else kind), near  # as the command line snaps it
                put(key, v)
                if kind:  # said in the session's language: the command line prints NOTES in English
                    notes.append(link_note(spec, name, kind, qp[key], v))


def link_templates() -> dict[str, str]:
    """The page's link notices by kind (settings.NOTES, which the command line prints, after "Link: "), translated."""
    return {
        "clamped": t("Link: {label}: {raw} is out of range, clamped to {v}"),
        "rounded": t("Link: {label}: {raw} is not a whole number, rounded to {v}"),
        "unknown": t("Link: {label}: {raw} is an unknown value, using the default {v}"),
        "snapped": t("Link: {label}: {raw} is not on the slider, using {v}"),
    }


def link_note(spec: Spec, name: str, kind: str, raw: object, v: Any) -> str:
    """One link notice: what was asked for, what was done and the value now used, all named as on the page."""
    return link_templates()[kind].format(label=t(spec.label), raw=code(raw), v=shown(name, v))


def code(raw: object) -> str:
    """A visitor's text shown as inline code: Markdown in a link (a [link](...)) stays inert; empty says so."""
    text = str(raw)[:40].replace("`", "'")
    return "`" + text + "`" if text.strip() else t("(empty)")


def refuse(r: Refusal, where: Any = None) -> None:
    """Say (translated) why settings are refused before training and what to reduce."""
    (where or st).warning(t(r.template, **r.values), icon=":material/block:")


class Incomplete(Exception):
    """Carries a result that the guard cut short out of a st.cache_data function (an exception is never cached)."""

    def __init__(self, value: Any) -> None:
        super().__init__("incomplete result")
        self.value = value


def complete_only(value: T, incomplete: bool) -> T:
    """Inside a cached function: the value, or (cut short by the guard) the value raised past the cache."""
    if incomplete:
        raise Incomplete(value)
    return value


def uncached_if_incomplete(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) through its cache; a result the guard cut short comes back too, but was never kept."""
    try:
        return fn(*args)
    except Incomplete as e:
        return e.value


def show_notices() -> None:
    """Show the URL notices once (a bad link never raises)."""
    for note in st.session_state.pop("_link_notes", []):
        st.warning(note, icon="⚠️")
    for note in st.session_state.pop("_notices", []):  # e.g. an unknown lesson (ui.presets)
        st.warning(t("Link setting ignored: {note}", note=note), icon="⚠️")
    if any(link_trim().values()):
        st.caption(t("This link is an exercise: some controls are hidden or locked."), help=_trim_help())


def _trim_help() -> str:
    tr = link_trim()
    parts = [t("hidden: {names}", names=", ".join(tr["hide"]))] if tr["hide"] else []
    parts += [t("locked: {names}", names=", ".join(tr["lock"]))] if tr["lock"] else []
    return "; ".join(parts)


def widget(cls: type[Settings], name: str, prefix: str = "", container: Any = None, label: str | None = None) -> Any:
    """Draw the widget of one setting (kind, bounds and help from its declaration); return its value."""
    spec, default = cls.specs()[name]
    key = prefix + name
    store = _store(key)
    if store not in st.session_state:
        st.session_state[store] = default
    # Re-own the value every run: a keyed widget last drawn by another page would fall back to its default.
    st.session_state[key] = st.session_state[key] if key in st.session_state else st.session_state[store]
    how = trimmed(key)
    if how == "hide":  # not drawn: the value from the link (or the lesson) is used as it is
        return stored(cls, name, prefix)
    off = how == "lock"  # drawn, disabled: the value the link set
    hlp = t(spec.help) + (f" {t('Locked by this link.')}" if off else "")
    w = _Widget(container or st, cls, name, prefix, spec, key, t(label or spec.label), hlp, off)
    v = _drawer(spec, default)(w)
    st.session_state[store] = v
    return v


@dataclass(frozen=True)
class _Widget:
    """One setting's widget as it is drawn: container, setting, key, label, help, locked by a link."""

    c: Any
    cls: type[Settings]
    name: str
    prefix: str
    spec: Spec
    key: str
    lab: str
    hlp: str
    off: bool

    def names(self) -> dict[str, str]:
        """Choice -> its translated name (format_func runs off the script thread: translate here)."""
        return {o: t(choice_name(self.name, o)) for o in self.spec.choices or ()}


def _subset(w: _Widget) -> Any:
    """A subset of the choices; the widget holds a list, the setting a tuple."""
    st.session_state[w.key] = list(st.session_state[w.key])
    names = w.names()
    picked = w.c.multiselect(
        w.lab, w.spec.choices, key=w.key, help=w.hlp, format_func=names.__getitem__, disabled=w.off
    )
    if len(picked) < (w.spec.lo or 0):
        w.c.warning(t("{label}: pick at least one; keeping the last choice.", label=w.lab))
    return stored(w.cls, w.name, w.prefix)


def _choice(w: _Widget) -> Any:
    names, seg = w.names(), w.spec.widget == "segmented"
    kind = w.c.segmented_control if seg else w.c.selectbox
    extra = {"required": True} if seg else {}
    return kind(w.lab, w.spec.choices, key=w.key, help=w.hlp, format_func=names.__getitem__, disabled=w.off, **extra)


def _log_slider(w: _Widget) -> Any:
    opts = log_grid(w.spec.lo or 0.0, w.spec.hi or 1.0)
    st.session_state[w.key] = nearest_on_grid(st.session_state[w.key], opts)
    return w.c.select_slider(w.lab, opts, key=w.key, help=w.hlp, format_func=fmt_number, disabled=w.off)


def _counts(w: _Widget) -> Any:
    """Fine steps where counts are small; a link's count between two steps joins them."""
    opts = count_options(int(st.session_state[w.key]), int(w.spec.lo or 0), int(w.spec.hi or 0))
    return w.c.select_slider(w.lab, opts, key=w.key, help=w.hlp, disabled=w.off)


def _seed(w: _Widget) -> Any:
    lo, hi = int(w.spec.lo or 0), int(w.spec.hi or 0)
    return w.c.number_input(w.lab, lo, hi, step=1, key=w.key, help=w.hlp, disabled=w.off)


def _int_slider(w: _Widget) -> Any:
    return w.c.slider(w.lab, int(w.spec.lo or 0), int(w.spec.hi or 0), step=1, key=w.key, help=w.hlp, disabled=w.off)


def _float_slider(w: _Widget) -> Any:
    lo, hi = float(w.spec.lo or 0), float(w.spec.hi or 0)
    return w.c.slider(w.lab, lo, hi, step=w.spec.step, key=w.key, help=w.hlp, disabled=w.off)


def _drawer(spec: Spec, default: Any) -> Callable[[_Widget], Any]:
    """How a setting is drawn, from its default's type and its declaration."""
    if isinstance(default, bool):
        return lambda w: w.c.toggle(w.lab, key=w.key, help=w.hlp, disabled=w.off)
    if isinstance(default, tuple):
        return _subset
    if isinstance(default, str):
        return _choice
    if spec.log:
        return _log_slider
    if spec.widget == "counts":
        return _counts
    if isinstance(default, int):
        return _seed if (spec.hi or 0) > SEED_MAX else _int_slider
    return _float_slider


def collect(cls: type[S], prefix: str = "") -> S:
    """The settings object from this session's stored values."""
    return cls(**{name: stored(cls, name, prefix) for name in cls.specs()})


def write_url(groups: list[tuple[Settings, str]], extra: dict[str, str] | None = None) -> None:
    """Put every non-default setting of this page into the URL, so the link reproduces the view."""
    raw = dict(extra or {})
    if st.session_state.get("_lesson_link"):  # a lesson's text is on this page: the link reopens it (ui.presets)
        raw["lesson"] = st.session_state["_lesson_link"]
    for kind, names in link_trim().items():  # an exercise stays trimmed as its remaining controls move
        if names:
            raw[kind] = ",".join(names)
    groups = [*groups, (collect(AppSettings), "")]  # every link also keeps the language and presentation mode
    for s, prefix in groups:
        raw.update(to_raw(s, prefix))
    if dict(st.query_params) != raw:
        st.query_params.from_dict(raw)
