"""Trimmed exercises: a link's hide= takes controls off the page (their values still come from the link), lock=
draws them disabled; both stay in the link; a name that is no control gets a notice; a lesson can carry them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.presets
from playground.lessons import Preset
from ui.widgets import trim_names

APP = str(Path(__file__).parents[1] / "app.py")
LINK = {"degree": "7", "n": "12", "noise": "0.35"}  # the Fit page: a polynomial, no training loop


def _open(**qp: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(qp)
    at.run()
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value]
    return at


def _keys(at: AppTest) -> set[str]:
    """Keys of every widget drawn on the page (sidebar included)."""
    kinds = ("slider", "select_slider", "selectbox", "number_input", "toggle", "multiselect", "button_group")
    return {w.key for k in kinds for w in at.get(k) if getattr(w, "key", None)}


def _widget(at: AppTest, key: str):
    kinds = ("slider", "select_slider", "selectbox", "number_input", "toggle", "multiselect", "button_group")
    return next(w for k in kinds for w in at.get(k) if getattr(w, "key", None) == key)


def _numbers(at: AppTest) -> tuple:
    return tuple((m.label, m.value) for m in at.metric)


def test_trim_names_split_strip_and_drop_repeats() -> None:
    assert trim_names(" lr, optimizer,,lr ,") == ("lr", "optimizer")
    assert trim_names("") == ()
    assert trim_names(("a", "b", "a")) == ("a", "b")


def test_hidden_controls_are_not_drawn_and_the_links_values_are_used() -> None:
    shown = _open(**LINK)
    assert {"degree", "n", "noise"} <= _keys(shown)
    hidden = _open(**LINK, hide="degree,n")
    keys = _keys(hidden)
    assert "degree" not in keys and "n" not in keys and "noise" in keys
    assert _numbers(hidden) == _numbers(shown)  # the same fit as the link with every control drawn
    assert _numbers(hidden) != _numbers(_open(hide="degree,n"))  # ... and not the defaults'
    assert hidden.session_state["v:degree"] == 7 and hidden.session_state["v:n"] == 12
    assert any("exercise" in c.value for c in hidden.caption)


def test_locked_controls_are_drawn_disabled_with_the_links_values() -> None:
    at = _open(**LINK, lock="degree,noise")
    assert at.slider(key="degree").disabled and at.slider(key="degree").value == 7
    assert at.slider(key="noise").disabled and at.slider(key="noise").value == pytest.approx(0.35)
    assert not at.select_slider(key="n").disabled


def test_hide_and_lock_stay_in_the_link_as_the_other_controls_move() -> None:
    at = _open(**LINK, hide="degree", lock="noise")
    assert at.query_params["hide"] == "degree" and at.query_params["lock"] == "noise"
    at.select_slider(key="n").set_value(30).run()
    assert not at.exception
    assert at.query_params["hide"] == "degree" and at.query_params["lock"] == "noise"
    assert at.query_params["n"] == "30" and at.query_params["degree"] == "7"


def test_a_name_that_is_no_control_gets_a_notice_not_a_traceback() -> None:
    at = _open(**LINK, hide="degree,bogus", lock="nope")
    notes = [w.value for w in at.warning]
    assert any("bogus" in n for n in notes) and any("nope" in n for n in notes)
    assert "degree" not in _keys(at)
    assert at.query_params["hide"] == "degree" and "lock" not in at.query_params  # the unknown names are dropped


def test_app_settings_are_trimmed_too_and_chinese_notices() -> None:
    at = _open(lang="zh", hide="lang,present,bogus")
    assert "lang" not in _keys(at) and "present" not in _keys(at)
    assert at.session_state["v:lang"] == "zh"
    assert any("bogus" in w.value and "不是控件的名称" in w.value for w in at.warning)


def test_classify_page_hides_its_network_controls() -> None:
    at = AppTest.from_file(str(Path(__file__).parents[1] / "views" / "classify.py"), default_timeout=180)
    at.query_params.update({"hide": "optimizer,lr,activation", "lock": "cn,cnoise", "hidden": "1", "cn": "80"})
    at.query_params.update({"epochs": "20", "cview": "compare"})
    at.run()
    assert not at.exception, at.exception
    keys = _keys(at)
    assert not {"optimizer", "lr", "activation"} & keys and "features" in keys  # activation: drawn when hidden > 0
    assert _widget(at, "cn").disabled and _widget(at, "cnoise").disabled
    assert at.session_state["v:hidden"] == 1 and at.session_state["v:cn"] == 80


def test_a_lesson_can_hide_and_lock_its_pages_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    p = Preset("h3_trim", "A trimmed lesson", "fit", "Only the degree moves. Watch the error.",
               values={"degree": 5, "n": 15, "hide": "n,noise", "lock": ("truth",)})  # fmt: skip
    real = ui.presets.preset
    monkeypatch.setattr(ui.presets, "preset", lambda pid: p if pid == p.id else real(pid))
    at = _open(lesson=p.id)
    keys = _keys(at)
    assert "n" not in keys and "noise" not in keys and "degree" in keys
    assert at.selectbox(key="truth").disabled
    assert at.session_state["v:n"] == 15 and at.session_state["v:degree"] == 5
    assert "hide" not in at.query_params  # the lesson's link (lesson=) brings its trim back
    at.button(key="close_lesson").click().run()  # closing the lesson gives its controls back
    assert {"n", "noise"} <= _keys(at) and not at.selectbox(key="truth").disabled


def test_existing_lessons_trim_nothing() -> None:
    assert all(not any(ui.presets.lesson_trim(p).values()) for p in ui.presets.PRESETS)
