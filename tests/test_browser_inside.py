"""Inside the network and trimmed exercises in a real Chromium: the neuron pictures render, hovering a neuron
enlarges it beside the network, and a link with hide= shows no such controls."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_browser import RUN_TIMEOUT_MS, TITLE, assert_no_error, open_page, shot, wait_idle

pytestmark = pytest.mark.browser

OPEN = "Inside the network"
# The network figure: its pictures (heatmap images drawn with pixels), which neuron is enlarged, whether wired.
NET_JS = """() => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.meta && g.layout.meta.network);
  if (!g) return null;
  const pics = g.data.filter(d => d.type === 'heatmap' && d.meta && d.meta.neuron).length;
  const imgs = [...g.querySelectorAll('.heatmaplayer image')]
    .filter(i => (i.getAttribute('href') || i.getAttribute('xlink:href') || '').length > 100).length;
  const m = g.layout.meta;
  return {pics, imgs, wired: !!g.__nnWired, enlarged: g.getAttribute('data-enlarged'),
          title: g._fullLayout.annotations[m.title].text,
          big: [...g.querySelectorAll('.heatmaplayer image')].map(i => (i.getAttribute('href') || '').length).pop()};
}"""
# Page coordinates of the centre of picture number i (in trace order) of the network figure, and its name.
SPOT_JS = """(i) => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.meta && g.layout.meta.network);
  const d = g.data.filter(d => d.type === 'heatmap' && d.meta && d.meta.neuron)[i];
  const n = (d.z.shape ? Number(String(d.z.shape).split(',')[0]) : d.z.length);
  const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis, r = g.getBoundingClientRect();
  const cx = d.x0 + d.dx * (n - 1) / 2, cy = d.y0 + d.dy * (n - 1) / 2;
  return {x: r.left + xa._offset + xa.l2p(cx), y: r.top + ya._offset + ya.l2p(cy), name: d.meta.neuron};
}"""


def open_inside(page: Any) -> dict[str, Any]:
    """Open the expander (its network trains then) and wait until the figure is drawn and wired."""
    page.locator("[data-testid='stExpander'] summary", has_text=OPEN).first.click()
    wait_idle(page)
    page.wait_for_function(f"() => {{ const s = ({NET_JS})(); return s && s.wired && s.imgs >= s.pics; }}")
    return page.evaluate(NET_JS)


def test_neuron_pictures_render_and_hover_enlarges_one(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/classify?hidden=2&cwidth=12&epochs=60", TITLE["classify"])
    s = open_inside(app_page)
    assert s["pics"] == 2 + 8 + 8 + 1  # inputs x1, x2; two layers of 12 show 8 each; the output
    assert s["imgs"] >= s["pics"] + 1  # every picture drawn, and the enlarged one
    assert s["enlarged"] == s["title"] == "output: P(class 1)"
    assert app_page.get_by_text("Layers wider than 8 show their first 8 neurons.").count() == 1
    app_page.locator("[data-testid='stExpander']", has_text=OPEN).first.scroll_into_view_if_needed()
    spot = app_page.evaluate(SPOT_JS, 3)  # the second neuron of the first hidden layer
    app_page.mouse.move(spot["x"], spot["y"])
    app_page.wait_for_function(f"() => ({NET_JS})().enlarged === {spot['name']!r}", timeout=5000)
    after = app_page.evaluate(NET_JS)
    assert after["title"] == spot["name"] == "layer 1, neuron 2"
    assert after["big"] != s["big"]  # the large picture is another image now
    shot(app_page, "inside-hover")
    app_page.mouse.move(5, 5)  # leaving the neuron shows the output again
    app_page.wait_for_function(f"() => ({NET_JS})().enlarged === 'output: P(class 1)'", timeout=5000)
    assert_no_error(app_page)


def test_a_link_with_hide_shows_no_such_controls(app_page: Any, app_url: str) -> None:
    link = "classify?hide=optimizer,lr,cnoise&lock=cn&lr=0.03&cnoise=0.35&epochs=30"
    open_page(app_page, f"{app_url}/{link}", TITLE["classify"])
    side = app_page.locator("[data-testid='stSidebar']")
    for key in ("optimizer", "lr", "cnoise"):
        assert side.locator(f".st-key-{key}").count() == 0, key
    assert side.locator(".st-key-cval").count() == 1  # the others are there
    assert side.locator(".st-key-cn input[type='range'], .st-key-cn [role='slider']").first.is_disabled() or (
        side.locator(".st-key-cn [aria-disabled='true']").count() > 0
    )
    assert app_page.get_by_text("This link is an exercise").count() == 1
    url = app_page.url
    assert "hide=optimizer%2Clr%2Ccnoise" in url or "hide=optimizer,lr,cnoise" in url
    assert "lr=0.03" in url and "cnoise=0.35" in url  # hidden controls keep the link's values
    assert_no_error(app_page)
    shot(app_page, "inside-hide")


# The z of every neuron picture of the network figure, as one string: what changes when the epoch does.
PICS_JS = """() => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.meta && g.layout.meta.network);
  return g.data.filter(d => d.type === 'heatmap' && d.meta && d.meta.neuron).map(d => JSON.stringify(d.z)).join('|');
}"""


def test_the_epoch_slider_shows_each_neuron_at_that_epoch(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/classify?hidden=2&cwidth=6&epochs=200", TITLE["classify"])
    open_inside(app_page)
    end = app_page.evaluate(PICS_JS)
    thumb = app_page.locator(".st-key-inside_epoch input[type='range']")
    assert thumb.count() == 1 and thumb.get_attribute("aria-valuetext").startswith("200")  # the run's end first
    thumb.focus()
    app_page.keyboard.press("Home")  # the first epoch: the network trained for 1 epoch with the same settings
    app_page.wait_for_function(f"(e) => ({PICS_JS})() !== e", arg=end, timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)
    assert thumb.get_attribute("aria-valuetext") == "1"
    app_page.wait_for_function(f"() => {{ const s = ({NET_JS})(); return s.wired && s.imgs >= s.pics; }}")
    app_page.locator(".st-key-chart_inside_network").scroll_into_view_if_needed()
    spot = app_page.evaluate(SPOT_JS, 3)  # hovering still enlarges a neuron, now its epoch-1 picture
    app_page.mouse.move(spot["x"], spot["y"])
    app_page.wait_for_function(f"() => ({NET_JS})().enlarged === {spot['name']!r}", timeout=5000)
    shot(app_page, "inside-epoch-1")
    app_page.mouse.move(5, 5)
    thumb.focus()
    app_page.keyboard.press("End")  # back at the end: the same pictures as before (the cached run)
    app_page.wait_for_function(f"(e) => ({PICS_JS})() === e", arg=end, timeout=RUN_TIMEOUT_MS)
    assert_no_error(app_page)
