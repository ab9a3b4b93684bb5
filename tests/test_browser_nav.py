"""Real browser: addresses a teacher types or copies (/fit, a lesson link), Back, and the presentation first screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.test_browser import (
    RUN_TIMEOUT_MS,
    TITLE,
    assert_charts_drawn,
    assert_no_error,
    open_page,
    shot,
    sidebar_widgets,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_fit_path_opens_the_fit_page_with_the_links_settings(app_page: Any, app_url: str) -> None:
    """/fit (typed by hand, or an old link) is the Fit page, not "Page not found"; its settings apply."""
    open_page(app_page, f"{app_url}/fit?degree=5&truth=cubic", TITLE[""])
    assert app_page.get_by_text("Page not found").count() == 0
    assert sidebar_widgets(app_page)["degree"] == "5"
    assert re.search(r"[?&]degree=5\b", app_page.url) and re.search(r"[?&]truth=cubic\b", app_page.url), app_page.url
    assert_charts_drawn(app_page, at_least=2)
    assert_no_error(app_page)


def test_a_copied_lesson_link_shows_the_explanation(app_page: Any, app_url: str, new_page: Any) -> None:
    """An opened lesson keeps ?lesson= in the address bar; that address in a new session shows the lesson's text."""
    open_page(app_page, f"{app_url}/lessons", TITLE["lessons"])
    app_page.locator(".st-key-lesson_l2 button").click()
    app_page.locator("h1", has_text=TITLE["compare"]).wait_for(timeout=RUN_TIMEOUT_MS)
    app_page.wait_for_url(re.compile(r"[?&]lesson=l2\b"), timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)
    copied = app_page.url

    other = new_page()
    open_page(other, copied, TITLE["compare"])
    banner = other.locator("[data-testid='stAlert']", has_text="L2 to the rescue")
    assert banner.count() == 1, f"the copied link {copied} did not show the lesson"
    assert_no_error(other)
    shot(other, "lesson-link-copied")


def test_back_returns_to_the_lessons_page(app_page: Any, app_url: str) -> None:
    """After opening a lesson, the browser's Back button goes back to the Lessons page."""
    open_page(app_page, f"{app_url}/lessons", TITLE["lessons"])
    app_page.locator(".st-key-lesson_powerful_model button").click()
    app_page.wait_for_url(re.compile(r"[?&]lesson=powerful_model\b"), timeout=RUN_TIMEOUT_MS)
    wait_idle(app_page)
    title = app_page.locator("h1", has_text=TITLE["lessons"])
    for _ in range(2):  # the lesson page may have written its link once more (a query-string entry) while settling
        app_page.go_back()
        try:
            title.wait_for(timeout=20_000)
            break
        except Exception:  # playwright's TimeoutError: one Back more
            continue
    title.wait_for(timeout=RUN_TIMEOUT_MS)
    assert "/lessons" in app_page.url, app_page.url


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_first_screen_shows_a_chart(chromium_browser: Any, app_url: str, size: tuple[int, int]) -> None:
    """A projector (presentation mode, 1280x720) and a phone see the lesson's main chart without scrolling."""
    w, h = size
    ctx = chromium_browser.new_context(viewport={"width": w, "height": h})
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)
        present = "&present=1" if w > 800 else ""
        open_page(pg, f"{app_url}/?lesson=powerful_model{present}", TITLE[""])
        box = pg.locator(".js-plotly-plot").first.bounding_box()
        visible = 0 if box is None else min(box["y"] + box["height"], h) - box["y"]
        assert visible >= 0.4 * (box or {"height": 1})["height"], f"no chart on the first screen at {w}x{h}: {box}"
        shot(pg, f"first-screen-{w}x{h}")
    finally:
        ctx.close()
