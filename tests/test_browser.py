"""The real app in a real Chromium: pages load, charts draw, widgets rerun, bad links warn, nothing raises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# Every page of the app: (url path, text its title must contain). A new page is one line here.
PAGES = [
    ("", "Fit: watch a model overfit"),  # the default page lives at "/"
    ("compare", "Compare two models on the same data"),
]
CHARTLESS: set[str] = set()  # url paths of pages that draw no Plotly chart with default settings

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # ignored by git
LESSON = "Lesson: 5 points — a line vs a 7-parameter model"
RUN_TIMEOUT_MS = 60_000  # the first run of a session imports torch

# A run is over when the app is connected, the script is not running and no placeholder skeleton remains.
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && app.getAttribute("data-test-script-state") !== "running"
    && !document.querySelector("[data-testid='stSkeleton']");
}"""

# Everything a chart shows: its title and its traces (Plotly ships arrays base64-encoded, so this covers values).
CHARTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(
  g => JSON.stringify([g.layout && g.layout.title, g.data]))"""


def wait_idle(page: Any) -> None:
    """Wait until the current script run has finished."""
    page.wait_for_function(IDLE_JS, timeout=RUN_TIMEOUT_MS)


def open_page(page: Any, url: str, title: str) -> None:
    """Open a URL and wait until its first run is complete (its title is drawn and the script is idle)."""
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']")
    # Idle alone is not enough: before the first run starts the app is idle too, but empty.
    page.locator("h1", has_text=title).wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(page)


def chart_signatures(page: Any) -> list[str]:
    """One string per Plotly chart on the page, equal only when title and data are equal."""
    return page.evaluate(CHARTS_JS)


def metric_values(page: Any) -> list[str]:
    """The visible values of every st.metric on the page, in order."""
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def assert_charts_drawn(page: Any, at_least: int) -> None:
    """At least `at_least` Plotly charts exist, each with an SVG that holds drawn traces."""
    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    assert charts.count() >= at_least, f"expected >= {at_least} Plotly charts, found {charts.count()}"
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("svg.main-svg").count() > 0, f"chart {i} has no SVG"
        # A drawn scatter trace is a path with real geometry, not an empty plot frame.
        paths = chart.locator(".scatterlayer .trace path").evaluate_all(
            "ps => ps.filter(p => (p.getAttribute('d') || '').length > 10).length"
        )
        assert paths > 0, f"chart {i} has an SVG but no drawn traces"


def assert_no_error(page: Any) -> None:
    """No Streamlit exception box and no error message from the page guard."""
    assert page.locator("[data-testid='stException']").count() == 0, "an exception box is shown"
    errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert not errors, f"error messages shown: {errors}"
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Something went wrong" not in body, "the page guard caught an error"


def shot(page: Any, name: str) -> None:
    """Save a screenshot of the viewport under artifacts/ (for humans; not compared)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p or "fit" for p, _ in PAGES])
def test_page_loads_with_charts_and_no_error(app_page: Any, app_url: str, path: str, title: str) -> None:
    """Each page loads in Chromium, draws its Plotly charts as SVG and shows no error."""
    open_page(app_page, f"{app_url}/{path}", title)
    assert_charts_drawn(app_page, at_least=0 if path in CHARTLESS else 1)
    assert_no_error(app_page)
    shot(app_page, f"page-{path or 'fit'}")


def test_fit_degree_slider_redraws_chart_and_metrics(app_page: Any, app_url: str) -> None:
    """ArrowRight on the degree slider reruns the Fit page: the chart, the metrics and the URL follow."""
    open_page(app_page, app_url, PAGES[0][1])
    assert_charts_drawn(app_page, at_least=2)
    slider = app_page.locator(".st-key-degree [data-testid='stSlider'] input[type='range']")
    start = int(slider.get_attribute("value"))
    charts, metrics = chart_signatures(app_page), metric_values(app_page)

    slider.focus()
    app_page.keyboard.press("ArrowRight")
    # Wait for the visible effect itself, not for a running flag that a fast rerun can skip past.
    app_page.wait_for_function(
        f"before => JSON.stringify(({CHARTS_JS})()) !== JSON.stringify(before)", arg=charts, timeout=RUN_TIMEOUT_MS
    )
    wait_idle(app_page)

    assert int(slider.get_attribute("value")) == start + 1
    assert chart_signatures(app_page)[0] != charts[0], "the fitted-curve chart did not change"
    assert f"degree {start + 1} fit" in chart_signatures(app_page)[0], "the legend does not name the new degree"
    after = metric_values(app_page)
    assert after[0] != metrics[0], f"training MSE unchanged ({after[0]}): the fit did not follow the degree"
    assert after[2] == str(start + 2), "parameter count should be degree + 1"
    assert re.search(rf"[?&]degree={start + 1}\b", app_page.url), f"URL does not share the new degree: {app_page.url}"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "fit-after-slider")


def test_compare_lesson_button_sets_line_vs_degree_six(app_page: Any, app_url: str) -> None:
    """The Compare lesson button shows a 2-parameter line against a 7-parameter fit, with their errors."""
    open_page(app_page, f"{app_url}/compare", PAGES[1][1])
    app_page.get_by_role("button", name=LESSON).click()
    app_page.wait_for_url(re.compile(r"b_degree=6"), timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)

    metrics = app_page.locator("[data-testid='stMetric']").all_inner_texts()
    values = {}
    for i, m in enumerate(metrics):  # "Label\n\nvalue", three per model: A first, then B
        label, _, value = m.partition("\n")
        values[("A" if i < 3 else "B", label.strip())] = value.strip()
    assert len(metrics) == 6, f"expected 3 metrics per model, got {metrics}"
    assert values[("A", "Parameters")] == "2" and values[("B", "Parameters")] == "7"
    val_a, val_b = float(values[("A", "Validation MSE")]), float(values[("B", "Validation MSE")])
    train_b = float(values[("B", "Train MSE")])
    assert train_b < 1e-6, "7 parameters through 5 points should fit them exactly"
    assert val_b > val_a, "the lesson's point: the exact fit generalizes worse than the line"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "compare-lesson")


def test_bad_link_values_become_notices_not_errors(app_page: Any, app_url: str) -> None:
    """A crafted URL with unparseable and out-of-range values warns, falls back or clamps, and still draws."""
    open_page(app_page, f"{app_url}/?n=abc&degree=999&truth=nope", PAGES[0][1])
    warnings = app_page.locator("[data-testid='stAlertContentWarning']").all_inner_texts()
    notices = [w for w in warnings if "Link setting ignored" in w]
    assert len(notices) == 3, f"expected one notice per bad value, got {warnings}"
    for bad in ("abc", "999", "nope"):
        assert any(bad in n for n in notices), f"no notice names {bad!r}: {notices}"
    # abc falls back to the default, 999 is clamped to the slider's maximum.
    degree = app_page.locator(".st-key-degree input[type='range']")
    n = app_page.locator(".st-key-n input[type='range']")
    assert degree.get_attribute("value") == degree.get_attribute("max")
    assert n.get_attribute("value") == "20"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "fit-bad-link")
