"""AppTest of the theory pages: defaults draw, widgets change the charts, the link keeps the settings."""

import base64
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.charts import chart_specs, figures

ROOT = Path(__file__).parents[1]
PAGES = {  # view file -> (charts, metrics) of its default view
    "views/capacity.py": (1, 4),
    "views/bias_variance.py": (2, 5),
    "views/learning_curve.py": (1, 0),
    "views/double_descent.py": (2, 0),
}


def _page(view: str) -> AppTest:
    """One page in a fresh session, run as the main script (the app's chrome is tested elsewhere)."""
    at = AppTest.from_file(str(ROOT / view), default_timeout=120)
    at.run()
    _clean(at)
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e for e in at.error if "went wrong" in e.value]


def _figs(at: AppTest) -> list[dict]:
    return figures(at)


def _trace(fig: dict, name: str) -> dict:
    return next(tr for tr in fig["data"] if tr.get("name") == name)


def _arr(v: object) -> np.ndarray:
    """A figure array: Plotly ships numpy arrays base64-encoded as {dtype, bdata}."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


@pytest.mark.parametrize("view", PAGES)
def test_default_view_draws_its_charts_and_metrics(view: str) -> None:
    at = _page(view)
    charts, metrics = PAGES[view]
    assert len(chart_specs(at)) == charts and len(at.metric) == metrics
    assert at.title and at.caption  # every page explains what it shows


def test_app_registers_the_theory_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    for view in PAGES:
        at.switch_page(view).run()  # raises if app.py's navigation lacks the page
        _clean(at)
        assert len(chart_specs(at)) == PAGES[view][0]


@pytest.mark.parametrize(
    ("view", "kind", "key", "value"),
    [
        ("views/capacity.py", "slider", "deg_max", 8),
        ("views/capacity.py", "slider", "r", 40),
        ("views/capacity.py", "slider", "noise", 0.8),
        ("views/bias_variance.py", "slider", "degree", 7),
        ("views/bias_variance.py", "selectbox", "truth", "step"),
        ("views/learning_curve.py", "slider", "lc_deg_c", 5),
        ("views/learning_curve.py", "slider", "lc_n_max", 60),
        ("views/double_descent.py", "slider", "dd_n", 12),
        ("views/double_descent.py", "selectbox", "dd_features", "legendre"),
    ],
)
def test_each_sweep_widget_changes_the_charts_and_the_link(view: str, kind: str, key: str, value: object) -> None:
    at = _page(view)
    before = _figs(at)
    getattr(at, kind)(key=key).set_value(value).run()
    _clean(at)
    assert _figs(at) != before
    assert at.query_params[key] == str(value)


def test_capacity_marks_the_best_and_the_current_degree() -> None:
    at = _page("views/capacity.py")
    at.slider(key="degree").set_value(9).run()
    fig = _figs(at)[0]
    val = _trace(fig, "validation MSE")
    best = _arr(_trace(fig, "best")["x"])[0]
    assert best == _arr(val["x"])[np.argmin(_arr(val["y"]))]
    assert [s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "line" and s["x0"] == s["x1"]] == [9]
    assert at.metric[0].value == str(best)


def test_bias_variance_sum_line_is_the_sum_of_its_parts() -> None:
    fig = _figs(_page("views/bias_variance.py"))[0]
    parts = sum(_arr(_trace(fig, n)["y"]) for n in ("bias²", "variance", "noise σ²"))
    np.testing.assert_allclose(parts, _arr(_trace(fig, "bias² + variance + σ²")["y"]), rtol=1e-9)


def test_double_descent_marks_the_threshold_at_n() -> None:
    at = _page("views/double_descent.py")
    at.slider(key="dd_n").set_value(12).run()
    texts = [a["text"] for a in _figs(at)[0]["layout"]["annotations"]]
    assert any("p = N = 12" in s for s in texts)


def test_capacity_page_sweeps_network_widths() -> None:
    at = AppTest.from_file(str(ROOT / "views/capacity.py"), default_timeout=120)
    at.session_state["v:mlp_r"] = 2  # two datasets and a few epochs: the mechanics, not the lesson
    at.session_state["v:mlp_epochs"] = 20
    at.run()
    at.selectbox(key="family").set_value("mlp").run()
    _clean(at)
    fig = _figs(at)[0]
    assert list(_arr(_trace(fig, "validation MSE")["x"])) == [2, 4, 8, 16, 32, 64, 128, 256]
    assert fig["layout"]["xaxis"]["type"] == "log"


def test_bias_variance_page_decomposes_networks_too() -> None:
    at = AppTest.from_file(str(ROOT / "views/bias_variance.py"), default_timeout=120)
    for k, v in {"v:family": "mlp", "v:mlp_r": 2, "v:mlp_epochs": 20, "v:width": 32}.items():
        at.session_state[k] = v
    at.run()
    _clean(at)
    fig, spaghetti = _figs(at)
    assert list(_arr(_trace(fig, "variance")["x"])) == [2, 4, 8, 16, 32, 64, 128, 256]
    assert spaghetti["layout"]["title"]["text"].startswith("2 fits")


@pytest.mark.parametrize("view", PAGES)
def test_each_sweep_page_exports_its_numbers(view: str) -> None:
    at = _page(view)
    assert [b for b in at.get("download_button") if b.label == "Sweep results (CSV)"]
