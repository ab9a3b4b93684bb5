"""AppTest of the Classify page: defaults run, data and depth change the numbers, compare shows both models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.charts import figures

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "app.py")
PAGE = "views/classify.py"
EPOCHS = "80"  # few epochs keep every run short; the page's behaviour does not depend on the count


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """The app sets one torch thread; a page run on its own (from the views file) must not be slower."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value]


def _page(**query: str) -> AppTest:
    """The app, switched to the Classify page through its navigation, with a short training."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": EPOCHS})  # read once per session by the first page's training group
    at.run()
    _clean(at)
    at.switch_page(PAGE)
    at.query_params.update(query)
    at.run()
    _clean(at)
    return at


def _metrics(at: AppTest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def _charts(at: AppTest) -> list[dict]:
    """Every chart's figure as the browser receives it."""
    return figures(at)


def _types(fig: dict) -> list[str]:
    return [tr.get("type", "scatter") for tr in fig["data"]]


def _title(fig: dict) -> str:
    return fig["layout"]["title"]["text"]


def test_classify_page_runs_with_defaults_and_shows_metrics_charts_and_verdict() -> None:
    at = _page()
    m = _metrics(at)
    assert list(m) == [
        "Validation accuracy",
        "Training accuracy",
        "Validation cross-entropy",
        "Training cross-entropy",
        "Parameters",
        "Best epoch",
    ]
    assert m["Parameters"] == [f"{2 * 16 + 16 + 16 * 16 + 16 + 16 + 1:,}"]  # 2 inputs, 2 hidden layers of 16
    titles = sorted(_title(f) for f in _charts(at))
    assert titles == ["Confusion matrix (validation)", "Training, epoch by epoch"]
    play = next(f for f in _charts(at) if _title(f) == "Training, epoch by epoch")
    names = [tr.get("name") for tr in play["data"]]
    assert "boundary (P = 0.5)" in names and "P(class 1)" in names  # beside cross-entropy and accuracy
    assert any(b.value.startswith("**") for b in (*at.success, *at.info, *at.warning))  # the verdict


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("selectbox", "cset", "xor"),
        ("text_input", "net_entry", "0"),
        ("slider", "cn", 120),
        ("slider", "cnoise", 0.5),
        ("multiselect", "features", ["x1", "x2", "x1*x2"]),
    ],
)
def test_data_and_network_widgets_change_the_metrics(kind: str, key: str, value: object) -> None:
    at = _page()
    before = _metrics(at)
    getattr(at, kind)(key=key).set_value(value).run()
    _clean(at)
    assert _metrics(at) != before


def test_single_layer_has_three_parameters_and_hides_width_and_activation() -> None:
    at = _page()
    at.text_input(key="net_entry").set_value("0").run()
    _clean(at)
    assert _metrics(at)["Parameters"] == ["3"]  # logistic regression on x1, x2: two weights and a bias
    assert "activation" not in [s.key for s in at.selectbox]
    assert "hidden" not in at.query_params or at.query_params["hidden"] == "0"


def test_compare_view_shows_single_and_multi_layer_side_by_side() -> None:
    at = _page()
    at.segmented_control(key="cview").set_value("compare").run()
    _clean(at)
    m = _metrics(at)
    assert m["Parameters"] == ["3", f"{2 * 16 + 16 + 16 * 16 + 16 + 16 + 1:,}"]
    assert len(m["Validation accuracy"]) == 2
    boundaries = [f for f in _charts(at) if "contour" in _types(f)]
    assert len(boundaries) == 2
    assert _title(boundaries[0]).startswith("Single layer") and _title(boundaries[1]).startswith("2 hidden layers")
    assert at.query_params["cview"] == "compare"  # a shared link opens the comparison


def test_lesson_button_opens_the_comparison_on_two_moons() -> None:
    at = _page(cset="xor")
    at.button(key="clesson").click().run()
    _clean(at)
    assert at.selectbox(key="cset").value == "moons"
    assert at.segmented_control(key="cview").value == "compare"
    assert len(_metrics(at)["Parameters"]) == 2


def test_a_shared_link_restores_the_view_and_bad_values_become_notices() -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)  # the page on its own: its URL is read first
    at.query_params.update(
        {"epochs": EPOCHS, "cset": "circles", "hidden": "0", "features": "x1^2,x2^2", "cn": "99999", "cview": "zz"}
    )
    at.run()
    _clean(at)
    assert at.selectbox(key="cset").value == "circles"
    assert at.multiselect(key="features").value == ["x1^2", "x2^2"]
    assert at.slider(key="cn").value == 1000  # clamped, with a notice
    assert any("out of range" in w.value for w in at.warning)
    assert at.segmented_control(key="cview").value == "train"  # an unknown view falls back


def test_empty_feature_selection_warns_and_still_trains() -> None:
    at = _page()
    at.multiselect(key="features").set_value([]).run()
    _clean(at)
    assert any("pick at least one" in w.value for w in at.warning)
    assert len(_charts(at)) == 2  # the playback (boundary and curves) and the confusion matrix


def test_classify_page_shows_the_code_for_its_settings() -> None:
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/classify.py").run()
    at.slider(key="epochs").set_value(20).run()
    at.selectbox(key="cset").set_value("xor").run()
    assert not at.exception
    script = at.code[0].value
    assert "import torch" in script and "xor" in script.lower()


@pytest.mark.parametrize(("lang", "words"), [("en", ("Play", "Pause", "Step", "Best epoch")), ("zh", ("播放", "暂停"))])
def test_training_plays_back_boundary_and_curves_in_one_figure(lang: str, words: tuple[str, ...]) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"epochs": EPOCHS, "lang": lang})  # both read by the session's first run
    at.run()
    at.switch_page(PAGE).run()
    _clean(at)
    play = next(f for f in _charts(at) if f.get("frames"))
    names = [f["name"] for f in play["frames"]]
    assert len(names) == int(EPOCHS)  # fewer epochs than the schedule's 120: every epoch is a frame
    assert [s["args"][0][0] for s in play["layout"]["sliders"][0]["steps"]] == names
    # each frame's probabilities as a PNG of quantised levels, and the frames differ
    srcs = [f["layout"]["images"][0]["source"] for f in play["frames"]]
    assert all(s.startswith("data:image/png;base64,") for s in srcs) and len(set(srcs)) > 1
    labels = [b["label"] for m in play["layout"]["updatemenus"] for b in m["buttons"]]
    assert all(any(w in lab for lab in labels) for w in words), labels


def _linked(**query: str) -> AppTest:
    """The page opened from a link with these settings (every group reads the link on the session's first run)."""
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.query_params.update({"epochs": EPOCHS, **query})
    at.run()
    _clean(at)
    return at


def _boundary(at: AppTest) -> dict:
    return next(f for f in _charts(at) if f.get("frames"))


def test_a_4_2_network_from_a_link_trains_and_keeps_its_shape_in_the_url() -> None:
    at = _linked(net="4,2", activation="linear", l1="0.01", lr="0.03")
    assert at.text_input(key="net_entry").value == "4,2"
    assert _metrics(at)["Parameters"] == [f"{2 * 4 + 4 + 4 * 2 + 2 + 2 + 1:,}"]
    assert at.query_params["net"] == "4,2" and at.query_params["lr"] == "0.03" and at.query_params["l1"] == "0.01"
    assert at.select_slider(key="lr").value == 0.03 and at.select_slider(key="l1").value == 0.01
    assert not [w for w in at.warning if "slider" in w.value]  # 0.03 is on the grid: no notice
    assert "net=4,2" in at.code[0].value or "nn.Linear(4, 2)" in at.code[0].value
    at.text_input(key="net_entry").set_value("3, 3, 2").run()
    _clean(at)
    assert at.query_params["net"] == "3,3,2" and at.text_input(key="net_entry").value == "3,3,2"
    assert _metrics(at)["Parameters"] == [f"{2 * 3 + 3 + 3 * 3 + 3 + 3 * 2 + 2 + 2 + 1:,}"]


def test_old_links_with_hidden_and_cwidth_open_that_network() -> None:
    at = _linked(hidden="3", cwidth="8")
    assert at.text_input(key="net_entry").value == "8,8,8"
    assert _metrics(at)["Parameters"] == [f"{2 * 8 + 8 + 2 * (8 * 8 + 8) + 8 + 1:,}"]
    assert "net" not in at.query_params and at.query_params["cwidth"] == "8"


def test_a_bad_network_entry_warns_and_keeps_the_last_network() -> None:
    at = _page()
    at.text_input(key="net_entry").set_value("4,x").run()
    _clean(at)
    assert any("keeping 16,16" in w.value for w in at.warning)
    assert at.text_input(key="net_entry").value == "16,16"
    at.text_input(key="net_entry").set_value("1,2,3,4,5,6,7").run()
    assert any("keeping 16,16" in w.value for w in at.warning)


def test_display_toggles_change_the_boundary_chart_and_stay_in_the_link() -> None:
    at = _page()
    before = _boundary(at)
    assert len([t for t in before["data"] if "validation, class" in str(t.get("name"))]) == 2
    at.toggle(key="cshowval").set_value(False).run()
    at.toggle(key="cdisc").set_value(True).run()
    _clean(at)
    after = _boundary(at)
    assert not [t for t in after["data"] if "validation, class" in str(t.get("name"))]
    scale = after["data"][0]["marker"]["colorscale"]
    assert len(scale) == 4 and scale[1][1] == scale[0][1]  # a step: each predicted class one colour
    assert after["data"][0]["marker"]["colorbar"]["ticktext"] == ["class 0", "class 1"]
    assert at.query_params["cdisc"] == "1" and at.query_params["cshowval"] == "0"
    again = _linked(cdisc="1", cshowval="0")
    assert again.toggle(key="cdisc").value is True and again.toggle(key="cshowval").value is False


def test_the_comparison_names_per_layer_widths_and_draws_the_toggles() -> None:
    at = _linked(net="4,2", cview="compare", cdisc="1")
    boundaries = [f for f in _charts(at) if "contour" in _types(f)]
    assert _title(boundaries[1]) == "2 hidden layers of 4 → 2 neurons"
    assert all(len(f["data"][0]["colorscale"]) == 4 for f in boundaries)


def test_l1_and_the_linear_activation_are_controls_of_the_page() -> None:
    at = _page()
    assert "linear" in at.selectbox(key="activation").options or any(
        "linear" in o for o in at.selectbox(key="activation").options
    )
    at.select_slider(key="l1").set_value(0.1).run()
    _clean(at)
    assert at.query_params["l1"] == "0.1"


@pytest.mark.parametrize(("kind", "key"), [("hide", "net"), ("hide", "hidden"), ("lock", "cwidth")])
def test_a_trimmed_link_hides_or_locks_the_network_entry_and_keeps_its_network(kind: str, key: str) -> None:
    at = _linked(net="4,2", **{kind: key})
    entries = [e for e in at.text_input if e.key == "net_entry"]
    assert (entries == []) if kind == "hide" else entries[0].disabled
    assert _metrics(at)["Parameters"] == [f"{2 * 4 + 4 + 4 * 2 + 2 + 2 + 1:,}"]


def test_an_old_links_learning_rate_off_the_grid_goes_to_the_nearest_step_with_a_notice() -> None:
    at = _linked(lr="0.02")
    assert at.select_slider(key="lr").value == 0.03
    assert any("Learning rate: `0.02` is not on the slider, using 0.03" in w.value for w in at.warning)
    assert at.query_params["lr"] == "0.03"
