"""Real browser: where plotly.js comes from. The app serves it as a static file that a script tag loads once per page
(the browser caches it); a server without static files sends it over the websocket after the first run, and the
charts draw either way, also after a slider move."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.st_client import Server
from tests.test_browser import TITLE, assert_charts_drawn, assert_no_error, chart_signatures, open_page, wait_idle

pytestmark = pytest.mark.browser


def _plotly_requests(page: Any) -> list[tuple[str, int, str]]:
    """Every response for a plotly.js static file this page received: (url, status, content type)."""
    seen: list[tuple[str, int, str]] = []
    page.on(
        "response",
        lambda r: "/app/static/plotly-" in r.url and seen.append((r.url, r.status, r.headers.get("content-type", ""))),
    )
    return seen


def _move_degree(page: Any) -> None:
    before = chart_signatures(page)
    slider = page.locator(".st-key-degree input[type='range']")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(  # new charts drawn (not only the old ones gone)
        "before => { const gs = [...document.querySelectorAll('.js-plotly-plot')];"
        " return gs.length > 0 && JSON.stringify(gs.map(g => JSON.stringify([g.layout && g.layout.title, g.data])))"
        " !== before; }",
        arg=json.dumps(before),
        timeout=60_000,
    )
    wait_idle(page)


def test_plotly_js_is_one_cached_static_file(app_page: Any, app_url: str, new_page: Callable[[], Any]) -> None:
    seen = _plotly_requests(app_page)
    open_page(app_page, app_url, TITLE[""])
    assert_charts_drawn(app_page, at_least=2)
    assert len(seen) == 1 and seen[0][1] == 200 and "javascript" in seen[0][2], seen
    assert app_page.evaluate("document.querySelectorAll('script[src*=\"/app/static/plotly-\"]').length") == 1
    _move_degree(app_page)  # no second load: window.Plotly stays
    assert len(seen) == 1
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)


@pytest.fixture
def no_static(tmp_path: Path) -> Iterator[str]:
    """A server that serves no static files."""
    with Server(tmp_path / "server.log", "--server.enableStaticServing", "false") as srv:
        yield srv.url


def test_without_static_files_plotly_js_comes_over_the_websocket(no_static: str, new_page: Callable[[], Any]) -> None:
    page = new_page()
    seen = _plotly_requests(page)
    open_page(page, no_static, TITLE[""])
    assert_charts_drawn(page, at_least=2)  # the first run: Streamlit's own charts
    _move_degree(page)  # then kept charts, drawn by the plotly.js the first run sent
    # Streamlit's charts give way to kept ones on this first move (the remount a static plotly.js avoids)
    page.wait_for_function("() => document.querySelectorAll('.pg-chart.js-plotly-plot').length >= 2", timeout=60_000)
    wait_idle(page)
    assert_charts_drawn(page, at_least=2)
    assert page.locator(".pg-chart.js-plotly-plot").count() >= 2
    assert seen == []
    assert_no_error(page)
