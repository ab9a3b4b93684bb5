"""The Challenge page in Chromium: a student joins through the form and submits; the leaderboard refreshes alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from playground import challenge as C
from tests.st_client import Server
from tests.test_browser import IDLE_JS

pytestmark = pytest.mark.browser


@pytest.fixture()
def setup(tmp_path: Path) -> Iterator[tuple[str, C.Store, C.Created]]:
    """A server on a fresh data directory, the store on the same SQLite file, and one challenge."""
    data = tmp_path / "data"
    url = C.sqlite_url(data)
    store = C.Store(C.prepare(sa.create_engine(url, **C.engine_kwargs(url))))
    made = store.create(C.Task(title="Browser", n=15, n_val=25, n_test=300, cooldown=0.0))
    with Server(tmp_path / "server.log", env={"PLAYGROUND_DATA_DIR": str(data)}) as srv:
        yield srv.url, store, made


def _idle(pg: Any) -> None:
    pg.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    pg.wait_for_timeout(300)
    pg.wait_for_function(IDLE_JS, timeout=60_000)


def test_a_student_joins_submits_and_the_leaderboard_refreshes_without_a_rerun(
    setup: tuple[str, C.Store, C.Created], new_page: Callable[[], Any]
) -> None:
    base, store, made = setup
    pg = new_page()
    pg.goto(f"{base}/challenge?join={made.code}")
    _idle(pg)
    code_box = pg.get_by_label("Join code")
    assert code_box.input_value() == made.code, "the link fills the code in"
    pg.get_by_label("Your display name").fill("Bob")
    pg.get_by_role("button", name="Join").click()
    pg.wait_for_url("**me=*", timeout=30_000)
    _idle(pg)
    pg.get_by_text("Playing as Bob").wait_for()
    pg.get_by_role("button", name="Submit").click()
    pg.get_by_text("Submitted: validation MSE").wait_for(timeout=30_000)
    _idle(pg)
    pg.evaluate("() => { document.querySelector('.js-plotly-plot').__kept = 1; }")
    pg.get_by_text("1 students joined, 1 submissions.").wait_for()
    ann = store.join(made.code, "Ann")  # another student, in another room
    store.submit(made.code, ann, "degree=5")
    pg.get_by_text("2 students joined, 2 submissions.").wait_for(timeout=15_000)  # the fragment's timer (4 s)
    kept = pg.evaluate("() => document.querySelector('.js-plotly-plot').__kept === 1")
    assert kept, "the chart was rebuilt: the refresh reran more than the leaderboard"
    # a full rerun would have dropped the button's message (a button is True for one run only): only the fragment ran
    assert pg.get_by_text("Submitted: validation MSE").is_visible()
