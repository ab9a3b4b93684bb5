"""TensorFlow Playground's knobs on the Classify page in a real Chromium: a 4-2 network from a link trains, and the
'Discretize output' and 'Show validation points' toggles change the boundary chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.test_browser import (
    RUN_TIMEOUT_MS,
    TITLE,
    assert_no_error,
    chart,
    metric_values,
    open_page,
    shot,
    sidebar_widgets,
    wait_idle,
)

pytestmark = pytest.mark.browser

# The playback figure's boundary: trace names and the probability squares' colour scale, as the browser holds them.
BOUNDARY_JS = """g => ({names: g.data.map(d => d.name || ''), scale: g.data[0].marker.colorscale,
  ticks: (g.data[0].marker.colorbar || {}).ticktext, frames: (g._transitionData && g._transitionData._frames || []).length})"""


def boundary(page: Any, until: Callable[[dict[str, Any]], bool] = lambda b: True) -> dict[str, Any]:
    """The playback's boundary once drawn (and, after a toggle, once the redrawn chart satisfies `until`)."""
    g = chart(page, "cls_playback")
    for _ in range(120):  # a rerun replaces the chart: between two figures it has no data for a moment
        g.first.wait_for()
        b = g.first.evaluate(f"g => g.data ? ({BOUNDARY_JS})(g) : null")
        if b is not None and until(b):
            return b
        page.wait_for_timeout(250)
    raise AssertionError(f"the boundary chart never became as expected: {b}")


def flip(page: Any, key: str) -> None:
    """Click a toggle (a labelled checkbox) as a mouse user would and wait for the rerun."""
    page.locator(f".st-key-{key} label").first.click()
    wait_idle(page)


def test_a_4_2_network_from_a_link_trains(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/classify?net=4,2&lr=0.03&epochs=60", TITLE["classify"])
    entry = app_page.locator(".st-key-net_entry input")
    assert entry.input_value() == "4,2"
    assert "25" in metric_values(app_page)  # 2·4 + 4, 4·2 + 2, 2 + 1 parameters
    b = boundary(app_page)
    assert b["frames"] == 60  # every epoch recorded and replayable
    assert "boundary (P = 0.5)" in b["names"]
    assert app_page.get_by_text("Hidden layers: 4 → 2 neurons, then one output.").count() == 1
    assert sidebar_widgets(app_page)["lr"] == "0.03"  # on the 1-3 grid: kept exactly
    url = app_page.url
    assert "net=4%2C2" in url or "net=4,2" in url
    entry.fill("3,3,2")
    entry.press("Enter")
    # the rerun that retrains may start after an idle check: wait for its parameter count (2·3 + 3, 3·3 + 3, 3·2 + 2,
    # 2 + 1), then for the page to settle
    app_page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.textContent.trim() === '32')",
        timeout=RUN_TIMEOUT_MS,
    )
    wait_idle(app_page)
    assert "32" in metric_values(app_page)
    assert_no_error(app_page)
    shot(app_page, "classify-net-3-3-2")


def test_display_toggles_change_the_boundary_chart(app_page: Any, app_url: str) -> None:
    open_page(app_page, f"{app_url}/classify?net=4,2&epochs=40", TITLE["classify"])
    before = boundary(app_page)
    assert sum(n.startswith("validation, class") for n in before["names"]) == 2
    assert len(before["scale"]) == 3  # blue, white, orange: the probability
    metrics = metric_values(app_page)
    flip(app_page, "cshowval")
    hidden = boundary(app_page, lambda b: not any(n.startswith("validation, class") for n in b["names"]))
    assert not [n for n in hidden["names"] if n.startswith("validation, class")]
    assert sum(n.startswith("training, class") for n in hidden["names"]) == 2
    flip(app_page, "cdisc")
    disc = boundary(app_page, lambda b: len(b["scale"]) == 4)
    assert len(disc["scale"]) == 4 and disc["scale"][0][1] == disc["scale"][1][1]  # a step at 0.5
    assert disc["ticks"] == ["class 0", "class 1"]
    assert metric_values(app_page) == metrics  # display only: the same trained network
    url = app_page.url
    assert "cdisc=1" in url and "cshowval=0" in url
    assert_no_error(app_page)
    shot(app_page, "classify-discrete-no-validation")
