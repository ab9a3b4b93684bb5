"""The held-back test set of the Classify page (ClassSettings.ctest): drawn apart, never trained on, shown once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.classify import ClassSettings, accuracy, class_data, fit_classifier, report
from playground.settings import ModelSettings, TrainSettings
from tests.charts import figures

APP = str(Path(__file__).parents[1] / "app.py")
HELD = "Held-back test accuracy"


def test_the_test_points_change_nothing_in_training_and_are_scored_at_the_end() -> None:
    cs = ClassSettings(cset="course", cn=100, cval=0.15, ctest=0.15, hidden=1, cwidth=5)
    ms, ts = ModelSettings(activation="sigmoid"), TrainSettings(epochs=60, early_stopping=True, patience=5)
    d = class_data(cs)
    r = fit_classifier(cs, ms, ts.changed(device="cpu"))
    blind = fit_classifier(cs, ms, ts.changed(device="cpu"), data=dataclasses.replace(d, x_test=None, y_test=None))
    assert r.train_loss == blind.train_loss and r.val_loss == blind.val_loss and r.best_epoch == blind.best_epoch
    rep = report(r, d, 10)
    assert rep.n_test == 15 and rep.test_accuracy == accuracy(d.y_test, r.predict(d.x_test))
    assert report(r, dataclasses.replace(d, x_test=None, y_test=None), 10).test_accuracy is None
    assert ClassSettings().ctest == 0.0 and class_data(ClassSettings()).x_test is None  # default: as before


def test_ctest_is_bounded() -> None:
    with pytest.raises(ValueError):
        ClassSettings(ctest=0.5)


def _open(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value or "出错" in e.value]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_course_lesson_shows_each_networks_held_back_test_accuracy_once(lang: str) -> None:
    at = _open({"lesson": "course_example", "lang": lang})
    label = HELD if lang == "en" else "留出测试集准确率"
    held = [m for m in at.metric if m.label == label]
    assert len(held) == 2  # the comparison: one per network, after training
    assert all(m.value.endswith("%") for m in held)
    assert any("15" in c.value for c in at.caption)  # "On 15 test points held back ..."


def _classify(**query: str) -> AppTest:
    """The Classify page through the app's navigation, with a short training and the query's values."""
    at = _open({"epochs": "20"})
    at.switch_page("views/classify.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_test_share_no_test_accuracy_and_a_link_out_of_range_is_clamped_with_a_notice() -> None:
    assert not [m for m in _classify().metric if m.label == HELD]
    at = _classify(ctest="0.9")
    assert any("Test share" in w.value and "clamped to 0.3" in w.value for w in at.warning)
    (held,) = [m for m in at.metric if m.label == HELD]
    assert held.value.endswith("%")
    assert any("On 90 test points" in c.value for c in at.caption)  # 0.3 of the 300 default points


def test_the_dropout_lesson_draws_the_dropout_on_training_loss() -> None:
    at = _open({"lesson": "dropout_val_below_train"})
    names = {tr.get("name") for f in figures(at) for tr in f["data"]}
    assert "training loss (dropout on)" in names
