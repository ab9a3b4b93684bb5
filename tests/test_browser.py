"""The real app in a real Chromium: every page, the language switch, shared links, lessons, the classifier
comparison, live network training, uploads and presentation mode; nothing raises, everything draws."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from ui.presets import PRESETS
from ui.zh import ZH

pytestmark = pytest.mark.browser

# Every page of the app: (url path, text its title must contain). A new page is one line here.
PAGES = [
    ("", "Fit: watch a model overfit"),  # the default page lives at "/"
    ("compare", "Compare two models on the same data"),
    ("lessons", "Lessons"),
    ("classify", "Classify: where does the boundary go?"),
    ("capacity", "Capacity: error against model size"),
    ("bias-variance", "Bias and variance"),
    ("learning-curve", "Learning curves: error against the number of points"),
    ("double-descent", "Double descent"),
]
TITLE = dict(PAGES)
CHARTLESS: set[str] = {"lessons"}  # url paths of pages that draw no Plotly chart with default settings

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # ignored by git
LESSON = "Lesson: 5 points — a line vs a 7-parameter model"
RUN_TIMEOUT_MS = 60_000  # the first run of a session imports torch
GUARD = "Something went wrong with these settings: {err}. Try other values or reset."
GUARD_MESSAGES = [m.split("{")[0] for m in (GUARD, ZH.get(GUARD, GUARD))]  # its fixed start, in both languages
CJK = re.compile(r"[\u4e00-\u9fff]")

# A run is over when the app is connected, the script is not running and no placeholder skeleton remains.
IDLE_JS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && app.getAttribute("data-test-script-state") !== "running"
    && !document.querySelector("[data-testid='stSkeleton']")
    && !(window.__pgDrawing > 0)  // kept charts (ui/plot.py): every figure asked for is drawn
    && [...document.querySelectorAll(
      "[class*='st-key-chart_']:not([class*='st-key-chart_live_']) [data-testid='stBidiComponentRegular']")]
      .every(c => c.querySelector('.js-plotly-plot'));  // and every kept chart's script has run
}"""
RUNNING_JS = """() => document.querySelector("[data-testid='stApp']")
  ?.getAttribute("data-test-script-state") === 'running'"""

# Everything a chart shows: its title and its traces (Plotly ships arrays base64-encoded, so this covers values).
CHARTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(
  g => JSON.stringify([g.layout && g.layout.title, g.data]))"""

# How many drawn marks a chart's SVG holds: scatter lines and markers and contour lines with real geometry
# (not an empty frame), and heatmap images with pixels.
MARKS_JS = """g => {
  const long = ps => [...ps].filter(p => (p.getAttribute('d') || '').length > 10).length;
  const imgs = [...g.querySelectorAll('.heatmaplayer image, .imagelayer image')]
    .filter(i => (i.getAttribute('href') || i.getAttribute('xlink:href') || '').length > 100).length;
  return long(g.querySelectorAll('.scatterlayer .trace path'))
    + long(g.querySelectorAll('.contourlayer path')) + imgs;
}"""

# Every slider, select slider and number box in the sidebar: {widget key: shown value}.
WIDGETS_JS = """() => Object.fromEntries([...document.querySelectorAll(
    "[data-testid='stSidebar'] [class*='st-key-']")].flatMap(el => {
  const key = [...el.classList].find(c => c.startsWith('st-key-')).slice(7);
  const inp = el.querySelector("input[type='range'], input[type='number']");
  return inp ? [[key, inp.getAttribute('aria-valuetext') || inp.value]] : [];
}))"""


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


def sidebar_widgets(page: Any) -> dict[str, str]:
    """The shown value of every slider and number box in the sidebar, by widget key."""
    return page.evaluate(WIDGETS_JS)


def chart(page: Any, key: str) -> Any:
    """The Plotly chart drawn with `chart(..., key)` in ui/common.py."""
    return page.locator(f".st-key-chart_{key} .js-plotly-plot")


def assert_charts_drawn(page: Any, at_least: int) -> None:
    """At least `at_least` Plotly charts exist, each with an SVG that holds drawn traces."""
    charts = page.locator(".js-plotly-plot")
    assert charts.count() >= at_least, f"expected >= {at_least} Plotly charts, found {charts.count()}"
    for i in range(charts.count()):
        g = charts.nth(i)
        assert g.locator("svg.main-svg").count() > 0, f"chart {i} has no SVG"
        assert g.evaluate(MARKS_JS) > 0, f"chart {i} has an SVG but no drawn traces"


def assert_no_error(page: Any, expected_error: str | None = None) -> None:
    """No Streamlit exception box and no error message from the page guard (but the one expected, if any)."""
    assert page.locator("[data-testid='stException']").count() == 0, "an exception box is shown"
    errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    errors = [e for e in errors if expected_error is None or expected_error not in e]
    assert not errors, f"error messages shown: {errors}"
    body = page.locator("[data-testid='stMain']").inner_text()
    for guard in GUARD_MESSAGES:
        assert guard not in body, "the page guard caught an error"


def choose(page: Any, key: str, option: str, tries: int = 3) -> None:
    """Pick `option` in the selectbox with widget key `key`, as a keyboard and mouse user would.

    A pick made while the page is still settling can be lost (seen once in CI-like runs: the box kept
    its old value); then the pick is made again, up to `tries` times.
    """
    from playwright.sync_api import expect  # imported here: without playwright the tests skip, not fail

    widget = page.locator(f".st-key-{key}")
    for _ in range(tries):
        box = widget.locator("input[role='combobox']")
        box.focus()
        box.press("ArrowDown")  # opens the list (a click on the box does not, in Streamlit 1.67's combobox)
        page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
        try:
            expect(box).to_have_value(option, timeout=5_000)  # the combobox shows the chosen label
            return
        except AssertionError:
            continue
    expect(widget.locator("input[role='combobox']")).to_have_value(option, timeout=1)


def press_slider(page: Any, key: str, keys: str = "ArrowRight") -> None:
    """Focus the slider with widget key `key` and press a key on it (as a keyboard user would)."""
    page.locator(f".st-key-{key} input[type='range']").focus()
    page.keyboard.press(keys)


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
    num = lambda s: 0.0 if s == "≈ 0" else float(s.replace(",", ""))  # noqa: E731  fmt_metric's plain numbers
    val_a, val_b = num(values[("A", "Validation MSE")]), num(values[("B", "Validation MSE")])
    train_b = num(values[("B", "Train MSE")])
    assert train_b < 1e-6, "7 parameters through 5 points should fit them exactly"
    assert val_b > val_a, "the lesson's point: the exact fit generalizes worse than the line"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "compare-lesson")


def test_bad_link_values_become_notices_not_errors(app_page: Any, app_url: str) -> None:
    """A crafted URL with unparseable and out-of-range values warns, falls back or clamps, and still draws."""
    open_page(app_page, f"{app_url}/?n=abc&degree=999&truth=nope", PAGES[0][1])
    warnings = app_page.locator("[data-testid='stAlertContentWarning']").all_inner_texts()
    notices = [w for w in warnings if "Link: " in w]
    assert len(notices) == 3, f"expected one notice per bad value, got {warnings}"
    for bad in ("abc", "999", "nope"):
        assert any(bad in n for n in notices), f"no notice names {bad!r}: {notices}"
    # abc falls back to the default, 999 is clamped to the slider's maximum.
    degree = app_page.locator(".st-key-degree input[type='range']")
    n = app_page.locator(".st-key-n input[type='range']")
    assert degree.get_attribute("value") == degree.get_attribute("max")
    assert (n.get_attribute("aria-valuetext") or n.get_attribute("value")) == "20"  # a select slider: its label
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "fit-bad-link")


def test_language_switch_to_chinese(app_page: Any, app_url: str) -> None:
    """Choosing 中文 in the sidebar turns the title and the sidebar labels Chinese and puts lang=zh in the link."""
    open_page(app_page, app_url, TITLE[""])
    assert "lang=zh" not in app_page.url
    choose(app_page, "lang", "中文")
    app_page.wait_for_url(re.compile(r"[?&]lang=zh\b"), timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)

    h1 = app_page.locator("h1").first.inner_text()
    assert CJK.search(h1), f"the title is not Chinese: {h1!r}"
    assert h1 == ZH.get(TITLE[""]), f"the title is not the translation of {TITLE['']!r}: {h1!r}"
    sidebar = app_page.locator("[data-testid='stSidebar']")
    nav = sidebar.locator("[data-testid='stSidebarNav']").inner_text()
    assert ZH.get("Fit", "Fit") in nav and "Compare" not in nav, f"the page names are not Chinese: {nav!r}"
    for english in ("Data", "Model", "Ground truth", "Training points", "Language"):
        assert sidebar.get_by_text(ZH.get(english, english), exact=True).count() > 0, (
            f"sidebar label {english!r} is not shown in Chinese ({ZH.get(english)!r})"
        )
        assert sidebar.get_by_text(english, exact=True).count() == 0, f"sidebar still shows {english!r}"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "fit-zh")


def test_shared_link_reproduces_the_view(app_url: str, new_page: Any) -> None:
    """A link with settings opens the same view in a new session: same metrics, same slider positions."""
    link = f"{app_url}/?n=7&degree=5&truth=cubic&seed=4&lang=zh"
    title = ZH.get(TITLE[""], TITLE[""])
    views = []
    for _ in range(2):  # the second page is a fresh browser context, so a new Streamlit session
        pg = new_page()
        open_page(pg, link, title)
        assert_charts_drawn(pg, at_least=2)
        assert_no_error(pg)
        views.append((metric_values(pg), sidebar_widgets(pg), pg.url))
    (m1, w1, url1), (m2, w2, url2) = views

    assert w1["n"] == "7" and w1["degree"] == "5" and w1["seed"] == "4", f"the link's settings not applied: {w1}"
    assert m1[2] == "6", f"degree 5 has 6 parameters, the page shows {m1[2]}"
    assert all(v != "—" for v in m1[:2]), f"no errors measured: {m1}"
    assert m2 == m1, f"the same link gave other metrics: {m1} then {m2}"
    assert w2 == w1, f"the same link gave other widget values: {w1} then {w2}"
    for q in ("n=7", "degree=5", "truth=cubic", "seed=4", "lang=zh"):
        assert re.search(rf"[?&]{q}\b", url2), f"the reopened view no longer shares {q}: {url2}"
    assert parse_qs(urlparse(url2).query) == parse_qs(urlparse(url1).query), f"links differ: {url1} {url2}"
    shot(pg, "fit-shared-link")


def test_lesson_open_button_lands_on_its_page_with_banner(app_page: Any, app_url: str) -> None:
    """A lesson's Open button on the Lessons page opens its page, set up, with the lesson's explanation on top."""
    open_page(app_page, f"{app_url}/lessons", TITLE["lessons"])
    main = app_page.locator("[data-testid='stMain']")
    assert main.get_by_role("button", name="Open", exact=True).count() == len(PRESETS), "one Open per lesson"
    app_page.locator(".st-key-lesson_powerful_model button").click()
    app_page.locator("h1", has_text=TITLE[""]).wait_for(timeout=RUN_TIMEOUT_MS)
    app_page.wait_for_url(re.compile(r"[?&]degree=15\b"), timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)

    banner = app_page.locator("[data-testid='stAlert']", has_text="Too powerful a model")
    assert banner.count() == 1, "the lesson banner is not shown on the Fit page"
    assert "Fifteen degrees for twenty points" in banner.inner_text()
    widgets = sidebar_widgets(app_page)
    assert widgets["degree"] == "15" and widgets["n"] == "20", f"the lesson's settings not applied: {widgets}"
    assert metric_values(app_page)[2] == "16"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "lesson-powerful-model")


def test_classify_single_vs_multi_layer_draws_both_boundaries(app_page: Any, app_url: str) -> None:
    """The comparison view trains a single layer and a multi-layer net and draws both decision boundaries."""
    # 200 epochs: the live view and both runs of the comparison finish quickly (the page test runs the defaults).
    open_page(app_page, f"{app_url}/classify?epochs=200", TITLE["classify"])
    app_page.get_by_role("radio", name="Single vs multi-layer").click()  # a segmented control
    for name in ("single", "multi"):
        chart(app_page, f"cls_cmp_{name}").wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)

    assert re.search(r"[?&]cview=compare\b", app_page.url), f"the link does not keep the view: {app_page.url}"
    titles = []
    for name in ("single", "multi"):
        g = chart(app_page, f"cls_cmp_{name}")
        contours = g.locator(".contourlayer path").evaluate_all(
            "ps => ps.filter(p => (p.getAttribute('d') || '').length > 10).length"
        )
        assert contours > 0, f"the {name}-layer boundary has no drawn contour"
        assert g.evaluate(MARKS_JS) > contours, f"the {name}-layer chart shows no points"
        titles.append(g.evaluate("g => g.layout.title.text"))
    assert "Single layer" in titles[0] and "hidden layers" in titles[1], titles
    assert chart(app_page, "cls_boundary").count() == 0, "the live view is still drawn"
    params = [int(v.replace(",", "")) for v in metric_values(app_page)[2::3]]
    assert len(params) == 2 and params[0] < params[1], f"parameter counts single, multi: {params}"
    assert_charts_drawn(app_page, at_least=4)  # two boundaries, two confusion matrices
    assert_no_error(app_page)
    shot(app_page, "classify-compare")


def test_fit_mlp_trains_live_and_a_slider_mid_training_restarts_it(app_page: Any, app_url: str) -> None:
    """The network trains live (the loss chart grows); moving a slider mid-training reruns cleanly with it."""
    # Mini-batches of 4 with dropout keep the run long enough to act mid-run (seconds, within the work bound): the
    # numpy engines train full batches of one hidden layer, and small mini-batches without dropout, in under a second.
    open_page(app_page, f"{app_url}/?epochs=1000&batch_size=4&dropout=0.1", TITLE[""])
    choose(app_page, "family", "Neural network (MLP)")
    # Training: the progress bar shows and the loss chart is redrawn, titled by epoch (a new chart each frame).
    app_page.wait_for_function(
        f"""() => document.querySelector("[data-testid='stProgress']") !== null
          && [...document.querySelectorAll('.js-plotly-plot')].some(g =>
            (g.layout?.title?.text || '').includes('Loss per epoch — epoch') && ({MARKS_JS})(g) > 0)""",
        timeout=RUN_TIMEOUT_MS,
    )
    assert_no_error(app_page)

    # Mid-training, the Epochs slider to its minimum: the run is interrupted and starts over with 1 epoch
    # (the slider under test, and a rerun that finishes at once).
    press_slider(app_page, "epochs", "Home")
    app_page.wait_for_url(re.compile(r"[?&]epochs=1(&|$)"), timeout=RUN_TIMEOUT_MS)  # written before training
    assert_no_error(app_page)
    # The new run's playback: a keyed chart whose slider holds the one recorded epoch.
    app_page.wait_for_function(
        """() => { const g = document.querySelector('.st-key-chart_fit_playback .js-plotly-plot');
          return !!g && !!g._fullLayout && g._fullLayout.sliders[0].steps.length <= 1; }""",
        timeout=RUN_TIMEOUT_MS,
    )
    wait_idle(app_page)

    assert re.search(r"[?&]family=mlp\b", app_page.url), app_page.url
    metrics = metric_values(app_page)
    # One hidden layer of 64 neurons: 64 weights + 64 biases in, 64 weights + 1 bias out.
    assert metrics[2] == "193" and metrics[3] in ("0", "1"), f"not the 1-epoch network: {metrics}"
    final_title = chart(app_page, "fit_playback").evaluate("g => g.layout.title.text")
    assert "Training, epoch by epoch" in final_title, f"not the final frame: {final_title}"
    assert app_page.locator("[data-testid='stProgress']").count() == 0, "the progress bar stayed"
    assert_charts_drawn(app_page, at_least=1)
    assert_no_error(app_page)
    shot(app_page, "fit-mlp")


def test_fit_mlp_final_frame_replaces_the_live_frames(app_page: Any, app_url: str) -> None:
    """After live training the page shows the final fit and loss charts only, no leftover live frame."""
    open_page(app_page, f"{app_url}/?family=mlp&epochs=20", TITLE[""])  # a fresh session trains live
    titles = app_page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(g => g.layout.title.text)")
    assert_no_error(app_page)
    assert not [t for t in titles if "— epoch" in t], f"live frames left on the page: {titles}"
    assert len(titles) == 1 and "Training, epoch by epoch" in titles[0], f"expected the playback, got {titles}"


def test_upload_csv_uses_the_points_and_a_bad_file_is_a_clear_error(
    app_page: Any, app_url: str, tmp_path: Path
) -> None:
    """A valid CSV replaces the generated points; a bad one is named clearly and the page keeps working."""
    xs = [round(-1 + 2 * i / 27, 4) for i in range(28)]
    rows = [(x, round(x**3 - 0.5 * x, 4), "val" if i % 4 == 3 else "train") for i, x in enumerate(xs)]
    good = tmp_path / "points.csv"
    good.write_text("x,y,split\n" + "".join(f"{x},{y},{s}\n" for x, y, s in rows), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n0.1,0.2\n0.3,oops\n", encoding="utf-8")
    train_x = sorted(x for x, _, s in rows if s == "train")

    open_page(app_page, app_url, TITLE[""])
    before = metric_values(app_page)
    app_page.locator("[data-testid='stSidebar'] [data-testid='stExpander'] summary", has_text="Your own data").click()
    uploader = app_page.locator(".st-key-upload_regression input[type='file']")
    uploader.set_input_files(str(good))
    ok = app_page.locator("[data-testid='stAlertContentSuccess']", has_text="Using your")
    ok.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)

    assert f"Using your {len(rows)} points" in ok.inner_text()
    assert app_page.locator(".st-key-n").count() == 0, "the data sliders still show while the upload rules"
    shown_x = chart(app_page, "fit").evaluate("g => Array.from(g._fullData.find(d => d.name === 'training points').x)")
    assert sorted(round(x, 4) for x in shown_x) == train_x, "the chart does not show the uploaded training points"
    assert metric_values(app_page)[:2] != before[:2], "the errors did not change with the uploaded points"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "fit-upload")

    uploader.set_input_files(str(bad))
    err = app_page.locator("[data-testid='stAlertContentError']", has_text="is not a number")
    err.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)
    assert "Line 3" in err.inner_text() and "oops" in err.inner_text(), err.inner_text()
    assert app_page.locator("[data-testid='stAlertContentSuccess']", has_text="Using your").count() == 0
    # The page keeps working on generated points: the data sliders are back and still rerun the page.
    app_page.locator(".st-key-n").wait_for()
    assert metric_values(app_page) == before, "the generated points did not come back"
    charts = chart_signatures(app_page)
    press_slider(app_page, "degree")
    app_page.wait_for_function(
        f"before => JSON.stringify(({CHARTS_JS})()) !== JSON.stringify(before)", arg=charts, timeout=RUN_TIMEOUT_MS
    )
    wait_idle(app_page)
    assert metric_values(app_page)[2] == str(int(before[2]) + 1)
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page, expected_error="is not a number")
    shot(app_page, "fit-upload-bad")


# Font sizes (px) of body text and the title: app-wide CSS, the same on every page.
FONT_JS = """() => Object.fromEntries(Object.entries({
  root: "html",
  caption: "[data-testid='stMain'] [data-testid='stCaptionContainer']",
  text: "[data-testid='stMain'] [data-testid='stMarkdownContainer'] p",
  h1: "h1",
}).map(([k, sel]) => [k, parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)]))"""
SIDEBAR_JS = """() => { const s = document.querySelector("[data-testid='stSidebar']"); const r = s.getBoundingClientRect();
  return [s.getAttribute('data-collapsed'), r.right]; }"""


def test_presentation_mode_collapses_sidebar_and_enlarges_text(app_url: str, new_page: Any) -> None:
    """?present=1 starts with the sidebar collapsed and the text larger than in the normal view."""
    normal = new_page()
    open_page(normal, f"{app_url}/lessons", TITLE["lessons"])  # the reference sizes, from the cheapest page
    sizes, sidebar = normal.evaluate(FONT_JS), normal.evaluate(SIDEBAR_JS)
    assert sidebar[0] == "false" and sidebar[1] > 0, f"normal view: the sidebar is not open: {sidebar}"

    pg = new_page()
    open_page(pg, f"{app_url}/?present=1", TITLE[""])
    assert_charts_drawn(pg, at_least=2)
    assert_no_error(pg)
    collapsed, big = pg.evaluate(SIDEBAR_JS), pg.evaluate(FONT_JS)
    assert collapsed[0] == "true", "presentation mode did not collapse the sidebar"
    assert collapsed[1] <= 0, f"the collapsed sidebar is still on screen (right edge at {collapsed[1]} px)"
    for k, size in sizes.items():  # the title stays compact (the first screen must reach the chart), never smaller
        want = size if k == "h1" else size * 1.2
        assert big[k] >= want, f"{k} font: {big[k]} px in presentation mode, {size} px normally"
    metric = pg.locator("[data-testid='stMetricValue']").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert metric > 36, f"metric values are {metric} px, no larger than Streamlit's default 36 px"
    assert re.search(r"[?&]present=1\b", pg.url), f"the link lost presentation mode: {pg.url}"
    shot(pg, "fit-present")


def test_classify_upload_of_labelled_points(app_page: Any, app_url: str, tmp_path: Path) -> None:
    """A CSV of x1,x2,label replaces the generated class set on the Classify page."""
    rows = [(round(-1.5 + 3 * i / 39, 3), round((-1) ** i * 0.7, 3)) for i in range(40)]
    good = tmp_path / "classes.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{a},{b},{int(b > 0)}\n" for a, b in rows), encoding="utf-8")
    open_page(app_page, f"{app_url}/classify?epochs=50", TITLE["classify"])
    app_page.locator("[data-testid='stSidebar'] [data-testid='stExpander'] summary", has_text="Your own data").click()
    app_page.locator(".st-key-upload_classification input[type='file']").set_input_files(str(good))
    ok = app_page.locator("[data-testid='stAlertContentSuccess']", has_text="Using your")
    ok.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)
    assert "Using your 40 points" in ok.inner_text()
    assert app_page.locator(".st-key-cset").count() == 0, "the data widgets still show while the upload rules"
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)
    shot(app_page, "classify-upload")


# Counts animation frames while something happens: how many, and how many in which `ok(page)` was false.
SAMPLE_JS = """ok => { window.__sample = {ticks: 0, bad: 0, titles: []}; window.__sampling = true;
  const f = new Function('return ' + ok)();
  (function tick() { if (!window.__sampling) return; const s = window.__sample; s.ticks++;
    const r = f(); if (r === false) s.bad++; else if (typeof r === 'string' && !s.titles.includes(r)) s.titles.push(r);
    requestAnimationFrame(tick); })(); }"""
STOP_SAMPLE_JS = "() => { window.__sampling = false; return window.__sample; }"


def test_fit_charts_stay_mounted_and_redraw_in_place(app_page: Any, app_url: str) -> None:
    """After a session's first run its charts stay mounted: a slider move redraws the same chart, never blank."""
    open_page(app_page, app_url, TITLE[""])
    press_slider(app_page, "degree")  # plotly.js came with the first run: from this run on, charts are kept
    app_page.wait_for_function("() => document.querySelectorAll('.st-key-chart_fit div.pg-chart path').length > 0")
    wait_idle(app_page)
    chart(app_page, "fit").evaluate("g => { g.__pgTag = 'kept'; }")
    before = chart_signatures(app_page)
    drawn = """() => { const g = document.querySelector('.st-key-chart_fit .js-plotly-plot');
      return !!g && g.querySelectorAll('.scatterlayer path').length > 0 && g.getBoundingClientRect().height > 100; }"""
    app_page.evaluate(SAMPLE_JS, drawn)
    press_slider(app_page, "degree")
    app_page.wait_for_function(
        f"before => JSON.stringify(({CHARTS_JS})()) !== JSON.stringify(before)", arg=before, timeout=RUN_TIMEOUT_MS
    )
    wait_idle(app_page)
    app_page.wait_for_timeout(300)
    sample = app_page.evaluate(STOP_SAMPLE_JS)
    assert chart(app_page, "fit").evaluate("g => g.__pgTag") == "kept", "the chart was rebuilt, not redrawn"
    assert sample["ticks"] > 5 and sample["bad"] == 0, f"the chart was missing in {sample['bad']} of {sample['ticks']}"
    assert chart_signatures(app_page)[0] != before[0]
    assert_no_error(app_page)


def test_live_training_frames_redraw_one_chart_in_place(app_page: Any, app_url: str) -> None:
    """While a network trains, its live loss chart is one chart redrawn frame after frame: never blank."""
    open_page(app_page, f"{app_url}/?epochs=1000&batch_size=4&dropout=0.1", TITLE[""])
    choose(app_page, "family", "Neural network (MLP)")  # the session's second run: its charts are kept ones
    live = """() => [...document.querySelectorAll('.js-plotly-plot')].find(g =>
      (g.layout?.title?.text || '').includes('Loss per epoch — epoch') && g.querySelectorAll('.scatterlayer path').length)"""
    app_page.wait_for_function(live, timeout=RUN_TIMEOUT_MS)
    app_page.evaluate(f"() => {{ ({live})().__pgTag = 'live'; }}")
    app_page.evaluate(SAMPLE_JS, f"() => {{ const g = ({live})(); return g ? g.layout.title.text : false; }}")
    app_page.wait_for_timeout(1500)
    sample = app_page.evaluate(STOP_SAMPLE_JS)
    running = app_page.evaluate(RUNNING_JS)
    tagged = app_page.evaluate(f"() => {{ const g = ({live})(); return g ? g.__pgTag : null; }}")
    assert running, "the run ended before the sample: make it longer"
    assert sample["bad"] == 0, f"no live chart drawn in {sample['bad']} of {sample['ticks']} animation frames"
    assert len(sample["titles"]) >= 2, f"the live chart did not advance: {sample['titles']}"
    assert tagged == "live", "each frame built a new chart instead of redrawing the live one"
    wait_idle(app_page)
    assert_no_error(app_page)
