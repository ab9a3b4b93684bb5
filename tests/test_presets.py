"""Lesson presets: valid settings for their page, and each one shows its claim."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.settings import check
from ui.presets import PAGE_GROUPS, PRESETS

APP = str(Path(__file__).parents[1] / "app.py")


def _declared(page: str) -> dict:
    return {prefix + name: spec for cls, prefix in PAGE_GROUPS[page] for name, spec in cls.specs().items()}


@pytest.mark.parametrize("p", PRESETS, ids=lambda p: p.id)
def test_preset_values_are_declared_settings_of_its_page_within_bounds(p) -> None:
    decl = _declared(p.page)
    for key, value in p.values.items():
        assert key in decl, key
        spec, default = decl[key]
        assert check(spec, default, value) is None, (key, value)
    assert p.text.count(". ") + p.text.endswith(".") >= 2  # two sentences at least


def _open(pid: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"lesson": pid, "lang": lang})
    at.run()
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value or "出错" in e.value]
    return at


def _metric(at: AppTest, label: str) -> list[float]:
    return [float(m.value.replace(",", "").replace("≈ 0", "0")) for m in at.metric if m.label == label]  # fmt_metric


@pytest.mark.parametrize("p", [p for p in PRESETS if p.page == "fit"], ids=lambda p: p.id)
def test_fit_lessons_open_their_page_with_their_settings(p) -> None:
    at = _open(p.id)
    assert any(p.title in i.value for i in at.info)  # the lesson's explanation is on top
    for key in ("n", "degree", "width"):
        if key in p.values and p.values.get("family", "poly") == ("mlp" if key == "width" else "poly"):
            box = at.select_slider(key=key) if key == "n" else at.slider(key=key)  # n: a count grid (select slider)
            assert box.value == p.values[key]


def test_overfitting_lessons_show_validation_far_above_training() -> None:
    for pid in ("little_data", "powerful_model"):
        at = _open(pid)
        (tr,), (va,) = _metric(at, "Train MSE"), _metric(at, "Validation MSE")
        assert va > 5 * tr, pid
        assert any("Overfitting" in w.value for w in at.warning)


@pytest.mark.parametrize("pid", ["l2", "dropout"])
def test_regularization_lessons_lower_validation_error(pid: str) -> None:
    at = _open(pid)
    va_a, va_b = _metric(at, "Validation MSE")
    assert va_b < 0.8 * va_a


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("p", PRESETS, ids=lambda p: p.id)
def test_every_preset_renders_in_both_languages(p, lang: str) -> None:
    at = _open(p.id, lang)
    assert at.info, "the lesson banner is shown"


def test_moons_lesson_single_layer_fails_where_hidden_layers_succeed() -> None:
    at = _open("moons")
    single, multi = (float(v.rstrip("%")) for v in (m.value for m in at.metric if m.label == "Validation accuracy"))
    assert single < 92 < 97 < multi


def test_bias_variance_lesson_decomposition_adds_up() -> None:
    at = _open("bias_variance")
    v = {m.label: float(m.value) for m in at.metric}
    assert v["bias²"] + v["variance"] + v["noise σ²"] == pytest.approx(v["sum"], abs=2e-3)
    assert v["sum"] == pytest.approx(v["measured test error"], rel=0.1)


def test_lessons_are_in_teaching_order_and_each_has_a_stage() -> None:
    """Causes, detection, prevention, theory, then the exercise: the Lessons page numbers them in this order."""
    from playground.lessons import STAGES, in_order

    ids = [s.id for s in STAGES]
    assert ids == ["causes", "detection", "prevention", "theory", "exercise"]
    assert all(p.stage in ids for p in PRESETS), [p.id for p in PRESETS if p.stage not in ids]
    ranks = [ids.index(p.stage) for p in in_order()]
    assert ranks == sorted(ranks) and len(in_order()) == len(PRESETS)
    assert in_order()[0].page != "classify" and in_order()[-1].stage == "exercise"
