"""Link notices say what was done (clamped, rounded, unknown, snapped) with the page's names, in both languages;
the page and the command line say the same; the training-points slider makes small counts easy to pick."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from playground.__main__ import parse_settings, query_of
from playground.classify import ClassSettings
from playground.settings import NOTES, DataSettings, ModelSettings, TrainSettings, count_grid, count_options, spec_of
from ui import widgets
from ui.zh import ZH

ROOT = Path(__file__).parents[1]


def _fit_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def _notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_the_page_says_clamped_rounded_unknown_and_snapped_with_display_names() -> None:
    at = _fit_page({"degree": "99", "n": "7.5", "truth": "nope", "ridge": "0.003", "x_mode": ""})
    notes = _notices(at)
    want = [
        "Link: Polynomial degree: `99` is out of range, clamped to 30",
        "Link: Training points: `7.5` is not a whole number, rounded to 8",
        "Link: Ground truth: `nope` is an unknown value, using the default sine wave",  # the name, not "sine"
        "Link: Ridge (L2) strength: `0.003` is not on the slider, using 0.002",
        "Link: x positions: (empty) is an unknown value, using the default uniform random",
    ]
    for w in want:
        assert w in notes, (w, notes)
    assert not any("``" in n for n in notes)
    assert at.select_slider(key="ridge").value == 0.002 and at.slider(key="degree").value == 30


def test_the_page_snaps_a_log_value_with_the_same_notice_as_the_command_line() -> None:
    """lr=0.002 lies between two steps of the learning-rate slider (1-3 grid): both say so, in the same words."""
    (_, _, ts), cli_notes = parse_settings(
        query_of("lr=0.002"), [(DataSettings, ""), (ModelSettings, ""), (TrainSettings, "")]
    )
    assert cli_notes == ["Learning rate: 0.002 is not on the slider, using 0.003"] and ts.lr == 0.003
    at = _fit_page({"family": "mlp", "lr": "0.002", "epochs": "20"})
    assert "Link: Learning rate: `0.002` is not on the slider, using 0.003" in _notices(at)
    assert at.select_slider(key="lr").value == 0.003


def test_notices_in_chinese_use_chinese_templates_and_names() -> None:
    at = _fit_page({"lang": "zh", "degree": "99", "truth": "nope", "family": "banana"})
    notes = _notices(at)
    degree, truth, family = (
        ZH[spec_of(DataSettings if k == "truth" else ModelSettings, k).label] for k in ("degree", "truth", "family")
    )
    assert f"链接：{degree}：`99` 超出范围，已限制为 30" in notes, notes
    assert f"链接：{truth}：`nope` 是未知的值，改用默认值 {ZH['sine wave']}" in notes, notes
    assert f"链接：{family}：`banana` 是未知的值，改用默认值 {ZH['Polynomial']}" in notes, notes


def test_the_pages_templates_are_the_command_lines_after_link() -> None:
    assert set(widgets.link_templates()) == set(NOTES)
    for kind, template in widgets.link_templates().items():
        assert template == "Link: " + NOTES[kind]


def test_an_empty_value_is_named_not_shown_as_two_backticks() -> None:
    assert widgets.code("") == "(empty)" and widgets.code("  ") == "(empty)"
    assert widgets.code("a`b") == "`a'b`"


def test_the_count_grid_has_every_small_count_and_round_steps_after() -> None:
    g = count_grid(2, 500)
    assert g[0] == 2 and g[-1] == 500 and g == sorted(set(g))
    assert set(range(2, 31)) <= set(g)  # every count a lesson uses up to 30
    assert sum(1 for v in g if v <= 30) >= len(g) / 2  # small counts take at least half of the slider
    assert all(v % 5 == 0 for v in g if v > 30)
    assert count_grid(10, 1000)[-1] == 1000 and count_grid(7, 33)[-1] == 33


def test_a_link_count_between_two_steps_keeps_its_value() -> None:
    assert 33 in count_options(33, 2, 500) and count_options(35, 2, 500) == count_grid(2, 500)
    at = _fit_page({"n": "33"})
    assert at.select_slider(key="n").value == 33 and not _notices(at)


def test_classify_names_its_linear_set_a_line_split() -> None:
    assert widgets.choice_name("cset", "linear") == "line split"
    assert widgets.choice_name("truth", "linear") == "straight line"
    assert "line split" in spec_of(ClassSettings, "cset").help and "line split" in ZH
