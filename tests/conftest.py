"""Shared fixtures: a real `streamlit run` server and a headless Chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.st_client import HOST, free_port, healthy, server_cmd

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"  # ignored by git: screenshots and the server log land here
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_PATHS = ("/usr/bin/chromium",)
# Playwright's own browser download is not possible everywhere: drive the system Chromium instead.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
HEALTH_TIMEOUT_S = 60.0
REQUIRE_BROWSER = "PLAYGROUND_REQUIRE_BROWSER"


def _missing_browser(why: str) -> None:
    """Skip loudly, or fail when CI demands the browser tests (a skipped suite must not look green there)."""
    msg = f"BROWSER TESTS NOT RUN: {why}. Install it (apt-get install chromium); .ci/run does."
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{msg} ({REQUIRE_BROWSER}=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(msg)


def find_chromium() -> str | None:
    """Path of a Chromium-like browser on this machine, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium's path (skips, or fails under PLAYGROUND_REQUIRE_BROWSER=1, when absent)."""
    path = find_chromium()
    if path is None:
        _missing_browser(f"no Chromium found (looked for {', '.join(CHROMIUM_NAMES + CHROMIUM_PATHS)})")
    return path


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start `streamlit run app.py` on a free port, wait for /_stcore/health, yield its base URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    cmd = server_cmd(port)
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "streamlit-server.log"
    # The log goes to a file, not a pipe: a full pipe would block the server mid-test.
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + HEALTH_TIMEOUT_S
            while not healthy(url):
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy after {HEALTH_TIMEOUT_S:.0f} s:\n{log_path.read_text()[-3000:]}"
                    )
                time.sleep(0.25)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def chromium_browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole session (launching costs about a second)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Remember each phase's report on the test item, so fixtures can tell whether the test failed."""
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture
def app_page(chromium_browser: Any, app_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (so a fresh Streamlit session) at 1400x900; screenshot kept on failure."""
    ctx = chromium_browser.new_context(viewport=VIEWPORT)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{safe}.png"), full_page=True)
    ctx.close()


@pytest.fixture
def new_page(chromium_browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """A factory of pages, each in its own fresh browser context (a new Streamlit session); closed after the test."""
    contexts: list[Any] = []

    def make() -> Any:
        ctx = chromium_browser.new_context(viewport=VIEWPORT)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)
        return pg

    yield make
    rep = getattr(request.node, "rep_call", None)
    for i, ctx in enumerate(contexts):
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
            for pg in ctx.pages:
                pg.screenshot(path=str(ARTIFACTS / f"FAILED-{safe}-{i}.png"), full_page=True)
        ctx.close()
