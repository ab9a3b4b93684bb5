"""What a student's browser receives from the real server: no hidden test data, no other student's settings.

A `streamlit run app.py` server and this test share one SQLite file: the test sets up the challenge through the
store, then plays a student's browser over the websocket and searches every byte the server sent.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from playground import challenge as C
from tests.st_client import EARLY, Server, Session, _key_of, run_coro

ROOT = Path(__file__).resolve().parent.parent
ANN = ("degree=17&ridge=0.0001", "degree=13", "degree=2&ridge=0.5")  # another student's settings: never sent


BUTTONS: dict[str, str] = {}  # widget key -> element id of the buttons seen (the test's one session at a time)


async def _payload(sess: Session, query: str, page: str, click: str | None = None) -> bytes:
    """Rerun the page with this query string (clicking a button by key); every ForwardMsg byte of the run."""
    sess.page_hash = sess.pages.get(page, sess.page_hash)
    sess.states = {BUTTONS[click]: WidgetState(id=BUTTONS[click], trigger_value=True)} if click else {}
    await sess.send_rerun(query_string=query)
    out = bytearray()
    while True:
        raw = await sess.ws.recv()
        out += raw
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        ty = fm.WhichOneof("type")
        if ty in ("new_session", "navigation"):  # st.navigation lists its pages in a `navigation` message
            for p in getattr(fm, ty).app_pages:
                sess.pages[p.url_pathname] = p.page_script_hash
        if ty == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            assert el.WhichOneof("type") != "exception", el.exception.message
            if el.WhichOneof("type") == "button" and _key_of(el.button.id):
                BUTTONS[_key_of(el.button.id)] = el.button.id
        if ty == "script_finished" and fm.script_finished != EARLY:
            return bytes(out)


def _secrets_of(task: C.Task, tests: list[float]) -> list[bytes]:
    """Byte strings that would betray the hidden test set or test errors: decimal, raw float64/32, base64."""
    _, yt = C.hidden_test(task)
    y = yt.numpy()
    out = [repr(float(v)).encode() for v in y[:5]] + [repr(v).encode() for v in tests]
    for a in (y, y.astype(np.float32)):
        out += [a[:4].tobytes(), base64.b64encode(a.tobytes())[:40]]
    return out


def test_a_student_browser_gets_no_test_data_and_no_other_settings_before_the_reveal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = C.Store(C.prepare(sa.create_engine(C.sqlite_url(data), **C.engine_kwargs(C.sqlite_url(data)))))
    task = C.Task(title="Leak check", n=15, n_val=25, n_test=300, cooldown=0.0)
    made = store.create(task)
    ann = store.join(made.code, "Ann")
    for q in ANN:
        store.submit(made.code, ann, q)
    tests = [p.test for p in store.results(made.code, made.secret).points]
    bob = store.join(made.code, "Bob")
    leaks = _secrets_of(task, tests)

    async def play() -> tuple[bytes, bytes]:
        sess = Session("")
        with Server(tmp_path / "server.log", env={"PLAYGROUND_DATA_DIR": str(data)}) as srv:
            sess.ws_url = srv.ws_url
            await sess.connect()
            await _payload(sess, "", "")  # the first run lists the pages
            query = f"join={made.code}&me={bob}"
            before = await _payload(sess, query, "challenge")
            before += await _payload(sess, query, "challenge")  # a rerun, as the student's next click
            store.reveal(made.code, made.secret)
            after = await _payload(sess, query, "challenge")
            await sess.close()
        return before, after

    before, after = run_coro(play())
    assert b"Bob" in before and b"Ann" in before, "the student's page and the leaderboard were not received"
    for q in ANN:
        assert q.encode() not in before, f"another student's settings reached the browser: {q}"
    found = [s for s in leaks if s in before]
    assert not found, f"hidden test data reached the browser before the reveal: {found[:3]}"
    # the same search finds the test errors once they are public: it can fail
    assert any(repr(v).encode() in after for v in tests), "the revealed chart carries every test error"


def test_a_server_restart_mid_challenge_loses_nothing(tmp_path: Path) -> None:
    """A student submits through the page, the server process stops and a new one starts: all is still there."""
    data = tmp_path / "data"
    url = C.sqlite_url(data)
    store = C.Store(C.prepare(sa.create_engine(url, **C.engine_kwargs(url))))
    made = store.create(C.Task(title="Restart", n=15, n_val=25, n_test=300, cooldown=0.0))
    bob = store.join(made.code, "Bob")
    query = f"join={made.code}&me={bob}"

    async def once(click: bool) -> bytes:
        sess = Session("")
        with Server(tmp_path / "server.log", env={"PLAYGROUND_DATA_DIR": str(data)}) as srv:
            sess.ws_url = srv.ws_url
            await sess.connect()
            await _payload(sess, "", "")
            out = await _payload(sess, query, "challenge")
            if click:
                for _ in range(2):
                    out += await _payload(sess, query, "challenge", click="ch_submit")
            await sess.close()
        return out

    first = run_coro(once(click=True))
    assert b"Submitted" in first
    subs = store.mine(made.code, bob)
    assert [m.seq for m in subs] == [1, 2]
    second = run_coro(once(click=False))  # a new server process on the same database
    assert b"My submissions (2 of 10)" in second and b"Bob" in second
    assert store.mine(made.code, bob) == subs


def test_secrets_toml_points_the_server_at_its_database(tmp_path: Path) -> None:
    """[connections.challenge] in a secrets file wins over the embedded default (as Community Cloud's secrets do)."""
    url = C.sqlite_url(tmp_path / "from-secrets")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[connections.challenge]\nurl = "{url}"\n', encoding="utf-8")
    store = C.Store(C.prepare(sa.create_engine(url, **C.engine_kwargs(url))))
    made = store.create(C.Task(title="Secrets", n=15, n_val=25, n_test=300))
    bob = store.join(made.code, "Bob")
    default = tmp_path / "default"

    async def play() -> bytes:
        sess = Session("")
        env = {"PLAYGROUND_DATA_DIR": str(default)}
        with Server(tmp_path / "server.log", "--secrets.files", str(secrets), env=env) as srv:
            sess.ws_url = srv.ws_url
            await sess.connect()
            await _payload(sess, "", "")
            out = await _payload(sess, f"join={made.code}&me={bob}", "challenge")
            await sess.close()
        return out

    page = run_coro(play())
    assert b"Playing as Bob" in page, "the server did not read the challenge from the database in secrets"
    assert not default.exists(), "the embedded default was opened despite the secrets"
