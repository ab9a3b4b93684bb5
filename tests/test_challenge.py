"""Class challenge storage and logic, on SQLite and on a real PostgreSQL server (a throwaway cluster).

PostgreSQL comes from Debian's `postgresql` package (initdb and pg_ctl). Where it is missing the PostgreSQL
tests skip loudly; with PLAYGROUND_REQUIRE_POSTGRES=1 (CI, .ci/run) they fail instead.
"""

from __future__ import annotations

import glob
import hmac
import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from playground import challenge as C
from playground.challenge import ChallengeError, Forbidden, Store, Task, Unavailable
from tests.st_client import HOST, free_port

REQUIRE_POSTGRES = "PLAYGROUND_REQUIRE_POSTGRES"
SECONDS = float(os.environ.get("PLAYGROUND_CHALLENGE_SECONDS", "8"))  # the concurrency run (60 for the full minute)
STUDENTS = 60


# --- a throwaway PostgreSQL cluster -----------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    return Path(dirs[-1]) if dirs and (Path(dirs[-1]) / "initdb").exists() else None


def _missing_postgres(why: str) -> None:
    msg = f"POSTGRESQL TESTS NOT RUN: {why}. Install it (apt-get install postgresql); .ci/run does."
    if os.environ.get(REQUIRE_POSTGRES) == "1":
        pytest.fail(f"{msg} ({REQUIRE_POSTGRES}=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(msg)


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--", *cmd] if runuser else ["su", "postgres", "-c", " ".join(cmd)]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a fresh PostgreSQL cluster on a free loopback port (stopped and deleted at the end)."""
    bindir = _pg_bin()
    if bindir is None:
        _missing_postgres("no initdb/pg_ctl found")
    root = Path(tempfile.mkdtemp(prefix="pg-challenge-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(root, "postgres")
        except (LookupError, PermissionError) as e:
            _missing_postgres(f"no postgres user to run the server as ({e})")
    port = free_port()
    db = root / "db"
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(db), "-U", "postgres", "-A", "trust", "--no-sync"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = f"-p {port} -k {root} -c listen_addresses={HOST} -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(db), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError) as e:
        shutil.rmtree(root, ignore_errors=True)
        _missing_postgres(f"the server did not start ({e})")
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(db), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def _pg_database(server: str) -> str:
    """A fresh database on the server, so every test starts from an empty schema."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))  # a generated name, never user input
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


def _engine(url: str) -> sa.Engine:
    kw = C.engine_kwargs(url)
    kw |= {"pool_size": 20, "max_overflow": 70}  # 60 students and a reader at once
    return C.prepare(sa.create_engine(url, **kw))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL of each backend, empty."""
    if request.param == "sqlite":
        return C.sqlite_url(tmp_path / "data")
    return _pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture()
def engine(url: str) -> Iterator[sa.Engine]:
    eng = _engine(url)
    yield eng
    eng.dispose()


class Clock:
    """A settable clock for cooldowns and end times."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


TASK = Task(title="Week 3", n=15, noise=0.3, seed=11, n_val=25, n_test=500, cooldown=0.0, max_submissions=200)


# --- data ----------------------------------------------------------------------------------------------------


def test_sets_are_deterministic_and_from_one_distribution() -> None:
    d1, d2 = C.public_data(TASK), C.public_data(Task(**{**TASK.__dict__, "title": "other"}))
    assert np.array_equal(d1.x.numpy(), d2.x.numpy()) and np.array_equal(d1.y_val.numpy(), d2.y_val.numpy())
    xt, yt = C.hidden_test(TASK)
    assert len(xt) == TASK.n_test and len(d1.x_val) == TASK.n_val and len(d1.x) == TASK.n
    x = xt.numpy()
    assert x.min() >= -1 and x.max() <= 1
    assert not set(x.tolist()) & set(d1.x_val.numpy().tolist()), "the test points are their own draw"
    resid = yt.numpy() - np.sin(1.5 * np.pi * x)  # the sine truth, written out independently
    assert abs(resid.std() / TASK.noise - 1) < 0.15  # 500 points: the sample std is within ~3% (5 sigma: 15%)
    other = C.hidden_test(Task(**{**TASK.__dict__, "seed": 12}))
    assert not np.array_equal(other[0].numpy(), x)


def test_server_scores_match_numpy_legendre_least_squares() -> None:
    """Train, validation and test MSE of a polynomial against numpy's Legendre least squares."""
    d = C.public_data(TASK)
    xt, yt = C.hidden_test(TASK)
    for degree in (1, 4, 9):
        ms, ts, _ = C.parse_submission(TASK, f"degree={degree}")
        tr, va, te = C.evaluate(TASK, ms, ts)
        c = np.polynomial.legendre.legfit(d.x.numpy(), d.y.numpy(), degree)

        def mse(x, y, c=c):
            return float(np.mean((np.polynomial.legendre.legval(x.numpy(), c) - y.numpy()) ** 2))

        assert tr == pytest.approx(mse(d.x, d.y), rel=1e-8, abs=1e-12)
        assert va == pytest.approx(mse(d.x_val, d.y_val), rel=1e-8)
        assert te == pytest.approx(mse(xt, yt), rel=1e-8)


# --- codes, names, crafted inputs ---------------------------------------------------------------------------


def test_join_codes_have_enough_entropy_and_no_ambiguous_characters() -> None:
    assert math.log2(len(C.ALPHABET)) * C.CODE_LEN > 39
    assert not set(C.ALPHABET) & set("01OIL")
    codes = [C.new_code() for _ in range(3000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == C.CODE_LEN and set(c) <= set(C.ALPHABET) for c in codes)
    counts = Counter("".join(codes))  # 24000 draws over 31 characters: each ~774, none missing or dominant
    assert set(counts) == set(C.ALPHABET) and max(counts.values()) < 2 * min(counts.values())
    assert C.normal_code(" abcd-2345 ") == "ABCD2345"
    for bad in ("ABCD234", "ABCD23450", "ABCD-O345", "' OR 1=1 --", "", None, 12345678, "A" * 100):
        assert C.normal_code(bad) is None


def test_join_attempts_are_rate_limited_per_session_and_failures_overall() -> None:
    clock = Clock(0.0)
    g = C.JoinGuard(per_session=5, failures=20, per=60.0, clock=clock)
    for _ in range(5):
        g.attempt("s1")
    with pytest.raises(ChallengeError, match="Too many attempts"):
        g.attempt("s1")
    g.attempt("s2")  # another session has its own allowance
    clock.t = 61.0
    g.attempt("s1")  # the window moved on
    for _ in range(20):
        g.failed()
    with pytest.raises(ChallengeError, match="Too many attempts"):
        g.attempt("s3")  # 20 wrong codes this minute, from any session: nobody may guess more
    clock.t = 122.0
    g.attempt("s3")


@pytest.mark.parametrize("name", ["Ann", "李雷", "José María", "O'Brien", "Zoë-2", "  spaced   out  "])
def test_plain_names_are_accepted(name: str) -> None:
    assert C.clean_name(name) == " ".join(name.split())


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "x" * 25,
        "<b>Ann</b>",
        "<script>alert(1)</script>",
        "[click](http://evil)",
        "**bold**",
        "Ann\x00",
        "Ann\u202e",
        "=1+1",
        "Ann\nBob",
        "---",
        None,
        42,
    ],
)
def test_names_that_could_render_or_break_are_refused(name: object) -> None:
    with pytest.raises(ChallengeError):
        C.clean_name(name)


@pytest.mark.parametrize(
    "query",
    [
        "n=5",  # the data are the teacher's
        "seed=3",
        "degree=25",  # above the task's degree_max (20)
        "family=mlp",  # not allowed by TASK
        "degree=3&degree=4",
        "degree=abc",
        "degree=3.5",
        "device=cuda",
        "degree=5;drop table",
        "x" * 2000,
        "&&&",
    ],
)
def test_crafted_settings_are_refused(query: str) -> None:
    with pytest.raises(ChallengeError):
        C.parse_submission(TASK, query)


def test_settings_are_stored_in_canonical_form() -> None:
    assert C.parse_submission(TASK, "ridge=0.01&degree=5")[2] == "degree=5&ridge=0.01"
    assert C.parse_submission(TASK, "")[2] == ""
    mlp = Task(**{**TASK.__dict__, "families": ("poly", "mlp")})
    ms, ts, q = C.parse_submission(mlp, "family=mlp&width=8&epochs=50")
    assert (ms.family, ms.width, ts.epochs, ts.device) == ("mlp", 8, 50, "cpu")
    assert "device" not in q and "family=mlp" in q
    with pytest.raises(ChallengeError):
        C.parse_submission(mlp, "family=mlp&width=128")  # above width_max (64)


def test_csv_cells_never_start_a_formula() -> None:
    assert C._inert_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and C._inert_cell("-1") == "'-1"
    assert C._inert_cell("Ann") == "Ann" and C._inert_cell(1.5) == 1.5


def test_a_task_out_of_range_is_refused(engine: sa.Engine) -> None:
    s = Store(engine)
    for bad in ({"n": 1}, {"n_test": 10**6}, {"families": ()}, {"families": ("svm",)}, {"noise": float("nan")}):
        with pytest.raises(ChallengeError):
            s.create(Task(**{**TASK.__dict__, **bad}))
    with pytest.raises(ChallengeError):
        s.create(Task(title="<i>x</i>"))
    with pytest.raises(ChallengeError):
        s.create(Task(ends_at=time.time() - 10))


# --- teacher actions ------------------------------------------------------------------------------------------


def test_every_teacher_action_needs_the_secret(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(engine)
    a, b = s.create(TASK), s.create(TASK)
    tok = s.join(a.code, "Ann")
    sub = s.submit(a.code, tok, "degree=4")
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(C.hmac, "compare_digest", lambda x, y: compared.append(1) or real(x, y))
    actions = {
        "teacher": lambda k: s.teacher(a.code, k),
        "close": lambda k: s.close(a.code, k),
        "reopen": lambda k: s.reopen(a.code, k),
        "reveal": lambda k: s.reveal(a.code, k),
        "remove": lambda k: s.remove(a.code, k, sub.id),
        "delete": lambda k: s.delete(a.code, k),
        "export": lambda k: s.export_csv(a.code, k),
        "all": lambda k: s.all_submissions(a.code, k),
        "results": lambda k: s.results(a.code, k),
    }
    for name, act in actions.items():
        for key in (None, "", b.secret, a.secret[:-1], a.secret + "x", a.secret.upper(), 123, "x" * 500):
            compared.clear()
            with pytest.raises(Forbidden):
                act(key)
            if isinstance(key, str) and len(key) < 200:  # a longer one is refused before hashing
                assert compared, f"{name}: the secret was not compared in constant time"
    assert s.find(a.code).status == C.OPEN and s.leaderboard(a.code)[0].submissions == 1  # nothing changed
    s.remove(b.code, b.secret, sub.id)  # b's teacher aims at a's submission id: it is not b's, nothing happens
    assert s.leaderboard(a.code)[0].submissions == 1
    with engine.connect() as conn:  # the database holds only a hash of the secret
        assert all(a.secret not in str(v) for row in conn.execute(sa.select(C.challenges)) for v in row)
    s.remove(a.code, a.secret, sub.id)
    assert s.leaderboard(a.code) == []


def test_test_errors_stay_hidden_until_the_reveal(engine: sa.Engine) -> None:
    s = Store(engine)
    a = s.create(TASK)
    tok = s.join(a.code, "Ann")
    s.submit(a.code, tok, "degree=12")
    assert all(r.test is None for r in s.leaderboard(a.code))
    assert all(m.test is None for m in s.mine(a.code, tok))
    with pytest.raises(Forbidden):
        s.results(a.code)
    assert s.results(a.code, a.secret).rows[0].test is not None  # the teacher may look
    s.reveal(a.code, a.secret)
    assert s.results(a.code).rows[0].test is not None
    assert s.mine(a.code, tok)[0].test is not None
    with pytest.raises(ChallengeError, match="closed"):
        s.submit(a.code, tok, "degree=3")
    with pytest.raises(ChallengeError, match="over"):
        s.reopen(a.code, a.secret)


def test_rules_limits_and_bad_input(engine: sa.Engine) -> None:
    clock = Clock()
    s = Store(engine, clock=clock)
    a = s.create(Task(**{**TASK.__dict__, "max_submissions": 2, "cooldown": 30.0, "ends_at": clock.t + 3600}))
    tok = s.join(a.code, "Ann")
    with pytest.raises(ChallengeError, match="already uses"):
        s.join(a.code, "  ANN ")
    with pytest.raises(ChallengeError, match="No challenge"):
        s.join("ZZZZZZZZ", "Bob")
    with pytest.raises(ChallengeError, match="Join"):
        s.submit(a.code, "forged-token", "degree=3")
    s.submit(a.code, tok, "degree=3")
    with pytest.raises(ChallengeError, match="Wait 30 s"):
        s.submit(a.code, tok, "degree=4")
    clock.t += 31
    s.submit(a.code, tok, "degree=4")
    clock.t += 31
    with pytest.raises(ChallengeError, match="all 2"):
        s.submit(a.code, tok, "degree=5")
    bob = s.join(a.code, "Bob")
    s.close(a.code, a.secret)
    with pytest.raises(ChallengeError, match="closed"):
        s.submit(a.code, bob, "degree=3")
    s.reopen(a.code, a.secret)
    s.submit(a.code, bob, "degree=3")
    clock.t += 3600  # past the end time
    with pytest.raises(ChallengeError, match="closed"):
        s.submit(a.code, bob, "degree=3")
    assert sorted(r.submissions for r in s.leaderboard(a.code)) == [1, 2]
    ch, rows, joined = s.board(a.code)
    assert (ch.code, rows, joined) == (a.code, s.leaderboard(a.code), 2) and s.counts(a.code) == (2, 3)


def test_reveal_reranks_by_test_error_with_rank_changes(engine: sa.Engine) -> None:
    s = Store(engine)
    a = s.create(TASK)
    subs = {}
    for name, degrees in {"Ann": [2, 3], "Bob": [12, 14, 16, 9], "Cy": [5], "Di": [1]}.items():
        tok = s.join(a.code, name)
        subs[name] = [s.submit(a.code, tok, f"degree={d}") for d in degrees]
    s.reveal(a.code, a.secret)
    res = s.results(a.code)
    every = s.all_submissions(a.code, a.secret)
    best = {}  # by a plain loop: each student's lowest validation error (earliest on ties), then both rankings
    for x in every:
        if x.name not in best or x.val < best[x.name].val:
            best[x.name] = x
    by_val = sorted(best, key=lambda n: (best[n].val, best[n].id))
    by_test = sorted(best, key=lambda n: (best[n].test, best[n].id))
    assert [r.name for r in res.rows] == by_val
    for r in res.rows:
        assert r.rank == by_val.index(r.name) + 1 and r.test_rank == by_test.index(r.name) + 1
        assert r.change == r.rank - r.test_rank and r.test == best[r.name].test
        assert r.submissions == len(subs[r.name])
    assert len(res.points) == sum(len(v) for v in subs.values())


def test_delete_and_export(engine: sa.Engine) -> None:
    s = Store(engine)
    a, b = s.create(TASK), s.create(TASK)
    for ch in (a, b):
        tok = s.join(ch.code, "Ann")
        s.submit(ch.code, tok, "degree=3")
        s.submit(ch.code, tok, "degree=6&ridge=0.1")
    text = s.export_csv(a.code, a.secret)
    lines = text.strip().split("\n")
    assert lines[0].startswith("id,name,seq") and len(lines) == 3 and "degree=6&ridge=0.1" in text
    s.delete(a.code, a.secret)
    with pytest.raises(ChallengeError, match="No challenge"):
        s.find(a.code)
    with engine.connect() as conn:
        left = conn.execute(sa.select(C.submissions.c.challenge_id)).scalars().all()
    assert len(left) == 2 and s.leaderboard(b.code)[0].submissions == 2


# --- schema, restarts, an unavailable database ------------------------------------------------------------------


def _migrate_together(engines: list[sa.Engine]) -> list[BaseException]:
    """Each engine migrates in its own thread, all at once; the errors they raised."""
    errors: list[BaseException] = []

    def go(e: sa.Engine) -> None:
        try:
            C.migrate(e)
        except BaseException as ex:
            errors.append(ex)

    threads = [threading.Thread(target=go, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_migrations_apply_once_even_when_processes_start_together(url: str) -> None:
    engines = [_engine(url) for _ in range(4)]
    errors = _migrate_together(engines)
    assert not errors, errors
    with engines[0].connect() as conn:
        versions = conn.execute(sa.select(C.version_table.c.version)).scalars().all()
    assert sorted(versions) == [v for v, _ in C.MIGRATIONS]
    assert "ix_submissions_board" in {i["name"] for i in sa.inspect(engines[0]).get_indexes("submissions")}
    for e in engines:
        e.dispose()


def test_many_new_sqlite_files_opened_together_all_migrate(tmp_path: Path) -> None:
    # Switching a new file to WAL answered "locked" without waiting in ~7% of 4-way races (CI saw it once).
    for i in range(40):
        url = C.sqlite_url(tmp_path / str(i))
        engines = [C.prepare(sa.create_engine(url, **C.engine_kwargs(url))) for _ in range(4)]
        errors = _migrate_together(engines)
        for e in engines:
            e.dispose()
        assert not errors, (i, errors)


def test_wal_switch_retries_locked_and_raises_anything_else() -> None:
    import sqlite3

    class Cur:
        def __init__(self, fails: list[str]) -> None:
            self.fails, self.calls = fails, 0

        def execute(self, sql: str) -> None:
            self.calls += 1
            if self.fails:
                raise sqlite3.OperationalError(self.fails.pop(0))

    cur = Cur(["database is locked", "database is locked"])
    C._wal(cur)
    assert cur.calls == 3
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        C._wal(Cur(["disk I/O error"]))
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        C._wal(Cur(["database is locked"] * 3), tries=3)


def test_an_old_schema_is_migrated_forward(url: str) -> None:
    eng = _engine(url)
    with eng.begin() as conn:  # a database made by version 1 of the app
        C.version_table.create(conn)
        C._v1(conn)
        conn.execute(C.version_table.insert().values(version=1, applied_at=0.0))
    assert "ix_submissions_board" not in {i["name"] for i in sa.inspect(eng).get_indexes("submissions")}
    Store(eng)
    assert "ix_submissions_board" in {i["name"] for i in sa.inspect(eng).get_indexes("submissions")}
    eng.dispose()


def test_nothing_is_lost_across_an_engine_restart(url: str) -> None:
    eng = _engine(url)
    s = Store(eng)
    a = s.create(TASK)
    toks = {n: s.join(a.code, n) for n in ("Ann", "Bob", "Cy")}
    for i, (_n, tok) in enumerate(toks.items()):
        s.submit(a.code, tok, f"degree={3 + i}")
    board, csv_text = s.leaderboard(a.code), s.export_csv(a.code, a.secret)
    eng.dispose()  # the server process goes away
    eng2 = _engine(url)
    s2 = Store(eng2)  # a new process: migrates (nothing to do) and reads the same rows
    assert s2.leaderboard(a.code) == board and s2.export_csv(a.code, a.secret) == csv_text
    assert s2.student_name(a.code, toks["Bob"]) == "Bob"
    s2.submit(a.code, toks["Bob"], "degree=8")  # the students' sessions carry on
    assert sum(r.submissions for r in s2.leaderboard(a.code)) == 4
    eng2.dispose()


def test_an_unreachable_database_is_a_clear_error() -> None:
    dead = sa.create_engine(
        f"postgresql+psycopg://postgres@{HOST}:{free_port()}/x", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(Unavailable, match="not available"):
        Store(dead)


# --- 60 students at once -----------------------------------------------------------------------------------------


def _hammer(url: str, seconds: float) -> dict[str, float]:
    """60 students (one thread each, and a second tab for ten of them) submit for `seconds`; a reader polls."""
    eng = _engine(url)
    s = Store(eng)
    a = s.create(TASK)
    toks = [s.join(a.code, f"Student {i}") for i in range(STUDENTS)]
    done: dict[int, list[tuple[int, float]]] = defaultdict(list)  # student -> (submission id, val) returned
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    seen_totals: list[int] = []

    def student(i: int, tab: int) -> None:
        rng = np.random.default_rng(1000 * tab + i)
        try:
            while time.monotonic() < stop:
                sub = s.submit(a.code, toks[i], f"degree={int(rng.integers(0, 16))}")
                with lock:
                    done[i].append((sub.id, sub.val))
        except ChallengeError as e:
            if "used all" not in str(e):  # a fast machine may reach the task's limit: that refusal is the rule
                refused.append(str(e) + repr(e.__cause__))
        except BaseException as e:
            errors.append(e)

    def reader() -> None:
        try:
            while time.monotonic() < stop:
                rows = s.leaderboard(a.code)
                assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
                assert all(rows[k].val <= rows[k + 1].val for k in range(len(rows) - 1))
                seen_totals.append(sum(r.submissions for r in rows))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=student, args=(i, 0)) for i in range(STUDENTS)]
    threads += [threading.Thread(target=student, args=(i, 1)) for i in range(10)]  # two tabs race on one seq
    threads.append(threading.Thread(target=reader))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    assert not errors, errors[:3]
    assert not refused, refused[:3]
    stored = s.all_submissions(a.code, a.secret)
    ids = [x.id for x in stored]
    returned = [sid for subs in done.values() for sid, _ in subs]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(returned), "a submission lost or duplicated"
    per: dict[str, list[int]] = defaultdict(list)
    for x in stored:
        per[x.name].append(x.seq)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in per.values()), "seq numbers not 1..k"
    board = {r.name: r for r in s.leaderboard(a.code)}
    for i, subs in done.items():
        r = board[f"Student {i}"]
        assert r.submissions == len(subs) and r.val == min(v for _, v in subs)
    assert seen_totals == sorted(seen_totals), "the leaderboard went back in time"
    assert len(board) == STUDENTS and min(len(v) for v in done.values()) >= 1
    eng.dispose()
    return {"submissions": len(ids), "wall_s": wall, "per_s": len(ids) / wall, "reads": len(seen_totals)}


def test_sixty_students_submitting_at_once(url: str) -> None:
    stats = _hammer(url, SECONDS)
    print(f"\n{url.split(':')[0]}: {stats}")


def test_a_racing_student_cannot_exceed_the_limit(url: str) -> None:
    eng = _engine(url)
    s = Store(eng)
    a = s.create(Task(**{**TASK.__dict__, "max_submissions": 3}))
    tok = s.join(a.code, "Ann")
    out: list[str] = []

    def tab() -> None:
        try:
            s.submit(a.code, tok, "degree=3")
            out.append("ok")
        except ChallengeError as e:
            out.append(str(e))

    threads = [threading.Thread(target=tab) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out.count("ok") == 3 and len(s.all_submissions(a.code, a.secret)) == 3, out
    eng.dispose()


# --- the reveal's figures --------------------------------------------------------------------------------------


def test_reveal_figures_are_valid_and_drop_what_a_log_axis_cannot_show() -> None:
    import plotly.graph_objects as go

    from playground.figures.challenge import gap_figure, val_test_figure

    lab = {"all": "a", "chosen": "c", "equal": "e", "val": "v", "test": "t"}
    val = [0.2, 0.3, math.inf, 5.0, 0.25]
    test = [0.4, 0.2, 1.0, 1e6, math.nan]
    fig = val_test_figure(val, test, ["A", "A", "B", "C", "D"], [True, False, False, True, True], "T", lab)
    go.Figure(fig.to_dict())  # full validation: raises on any invalid property
    others, chosen, diag = fig.data
    assert list(others.x) == [0.3] and list(others.y) == [0.2]  # B (inf) and D (nan) are off a log axis
    assert list(chosen.x) == [0.2, 5.0] and list(chosen.text) == ["A", "C"]
    assert list(diag.x) == [0.2, 1e6] == list(diag.y)
    lay = fig.to_dict()["layout"]
    assert lay["xaxis"]["ticktext"] == lay["yaxis"]["ticktext"] and "10⁶" in lay["yaxis"]["ticktext"]
    gap = gap_figure(
        [1, 4, 2], [0.1, math.inf, -0.05], ["A", "B", "C"], "G", {"students": "s", "count": "n", "gap": "g"}
    )
    go.Figure(gap.to_dict())
    assert list(gap.data[0].x) == [1, 2] and list(gap.data[0].y) == [0.1, -0.05]
