"""Training playback in a real Chromium: a new run plays by itself, the chart is drawn in every frame, the curve
and the epoch cursor move, Pause stops, Step moves one frame, Best epoch shows that epoch's numbers; frame rates
are printed (measured with requestAnimationFrame), not asserted."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.test_browser import MARKS_JS, TITLE, assert_no_error, open_page, shot

pytestmark = pytest.mark.browser

PLAY = ".js-plotly-plot"

# The playback figure's state: slider position, its label, the model curve's path, marks drawn.
STATE_JS = f"""() => {{
  const g = [...document.querySelectorAll("{PLAY}")].find(g => g.layout && g.layout.meta && g.layout.meta.playback);
  if (!g) return null;
  const s = g._fullLayout.sliders[0];
  const paths = [...g.querySelectorAll('.scatterlayer .trace path.js-line')].map(p => p.getAttribute('d') || '');
  const img = g.querySelector('.imagelayer image');
  return {{active: s.active, label: s.steps[s.active].label, n: s.steps.length, wired: !!g.__pbWired,
          curve: paths.join('|'), marks: ({MARKS_JS})(g), points: g.querySelectorAll('.scatterlayer .point').length,
          grid: img ? img.getAttribute('xlink:href') || img.getAttribute('href') || '' : ''}};
}}"""

# Frames a second: requestAnimationFrame ticks during `ms` at which the drawn curves (or the grid's image) changed.
FPS_JS = f"""(ms) => new Promise(res => {{
  const g = [...document.querySelectorAll("{PLAY}")].find(g => g.layout && g.layout.meta && g.layout.meta.playback);
  const sig = () => [...g.querySelectorAll('.scatterlayer .trace path, .imagelayer image')]
    .map(p => p.getAttribute('d') || p.getAttribute('xlink:href') || '').join('|');
  let last = sig(), changes = 0, ticks = 0;
  const t0 = performance.now();
  function f() {{
    ticks++;
    const s = sig();
    if (s !== last) {{ changes++; last = s; }}
    if (performance.now() - t0 < ms) requestAnimationFrame(f);
    else res({{changes, ticks, fps: changes / ((performance.now() - t0) / 1000)}});
  }}
  requestAnimationFrame(f);
}})"""


def state(page: Any) -> dict[str, Any]:
    """The playback figure's state (fails when the page has none)."""
    s = page.evaluate(STATE_JS)
    assert s is not None, "no playback figure on the page"
    return s


def press(page: Any, label: str) -> None:
    """Click one of the figure's buttons by its visible label."""
    page.locator(f"{PLAY} .updatemenu-button", has_text=label).first.click()
    page.wait_for_timeout(250)


def burst(page: Any, n: int = 8, every_ms: int = 120) -> list[dict[str, Any]]:
    """n states (and screenshots) in quick succession while the figure plays."""
    out = []
    for i in range(n):
        out.append(state(page))
        if i in (0, n - 1):
            shot(page, f"playback-burst-{i}")
        page.wait_for_timeout(every_ms)
    return out


def test_fit_network_run_plays_back_steps_pauses_and_jumps_to_the_best_epoch(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/?family=mlp&epochs=1500", TITLE[""])
    app_page.wait_for_function(f"() => ({STATE_JS})()?.wired === true", timeout=30_000)
    t0 = time.perf_counter()
    frames = burst(app_page)  # autoplay: a new run plays once by itself
    assert all(f["marks"] > 0 for f in frames), "the chart was blank in a frame"
    assert len({f["curve"] for f in frames}) > 1, "the curve did not change while playing"
    assert frames[-1]["active"] > frames[0]["active"], "the epoch cursor did not advance"
    print(f"autoplay: slider {frames[0]['active']} -> {frames[-1]['active']} in {time.perf_counter() - t0:.2f} s")

    press(app_page, "Pause")
    a = state(app_page)["active"]
    app_page.wait_for_timeout(600)
    assert state(app_page)["active"] == a, "Pause did not stop the playback"

    press(app_page, "Reset")
    assert state(app_page)["active"] == 0
    press(app_page, "Step")
    assert state(app_page)["active"] == 1, "Step did not move one frame"
    app_page.locator(PLAY).first.focus()
    app_page.keyboard.press("ArrowRight")  # the keyboard steps too
    app_page.wait_for_timeout(250)
    assert state(app_page)["active"] == 2

    press(app_page, "Play")
    fps = app_page.evaluate(FPS_JS, 2000)
    print(f"Fit playback: {fps['changes']} redraws in 2 s ({fps['fps']:.1f} fps, {fps['ticks']} animation frames)")
    assert fps["changes"] >= 3

    press(app_page, "Best epoch")
    s = state(app_page)
    best = int(app_page.locator("[data-testid='stMetricValue']").nth(3).inner_text())
    assert "★" in s["label"] and str(best) in s["label"], s["label"]
    # That epoch's numbers: the slider's line holds the validation loss the chart plots at that epoch.
    shown = s["label"].split("·")[-1].split()[-1]
    plotted = app_page.evaluate(
        f"""(e) => {{ const g = [...document.querySelectorAll("{PLAY}")].find(g => g.layout.meta?.playback);
          const ep = Number(g._fullLayout.sliders[0].steps[g._fullLayout.sliders[0].active].args[0][0]);
          const v = g._fullData.find(d => d.xaxis === 'x2' && d.line && d.line.dash === 'dot');
          return Number(v.y[ep]).toPrecision(3); }}""",
        best,
    )
    assert float(shown) == pytest.approx(float(plotted), rel=1e-2), (shown, plotted)
    assert_no_error(app_page)
    shot(app_page, "playback-fit-best")


def test_classify_run_plays_back_with_the_boundary_in_every_frame(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/classify?epochs=600", TITLE["classify"])
    app_page.wait_for_function(f"() => ({STATE_JS})()?.wired === true", timeout=30_000)
    frames = burst(app_page, n=6, every_ms=200)
    assert all(f["marks"] > 0 for f in frames), "the chart was blank in a frame"
    # The probabilities are an image in every frame, a new one as it plays; the data points stay drawn.
    assert all(f["grid"].startswith("data:image/png") for f in frames), "the probability background is missing"
    assert len({f["grid"] for f in frames}) > 1, "the probability grid did not change while playing"
    assert len({f["curve"] for f in frames}) > 1, "the boundary did not move while playing"
    assert frames[-1]["active"] > frames[0]["active"], "the epoch cursor did not advance"
    assert all(f["points"] >= 100 for f in frames), "the data points vanished while playing"
    fps = app_page.evaluate(FPS_JS, 2000)
    print(f"Classify playback: {fps['changes']} redraws in 2 s ({fps['fps']:.1f} fps, {fps['ticks']} animation frames)")
    assert fps["changes"] >= 3
    press(app_page, "Pause")
    a = state(app_page)
    app_page.wait_for_timeout(600)
    assert state(app_page)["active"] == a["active"], "Pause did not stop the playback"
    press(app_page, "Reset")
    first = state(app_page)
    assert first["active"] == 0
    press(app_page, "Step")
    s = state(app_page)
    assert s["active"] == 1 and s["grid"] != first["grid"], "Step did not show the next frame's grid"
    press(app_page, "Best epoch")
    assert "★" in state(app_page)["label"]
    assert_no_error(app_page)
    shot(app_page, "playback-classify")


def test_playback_controls_in_chinese(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/?family=mlp&epochs=200&lang=zh&autoplay=0", "拟合")
    app_page.wait_for_function(f"() => ({STATE_JS})()?.wired === true", timeout=30_000)
    labels = app_page.evaluate(
        f"""() => [...document.querySelectorAll("{PLAY} .updatemenu-button")].map(b => b.textContent)"""
    )
    assert any("播放" in x for x in labels) and any("单步" in x for x in labels), labels
    a = state(app_page)["active"]
    app_page.wait_for_timeout(800)
    assert state(app_page)["active"] == a, "autoplay=0 in the link, yet it played"
    assert "autoplay=0" in app_page.url
    shot(app_page, "playback-zh")


def test_exported_classify_playback_plays_on_its_own(chromium_browser: Any, tmp_path: Any) -> None:
    """The downloaded HTML (no server, no network) wires itself, plays, and swaps the grid's image as it plays."""
    from playground.classify import ClassSettings, boundary_grid, class_data, make_transform, net_settings
    from playground.figures import to_html
    from playground.figures.playback import classify_playback
    from playground.record import grid_probe, record_fit
    from playground.settings import ModelSettings, TrainSettings

    cs = ClassSettings(cn=120, hidden=1, cwidth=8)
    data = class_data(cs)
    gx, gy, _ = boundary_grid(data, 40)
    _, rec = record_fit(
        data, net_settings(cs, ModelSettings()), TrainSettings(epochs=300, lr=0.03), grid_probe(gx, gy),
        device="cpu", transform=make_transform(cs.features), hidden_layers=cs.hidden,
    )  # fmt: skip
    path = tmp_path / "playback.html"
    path.write_text(to_html(classify_playback(data, gx, gy, rec, chance=0.5)), encoding="utf-8")
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(path.as_uri())
        js = STATE_JS.replace(PLAY, ".js-plotly-plot")  # no Streamlit element around the chart
        page.wait_for_function(f"() => ({js})()?.wired === true")
        frames = []
        for _ in range(5):
            frames.append(page.evaluate(js))
            page.wait_for_timeout(150)
        assert all(f["grid"].startswith("data:image/png") for f in frames)
        assert len({f["grid"] for f in frames}) > 1, "the exported grid did not change while playing"
        assert len({f["active"] for f in frames}) > 1, "the exported playback did not advance"
    finally:
        page.close()
