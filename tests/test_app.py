"""AppTest of the Fit and Compare pages: defaults run, every main widget changes the output."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.charts import chart_specs, figures

APP = str(Path(__file__).parents[1] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _state(at: AppTest) -> tuple:
    """What the page shows: metric values and every chart's figure JSON."""
    return tuple(m.value for m in at.metric), tuple(chart_specs(at))


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value]


def test_fit_page_runs_with_defaults_and_shows_metrics_charts_and_verdict() -> None:
    at = _app()
    labels = [m.label for m in at.metric]
    assert labels == ["Train MSE", "Validation MSE", "Parameters", "Best epoch"]
    assert len(chart_specs(at)) == 2
    verdicts = [b.value for b in (*at.success, *at.info, *at.warning)]
    assert any(v.startswith("**") for v in verdicts)


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("select_slider", "n", 60),
        ("slider", "noise", 0.8),
        ("slider", "degree", 9),
        ("selectbox", "truth", "step"),
        ("selectbox", "x_mode", "grid"),
        ("select_slider", "ridge", 0.1),
        ("number_input", "seed", 5),
    ],
)
def test_each_polynomial_widget_changes_the_output(kind: str, key: str, value: object) -> None:
    at = _app()
    before = _state(at)
    getattr(at, kind)(key=key).set_value(value).run()
    _clean(at)
    assert _state(at) != before


def test_new_sample_button_draws_other_points() -> None:
    at = _app()
    before = _state(at)
    at.button(key="new_sample").click().run()
    _clean(at)
    assert at.number_input(key="seed").value == 1 and _state(at) != before


def test_mlp_trains_and_each_main_widget_changes_the_output() -> None:
    at = _app()
    at.selectbox(key="family").set_value("mlp").run()
    at.slider(key="epochs").set_value(150).run()
    _clean(at)
    assert at.metric[2].value == f"{3 * 64 + 1:,}"  # parameters of 1-64-1
    for kind, key, value in [
        ("slider", "width", 8),
        ("slider", "layers", 2),
        ("selectbox", "activation", "relu"),
        ("select_slider", "lr", 0.1),
        ("selectbox", "optimizer", "momentum"),
        ("slider", "dropout", 0.3),
        ("select_slider", "weight_decay", 0.01),
        ("slider", "batch_size", 5),
    ]:
        before = _state(at)
        getattr(at, kind)(key=key).set_value(value).run()
        _clean(at)
        assert _state(at) != before, key


def test_early_stopping_is_reported_on_the_page() -> None:
    at = _app()
    at.selectbox(key="family").set_value("mlp").run()
    at.slider(key="width").set_value(128).run()
    at.toggle(key="early_stopping").set_value(True).run()
    at.slider(key="patience").set_value(20).run()
    _clean(at)
    assert any("Stopped early" in c.value for c in at.caption)


def test_diverging_learning_rate_shows_a_message_not_a_traceback() -> None:
    at = _app()
    at.selectbox(key="family").set_value("mlp").run()
    at.selectbox(key="optimizer").set_value("sgd").run()
    at.select_slider(key="lr").set_value(10.0).run()
    _clean(at)
    assert any("diverged" in e.value for e in at.error)


def test_bad_url_values_become_notices_and_defaults() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"n": "abc", "degree": "999", "truth": "nope", "lr": "1e9"})
    at.run()
    _clean(at)
    assert len(at.warning) >= 3
    assert at.slider(key="degree").value == 30 and at.select_slider(key="n").value == 20


def test_url_reproduces_the_settings() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"n": "7", "degree": "5", "truth": "cubic", "seed": "4"})
    at.run()
    _clean(at)
    assert (at.select_slider(key="n").value, at.slider(key="degree").value) == (7, 5)
    assert at.selectbox(key="truth").value == "cubic" and at.number_input(key="seed").value == 4


def test_compare_lesson_shows_the_line_against_the_interpolating_polynomial() -> None:
    at = _app()
    at.switch_page("views/compare.py").run()
    _clean(at)
    at.button(key="lesson").click().run()
    _clean(at)
    vals = {m.label: [] for m in at.metric}
    for m in at.metric:
        vals[m.label].append(0.0 if m.value.startswith("≈") else float(m.value.replace(",", "")))  # "≈ 0": tiny
    (tr_a, tr_b), (va_a, va_b) = vals["Train MSE"], vals["Validation MSE"]
    assert vals["Parameters"] == [2, 7]
    assert tr_b < 1e-6 < tr_a  # 7 parameters pass through all 5 training points (shown as "≈ 0")...
    assert va_b > 3 * va_a  # ...and miss the validation points badly
    assert [w for w in at.warning if "Overfitting" in w.value]


def test_shown_code_reproduces_the_pages_numbers(tmp_path: Path) -> None:
    import subprocess
    import sys

    at = _app()
    at.slider(key="degree").set_value(7).run()
    script = at.code[0].value
    f = tmp_path / "script.py"
    f.write_text(script, encoding="utf-8")
    out = subprocess.run([sys.executable, str(f)], capture_output=True, text=True, timeout=120, check=True).stdout
    got = dict(line.split("=") for line in out.split() if "=" in line)
    shown = {m.label: m.value for m in at.metric}
    assert f"{float(got['train_mse']):.3g}" == shown["Train MSE"]
    assert f"{float(got['val_mse']):.3g}" == shown["Validation MSE"]


def test_export_offers_data_weights_and_figures() -> None:
    at = _app()
    labels = [b.label for b in at.get("download_button")]
    assert "Data (CSV)" in labels and "Trained weights (state_dict)" in labels
    assert sum("(HTML)" in lab for lab in labels) == 2


def test_settings_survive_moving_between_pages() -> None:
    at = _app()
    at.select_slider(key="n").set_value(60).run()
    at.slider(key="noise").set_value(0.8).run()
    at.switch_page("views/compare.py").run()
    _clean(at)
    assert (at.select_slider(key="n").value, at.slider(key="noise").value) == (60, 0.8)
    at.switch_page("views/fit.py").run()
    assert (at.select_slider(key="n").value, at.slider(key="noise").value) == (60, 0.8)


def _playback(at: AppTest) -> dict:
    """The page's playback figure (the chart whose figure carries frames)."""

    figs = figures(at)
    plays = [f for f in figs if f.get("frames")]
    assert len(plays) >= 1, [f["layout"].get("title") for f in figs]
    return plays[0]


def _check_playback(fig: dict, words: tuple[str, ...]) -> None:
    names = [f["name"] for f in fig["frames"]]
    steps = fig["layout"]["sliders"][0]["steps"]
    assert len(names) >= 50 and [s["args"][0][0] for s in steps] == names
    labels = [b["label"] for m in fig["layout"]["updatemenus"] for b in m["buttons"]]
    for w in words:
        assert any(w in lab for lab in labels), (w, labels)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ("Play", "Pause", "Reset", "Step", "Best epoch", "2×")), ("zh", ("播放", "暂停", "2×"))]
)
def test_network_run_plays_back_in_the_browser(lang: str, words: tuple[str, ...]) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"family": "mlp", "epochs": "300", "lang": lang})
    at.run()
    _clean(at)
    _check_playback(_playback(at), words)
    assert any("epoch" in c.value or "轮" in c.value for c in at.caption)  # which epoch the numbers belong to


def test_compare_opens_on_a_contrast_with_code_and_export_for_each_model() -> None:
    at = _app()
    at.switch_page("views/compare.py").run()
    _clean(at)
    assert (at.slider(key="a_degree").value, at.slider(key="b_degree").value) == (3, 12)
    va = [m.value for m in at.metric if m.label == "Validation MSE"]
    assert len(va) == 2 and va[0] != va[1]
    assert sum(e.label == "Show the code" for e in at.expander) == 2
    assert sum(e.label == "Export" for e in at.expander) == 2


def test_compare_link_keeps_its_models() -> None:
    at = _app()
    at.switch_page("views/compare.py")
    at.query_params.update({"a_degree": "2"})  # the compare page opened from a link
    at.run()
    _clean(at)
    # a link that sets a model gets no contrast default
    assert at.slider(key="a_degree").value == 2 and at.slider(key="b_degree").value == 3


def test_compare_networks_play_back() -> None:
    at = _app()
    at.switch_page("views/compare.py").run()
    at.selectbox(key="b_family").set_value("mlp").run()
    at.slider(key="epochs").set_value(150).run()
    _clean(at)
    _check_playback(_playback(at), ("Play", "Step", "Best epoch"))
