"""Class challenge: students tune models on a public validation set; a hidden test set decides at the reveal.

The logic and its storage live here, behind `Store` (SQLAlchemy Core over an Engine the caller passes in: a
SQLite file or PostgreSQL); the UI only calls it. Every query is built with SQLAlchemy Core, so every value
reaches the database as a bound parameter.

Schema changes are a short list of numbered steps (MIGRATIONS) recorded in a `schema_version` table and applied
by `migrate` when the app opens the database, under a lock (PostgreSQL advisory lock, SQLite BEGIN IMMEDIATE) so
two server processes starting together apply each step once. Alembic would add a dependency, an ini file and a
migrations folder for three tables whose whole history fits in a few lines; the app must also migrate itself on
start (Community Cloud runs no separate deploy step), which the table does in one function.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import secrets
import sqlite3
import threading
import time
import unicodedata
import weakref
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

import numpy as np
import sqlalchemy as sa
import torch
from sqlalchemy.engine import Connection, Engine

from .data import Dataset, make_data
from .io import Text
from .settings import TRUTHS, DataSettings, ModelSettings, TrainSettings, coerce, fit_refusal, to_raw
from .train import fit

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector without mistakes
CODE_LEN = 8  # 31^8 ≈ 8.5e11 codes (39.6 bits): guessing one takes ~4e9 tries per live challenge
NAME_MAX = 24
TITLE_MAX = 60
QUERY_MAX = 1000  # a submission's settings as a query string: a few hundred characters at most
NAME_PUNCT = " -'."  # besides letters, digits and combining marks
TITLE_PUNCT = NAME_PUNCT + ",:!?()"
OPEN, CLOSED, REVEALED = "open", "closed", "revealed"
MODEL_KEYS = frozenset(ModelSettings.specs()) | frozenset(TrainSettings.specs())


class ChallengeError(Exception):
    """A request the challenge refuses: `text` is the sentence for the user (the UI translates its template)."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


class Forbidden(ChallengeError):
    """A teacher action without the right secret."""


class Unavailable(ChallengeError):
    """The database cannot be reached."""


def _forbidden() -> Forbidden:
    return Forbidden(Text("This link does not carry the teacher key of this challenge."))


# --- the task ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """What the teacher sets: the data (a Fit data set), what students may tune, and the rules."""

    title: str = ""
    truth: str = "sine"
    n: int = 20  # training points
    noise: float = 0.3
    seed: int = 0
    x_mode: str = "uniform"
    n_val: int = 30  # public validation points: few, so that tuning on them overfits them
    n_test: int = 1000  # hidden test points
    families: tuple[str, ...] = ("poly",)
    degree_max: int = 20
    layers_max: int = 2
    width_max: int = 64
    epochs_max: int = 500
    max_submissions: int = 10
    cooldown: float = 3.0  # seconds between two submissions of one student
    ends_at: float | None = None  # epoch seconds; None: open until the teacher closes it

    def data_settings(self) -> DataSettings:
        """The Fit data set of the training and public validation points."""
        return DataSettings(
            truth=self.truth, n=self.n, noise=self.noise, n_val=self.n_val, x_mode=self.x_mode, seed=self.seed
        )

    def to_json(self) -> str:
        """The task as stored."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Task:
        """The task back from storage."""
        d = json.loads(raw)
        d["families"] = tuple(d["families"])
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


BOUNDS: dict[str, tuple[float, float]] = {
    "n": (2, 500),
    "noise": (0.0, 2.0),
    "seed": (0, 2**31 - 1),
    "n_val": (10, 2000),
    "n_test": (100, 2000),
    "degree_max": (0, 30),
    "layers_max": (1, 4),
    "width_max": (1, 256),
    "epochs_max": (1, 5000),
    "max_submissions": (1, 200),
    "cooldown": (0.0, 3600.0),
}


def check_task(task: Task, now: float) -> Task:
    """The task with a checked title, or ChallengeError saying which value is out of range."""
    for name, (lo, hi) in BOUNDS.items():
        v = getattr(task, name)
        whole = isinstance(lo, int)
        if isinstance(v, bool) or not isinstance(v, int | float) or (whole and not isinstance(v, int)):
            raise ChallengeError(Text("{name} must be a number.", {"name": name}))
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ChallengeError(Text("{name} must be between {lo} and {hi}.", {"name": name, "lo": lo, "hi": hi}))
    if task.truth not in TRUTHS or task.x_mode not in ("uniform", "grid"):
        raise ChallengeError(Text("Unknown data set."))
    if not task.families or any(f not in ("poly", "mlp") for f in task.families):
        raise ChallengeError(Text("Allow at least one model family (polynomial or network)."))
    if task.ends_at is not None and not (isinstance(task.ends_at, int | float) and task.ends_at > now):
        raise ChallengeError(Text("The end time must be in the future."))
    title = clean_text(task.title, TITLE_MAX, TITLE_PUNCT, allow_empty=True)
    return Task(**{**asdict(task), "title": title, "families": tuple(dict.fromkeys(task.families))})


def _test_seed(seed: int) -> int:
    """The hidden test set's seed: derived from the task's seed, not guessable from the public data's stream."""
    return int(np.random.SeedSequence([seed, 0x7E57]).generate_state(1)[0]) % (2**31 - 1)


@lru_cache(maxsize=64)
def public_data(task: Task) -> Dataset:
    """The training and public validation points (the same for every student: deterministic in the task's seed)."""
    return make_data(task.data_settings())


@lru_cache(maxsize=64)
def hidden_test(task: Task) -> tuple[torch.Tensor, torch.Tensor]:
    """The hidden test points: the same truth, noise and x distribution, drawn with a seed of their own."""
    d = make_data(DataSettings(truth=task.truth, n=2, noise=task.noise, n_val=task.n_test, seed=_test_seed(task.seed)))
    return d.x_val, d.y_val  # validation x are uniform on the domain, as public validation points are


# --- settings of a submission --------------------------------------------------------------------------------


def parse_submission(task: Task, query: str) -> tuple[ModelSettings, TrainSettings, str]:
    """A submission's settings from its query string: (model, training, canonical query), or ChallengeError.

    Only model and training keys are accepted, each once and inside the task's bounds: a crafted link cannot
    change the data, pick a device or slip in a value the sliders would not allow.
    """
    if not isinstance(query, str) or len(query) > QUERY_MAX:
        raise ChallengeError(Text("These settings cannot be submitted."))
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query), max_num_fields=40)
    except ValueError:
        raise ChallengeError(Text("These settings cannot be submitted.")) from None
    raw = dict(pairs)
    if len(raw) != len(pairs) or not set(raw) <= MODEL_KEYS - {"device"}:
        raise ChallengeError(Text("These settings cannot be submitted."))
    ms, notes_m = coerce(ModelSettings, raw)
    ts, notes_t = coerce(TrainSettings, raw)
    if notes_m or notes_t:
        raise ChallengeError(Text("These settings cannot be submitted."))
    if ms.family not in task.families:
        raise ChallengeError(Text("This challenge does not allow this model family."))
    limits = (
        [("degree", ms.degree, task.degree_max)]
        if ms.family == "poly"
        else [
            ("layers", ms.layers, task.layers_max),
            ("width", ms.width, task.width_max),
            ("epochs", ts.epochs, task.epochs_max),
        ]
    )
    for name, v, most in limits:
        if v > most:
            raise ChallengeError(Text("This challenge allows {name} up to {most}.", {"name": name, "most": most}))
    ts = ts.changed(device="cpu")  # the server's numbers: the same on every machine
    if ms.family == "mlp" and fit_refusal(task.n, task.n_val, 1, ms, ts) is not None:
        raise ChallengeError(Text("Too much training for one submission: use a smaller network or fewer epochs."))
    keep = to_raw(ms) if ms.family == "poly" else {**to_raw(ms), **to_raw(ts)}
    if ms.family == "poly":
        keep = {k: v for k, v in keep.items() if k in ("family", "degree", "ridge")}
    keep.pop("device", None)
    return ms, ts, urlencode(sorted(keep.items()))


def evaluate(task: Task, ms: ModelSettings, ts: TrainSettings) -> tuple[float, float, float]:
    """Train, validation and hidden test MSE of one submission, computed on the server."""
    d = public_data(task)
    r = fit(d, ms, ts, device="cpu")
    xt, yt = hidden_test(task)
    test = float(np.mean((r.predict(xt) - yt.numpy()) ** 2))
    return float(r.train_metric), float(r.val_metric), test


# --- names, codes, secrets ------------------------------------------------------------------------------------


def clean_text(raw: object, most: int, punct: str, allow_empty: bool = False) -> str:
    """A display name or title: NFKC, spaces collapsed, letters/digits/marks and a few punctuation marks only."""
    if not isinstance(raw, str):
        raise ChallengeError(Text("Use letters, digits and spaces only."))
    s = unicodedata.normalize("NFKC", raw)
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in s):
        raise ChallengeError(Text("Use letters, digits and spaces only."))  # control, format (bidi) or line breaks
    s = " ".join(s.split())
    if not s and allow_empty:
        return s
    if not 1 <= len(s) <= most:
        raise ChallengeError(Text("A name has 1 to {most} characters.", {"most": most}))
    for c in s:
        cat = unicodedata.category(c)
        if not (cat[0] in "LN" or cat in ("Mn", "Mc") or c in punct):
            raise ChallengeError(Text("Use letters, digits and spaces only."))
    if not any(unicodedata.category(c)[0] in "LN" for c in s):
        raise ChallengeError(Text("Use letters, digits and spaces only."))
    return s


def clean_name(raw: object) -> str:
    """A student's display name, checked (ChallengeError otherwise)."""
    return clean_text(raw, NAME_MAX, NAME_PUNCT)


def new_code() -> str:
    """A fresh join code: CODE_LEN characters of ALPHABET from the system's CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def normal_code(raw: object) -> str | None:
    """A typed code in canonical form (upper case, no spaces or dashes), or None when it cannot be a code."""
    if not isinstance(raw, str) or len(raw) > 3 * CODE_LEN:
        return None
    s = raw.strip().upper().replace("-", "").replace(" ", "")
    return s if len(s) == CODE_LEN and all(c in ALPHABET for c in s) else None


def show_code(code: str) -> str:
    """A code as the projector shows it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def _digest(secret: str) -> str:
    """SHA-256 of a random secret: the database never holds a secret that works.

    The secrets are 192 random bits (not passwords), so a slow password hash would add nothing.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def _same(secret: object, digest: str) -> bool:
    """Whether `secret` hashes to `digest`, compared in constant time."""
    return isinstance(secret, str) and len(secret) < 200 and hmac.compare_digest(_digest(secret), digest)


class RateLimit:
    """At most `attempts` events per key in any `per` seconds (a sliding window; thread-safe)."""

    def __init__(self, attempts: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.per, self.clock = attempts, per, clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _window(self, key: str) -> deque[float]:
        q, now = self._seen[key], self.clock()
        while q and q[0] <= now - self.per:
            q.popleft()
        return q

    def full(self, key: str) -> bool:
        """Whether `key` has used all its attempts in the current window (records nothing)."""
        with self._lock:
            return len(self._window(key)) >= self.attempts

    def allow(self, key: str) -> bool:
        """Record an attempt for `key`; False when it is over the limit (not recorded then)."""
        with self._lock:
            q = self._window(key)
            if len(q) >= self.attempts:
                return False
            q.append(self.clock())
            return True


# --- storage -------------------------------------------------------------------------------------------------

meta = sa.MetaData()
version_table = sa.Table(
    "schema_version",
    meta,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)
challenges = sa.Table(
    "challenges",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE_LEN), nullable=False, unique=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revealed_at", sa.Float),
)
students = sa.Table(
    "students",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("challenge_id", sa.Integer, sa.ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(NAME_MAX * 4), nullable=False),
    sa.Column("name_key", sa.String(NAME_MAX * 4), nullable=False),  # casefolded: "Ann" and "ann" are one name
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("joined_at", sa.Float, nullable=False),
    sa.UniqueConstraint("challenge_id", "name_key"),
)
submissions = sa.Table(
    "submissions",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("challenge_id", sa.Integer, sa.ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False),
    sa.Column("student_id", sa.Integer, sa.ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),  # 1, 2, ... per student: unique, so a race cannot exceed the limit
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("family", sa.String(8), nullable=False),
    sa.Column("train_err", sa.Float),  # NULL: not finite (a diverged network)
    sa.Column("val_err", sa.Float),
    sa.Column("test_err", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("student_id", "seq"),
)


def _v1(conn: Connection) -> None:
    meta.create_all(conn, tables=[challenges, students, submissions])


def _v2(conn: Connection) -> None:
    # the leaderboard reads one challenge's live submissions on every refresh of every student
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_submissions_board ON submissions (challenge_id, removed)"))


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [(1, _v1), (2, _v2)]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def sqlite_url(data_dir: str | Path) -> str:
    """The embedded default: a SQLite file in the data directory (created if missing)."""
    p = Path(data_dir)
    p.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(p / 'challenge.db').resolve()}"


def engine_kwargs(url: str) -> dict[str, Any]:
    """create_engine keyword arguments for a URL: SQLite waits for a busy file instead of failing at once."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _wal(cur: Any, tries: int = 100) -> None:
    """Switch a new SQLite file to WAL; retried, since SQLite answers "locked" without waiting when
    several processes open a brand-new file at once (its busy handler does not cover the switch)."""
    for i in range(tries):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or i == tries - 1:
                raise
            time.sleep(0.005 * (i + 1))  # ~25 s at most in all


def prepare(engine: Engine) -> Engine:
    """Set up an engine: SQLite in WAL mode (readers never wait for the writer), synchronous=NORMAL, foreign keys on."""
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            _wal(cur)
            # WAL + NORMAL: a commit survives the server process dying (the restart test); only a power cut may
            # lose the last commits. FULL fsyncs every commit: ~35 ms each here, the bulk of a submission.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        engine.dispose()  # connections opened before the listener would lack the pragmas
    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()
WRITE_WAIT_S = 60.0  # the longest a write waits for its turn before the page says the database is busy


def _writer_lock(engine: Engine) -> threading.Lock:
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(engine, threading.Lock())


@contextmanager
def _write(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it takes the write lock first (BEGIN IMMEDIATE), so its reads stay true.

    SQLite has one writer at a time and lets the others poll (its busy handler), which starved some of 60
    threads past the busy timeout under a minute of load; the threads of one process queue on a lock instead,
    and only writers of other processes poll.
    """
    lite = engine.dialect.name == "sqlite"
    lock = _writer_lock(engine) if lite else None
    if lock is not None and not lock.acquire(timeout=WRITE_WAIT_S):
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment."))
    try:
        with engine.begin() as conn:
            if lite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
    except sa.exc.OperationalError as e:
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment.")) from e
    finally:
        if lock is not None:
            lock.release()


@contextmanager
def _read(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.OperationalError as e:
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment.")) from e


def migrate(engine: Engine, now: Callable[[], float] = time.time) -> int:
    """Bring the schema to SCHEMA_VERSION (each step once, under a lock); returns the version."""
    with _write(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(715517)"))  # a fixed key: "the challenge schema"
        version_table.create(conn, checkfirst=True)
        done: set[int] = set(conn.scalars(sa.select(version_table.c.version)))
        for v, step in MIGRATIONS:
            if v not in done:
                step(conn)
                conn.execute(version_table.insert().values(version=v, applied_at=now()))
    return SCHEMA_VERSION


def _num(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _err(v: float | None) -> float:
    return math.inf if v is None else float(v)


@dataclass(frozen=True)
class Challenge:
    """What anyone with the join code may know of a challenge."""

    id: int
    code: str
    task: Task
    status: str
    created_at: float

    def accepting(self, now: float) -> bool:
        """Whether submissions are open at `now`."""
        return self.status == OPEN and (self.task.ends_at is None or now < self.task.ends_at)


@dataclass(frozen=True)
class Created:
    """A new challenge: its join code and the teacher's secret (shown once, never stored)."""

    code: str
    secret: str


@dataclass(frozen=True)
class Submission:
    """One submission as its owner (or, after the reveal, anyone) sees it."""

    id: int
    name: str
    seq: int
    query: str
    family: str
    train: float
    val: float
    test: float | None  # None until the reveal (or for the teacher)
    created_at: float
    removed: bool = False


class _Pick(NamedTuple):
    """The fields of a submission that the ranking reads."""

    id: int
    name: str
    val: float
    test: float | None


@dataclass(frozen=True)
class Row:
    """One student on the leaderboard: the submission with the best validation error counts."""

    rank: int
    name: str
    val: float
    submissions: int
    test: float | None = None  # after the reveal
    test_rank: int | None = None

    @property
    def change(self) -> int | None:
        """Places gained at the reveal (negative: fell)."""
        return None if self.test_rank is None else self.rank - self.test_rank


@dataclass
class Results:
    """The revealed leaderboard, every live submission and each student's number of submissions against the gap."""

    rows: list[Row]
    points: list[Submission] = field(default_factory=list)


class Store:
    """Challenges, students and submissions in one database (see the module docstring)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time, migrate_now: bool = True) -> None:
        self.engine, self.clock = engine, clock
        if migrate_now:
            migrate(engine, clock)

    # -- reading ----------------------------------------------------------------------------------------------

    def _row(self, conn: Connection, code: object, lock: str | None = None) -> Any:
        c = normal_code(code)
        if c is None:
            raise ChallengeError(Text("No challenge has this code. Check it on the projector."))
        q = sa.select(challenges).where(challenges.c.code == c)
        if lock:
            q = q.with_for_update(read=lock == "share")  # PostgreSQL row lock; SQLite holds the whole file already
        row = conn.execute(q).first()
        if row is None:
            raise ChallengeError(Text("No challenge has this code. Check it on the projector."))
        return row

    @staticmethod
    def _challenge(row: Any) -> Challenge:
        return Challenge(row.id, row.code, Task.from_json(row.task), row.status, row.created_at)

    def find(self, code: object) -> Challenge:
        """The challenge with this join code (ChallengeError when none)."""
        with _read(self.engine) as conn:
            return self._challenge(self._row(conn, code))

    def _teacher(self, conn: Connection, code: object, secret: object, lock: str | None = None) -> Any:
        row = self._row(conn, code, lock)
        if not _same(secret, row.teacher_hash):
            raise _forbidden()
        return row

    def teacher(self, code: object, secret: object) -> Challenge:
        """The challenge, for its teacher only (Forbidden otherwise)."""
        with _read(self.engine) as conn:
            return self._challenge(self._teacher(conn, code, secret))

    def _student(self, conn: Connection, ch_id: int, token: object, lock: bool = False) -> Any:
        if not isinstance(token, str) or len(token) > 200:
            raise ChallengeError(Text("Join the challenge first."))
        q = sa.select(students).where(students.c.token_hash == _digest(token), students.c.challenge_id == ch_id)
        row = conn.execute(q.with_for_update() if lock else q).first()
        if row is None:
            raise ChallengeError(Text("Join the challenge first."))
        return row

    def student_name(self, code: object, token: object) -> str:
        """The display name this token joined with."""
        with _read(self.engine) as conn:
            return self._student(conn, self._row(conn, code).id, token).name

    def _live(self, conn: Connection, ch_id: int) -> list[Any]:
        q = (
            sa.select(submissions, students.c.name)
            .join(students, students.c.id == submissions.c.student_id)
            .where(submissions.c.challenge_id == ch_id, submissions.c.removed == sa.false())
            .order_by(submissions.c.id)
        )
        return list(conn.execute(q))

    @staticmethod
    def _sub(r: Any, with_test: bool) -> Submission:
        return Submission(
            r.id,
            r.name,
            r.seq,
            r.query,
            r.family,
            _err(r.train_err),
            _err(r.val_err),
            _err(r.test_err) if with_test else None,
            r.created_at,
            bool(r.removed),
        )

    @staticmethod
    def _rank(subs: list[Submission] | list[_Pick]) -> list[Row]:
        """Each student's best submission by validation error (the earliest among equals), ranked."""
        best: dict[str, Submission | _Pick] = {}
        count: dict[str, int] = defaultdict(int)
        for s in subs:  # in id order: a later equal score does not replace the earlier one
            count[s.name] += 1
            if s.name not in best or s.val < best[s.name].val:
                best[s.name] = s
        by_val = sorted(best.values(), key=lambda s: (s.val, s.id))
        rows = [Row(i + 1, s.name, s.val, count[s.name], s.test) for i, s in enumerate(by_val)]
        if by_val and by_val[0].test is not None:
            by_test = sorted(by_val, key=lambda s: (s.test, s.id))
            place = {s.name: i + 1 for i, s in enumerate(by_test)}
            rows = [Row(r.rank, r.name, r.val, r.submissions, r.test, place[r.name]) for r in rows]
        return rows

    def leaderboard(self, code: object) -> list[Row]:
        """The public leaderboard: validation errors and submission counts, never a test error before the reveal."""
        with _read(self.engine) as conn:
            ch = self._row(conn, code)
            revealed = ch.status == REVEALED
            return self._rank([self._sub(r, revealed) for r in self._live(conn, ch.id)])

    def board(self, code: object) -> tuple[Challenge, list[Row], int]:
        """What the live leaderboard shows, in one read: the challenge, its public rows, how many students joined."""
        with _read(self.engine) as conn:
            row = self._row(conn, code)
            ch = self._challenge(row)
            q = (  # only what the ranking reads: a tick of 60 polling students must stay cheap
                sa.select(submissions.c.id, students.c.name, submissions.c.val_err, submissions.c.test_err)
                .join(students, students.c.id == submissions.c.student_id)
                .where(submissions.c.challenge_id == ch.id, submissions.c.removed == sa.false())
                .order_by(submissions.c.id)
            )
            shown = ch.status == REVEALED
            # the schema's types: through execute mypy loses the select's columns and unpacks rows to object
            picks: sa.CursorResult[int, str, float | None, float | None] = conn.execute(q)
            rows = self._rank([_Pick(i, n, _err(v), _err(t) if shown else None) for i, n, v, t in picks])
            joined = conn.scalar(
                sa.select(sa.func.count()).select_from(students).where(students.c.challenge_id == ch.id)
            )
        return ch, rows, int(joined or 0)

    def results(self, code: object, secret: object = None) -> Results:
        """The leaderboard re-ranked by test error, and every live submission: after the reveal, or for the teacher."""
        with _read(self.engine) as conn:
            ch = self._row(conn, code)
            if ch.status != REVEALED and not _same(secret, ch.teacher_hash):
                raise _forbidden()
            subs = [self._sub(r, True) for r in self._live(conn, ch.id)]
        return Results(self._rank(subs), subs)

    def mine(self, code: object, token: object) -> list[Submission]:
        """A student's own submissions (test errors only after the reveal)."""
        with _read(self.engine) as conn:
            ch = self._row(conn, code)
            me = self._student(conn, ch.id, token)
            q = (
                sa.select(submissions, students.c.name)
                .join(students, students.c.id == submissions.c.student_id)
                .where(submissions.c.student_id == me.id)
                .order_by(submissions.c.seq)
            )
            return [self._sub(r, ch.status == REVEALED) for r in conn.execute(q)]

    def all_submissions(self, code: object, secret: object) -> list[Submission]:
        """Every submission, removed ones too, with test errors: the teacher's view."""
        with _read(self.engine) as conn:
            ch = self._teacher(conn, code, secret)
            q = (
                sa.select(submissions, students.c.name)
                .join(students, students.c.id == submissions.c.student_id)
                .where(submissions.c.challenge_id == ch.id)
                .order_by(submissions.c.id)
            )
            return [self._sub(r, True) for r in conn.execute(q)]

    def counts(self, code: object) -> tuple[int, int]:
        """(students joined, live submissions)."""
        with _read(self.engine) as conn:
            ch = self._row(conn, code)
            n_students = conn.scalar(
                sa.select(sa.func.count()).select_from(students).where(students.c.challenge_id == ch.id)
            )
            n_subs = len(self._live(conn, ch.id))
        return int(n_students or 0), n_subs

    # -- writing ----------------------------------------------------------------------------------------------

    def create(self, task: Task) -> Created:
        """A new challenge (the task checked): its join code and the teacher secret."""
        task = check_task(task, self.clock())
        secret = secrets.token_urlsafe(24)
        for _ in range(5):  # a clash of random codes is ~1e-12 per pair: retry rather than fail
            code = new_code()
            try:
                with _write(self.engine) as conn:
                    conn.execute(
                        challenges.insert().values(
                            code=code,
                            teacher_hash=_digest(secret),
                            task=task.to_json(),
                            status=OPEN,
                            created_at=self.clock(),
                        )
                    )
                return Created(code, secret)
            except sa.exc.IntegrityError:
                continue
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment."))

    def join(self, code: object, name: object) -> str:
        """Join as `name`; returns the student's token (kept by the student's session, stored only hashed)."""
        name = clean_name(name)
        token = secrets.token_urlsafe(24)
        try:
            with _write(self.engine) as conn:
                ch = self._row(conn, code, "share")
                if ch.status == REVEALED:
                    raise ChallengeError(Text("This challenge is over."))
                conn.execute(
                    students.insert().values(
                        challenge_id=ch.id,
                        name=name,
                        name_key=name.casefold(),
                        token_hash=_digest(token),
                        joined_at=self.clock(),
                    )
                )
        except sa.exc.IntegrityError:
            raise ChallengeError(Text("Someone in this challenge already uses this name. Pick another.")) from None
        return token

    def submit(self, code: object, token: object, query: str) -> Submission:
        """Score a submission on the server (train, validation, hidden test) and store it; ChallengeError if refused."""
        ch = self.find(code)
        if not ch.accepting(self.clock()):
            raise ChallengeError(Text("Submissions to this challenge are closed."))
        ms, ts, canon = parse_submission(ch.task, query)
        with _read(self.engine) as conn:
            self._student(conn, ch.id, token)  # refuse an unknown student before the work of a fit
        tr, va, te = evaluate(ch.task, ms, ts)
        for _ in range(20):  # two tabs of one student may race for the same seq: the loser retries
            try:
                with _write(self.engine) as conn:
                    return self._insert(conn, code, token, canon, ms.family, tr, va, te)
            except sa.exc.IntegrityError:
                time.sleep(0.01)
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment."))

    def _insert(
        self, conn: Connection, code: object, token: object, canon: str, family: str, tr: float, va: float, te: float
    ) -> Submission:
        row = self._row(conn, code, "share")  # a teacher closing the challenge waits for this insert, or it sees closed
        ch = self._challenge(row)
        me = self._student(conn, ch.id, token, lock=True)  # the student's other tab waits here, or this one does
        now = self.clock()  # read after the locks: a submission that waited is never "before" the one it waited on
        if not ch.accepting(now):
            raise ChallengeError(Text("Submissions to this challenge are closed."))
        q = sa.select(sa.func.max(submissions.c.seq), sa.func.max(submissions.c.created_at))
        mine: sa.Row[int | None, float | None] = conn.execute(q.where(submissions.c.student_id == me.id)).one()
        last, at = mine
        last = int(last or 0)
        if last >= ch.task.max_submissions:
            raise ChallengeError(Text("You have used all {most} submissions.", {"most": ch.task.max_submissions}))
        if at is not None and now - at < ch.task.cooldown:
            wait = math.ceil(ch.task.cooldown - (now - at))
            raise ChallengeError(Text("Wait {s} s before the next submission.", {"s": wait}))
        values = dict(
            challenge_id=ch.id,
            student_id=me.id,
            seq=last + 1,
            query=canon,
            family=family,
            train_err=_num(tr),
            val_err=_num(va),
            test_err=_num(te),
            created_at=now,
            removed=False,
        )
        sid: int = conn.execute(submissions.insert().values(**values).returning(submissions.c.id)).scalar_one()
        return Submission(sid, me.name, last + 1, canon, family, tr, va, None, now)

    def _set_status(self, code: object, secret: object, status: str) -> None:
        with _write(self.engine) as conn:
            row = self._teacher(conn, code, secret, "update")
            if row.status == REVEALED and status != REVEALED:
                raise ChallengeError(Text("This challenge is over."))
            extra = {"revealed_at": self.clock()} if status == REVEALED else {}
            conn.execute(challenges.update().where(challenges.c.id == row.id).values(status=status, **extra))

    def close(self, code: object, secret: object) -> None:
        """Stop accepting submissions (teacher only)."""
        self._set_status(code, secret, CLOSED)

    def reopen(self, code: object, secret: object) -> None:
        """Accept submissions again (teacher only; not after the reveal)."""
        self._set_status(code, secret, OPEN)

    def reveal(self, code: object, secret: object) -> None:
        """Close the challenge and publish the test errors (teacher only)."""
        self._set_status(code, secret, REVEALED)

    def remove(self, code: object, secret: object, submission_id: int, removed: bool = True) -> None:
        """Take one submission off the leaderboard, or put it back (teacher only; this challenge's only)."""
        with _write(self.engine) as conn:
            row = self._teacher(conn, code, secret, "update")
            conn.execute(
                submissions.update()
                .where(submissions.c.id == int(submission_id), submissions.c.challenge_id == row.id)
                .values(removed=removed)
            )

    def delete(self, code: object, secret: object) -> None:
        """Delete the challenge with its students and submissions (teacher only)."""
        with _write(self.engine) as conn:
            row = self._teacher(conn, code, secret, "update")
            conn.execute(submissions.delete().where(submissions.c.challenge_id == row.id))
            conn.execute(students.delete().where(students.c.challenge_id == row.id))
            conn.execute(challenges.delete().where(challenges.c.id == row.id))

    def export_csv(self, code: object, secret: object) -> str:
        """Every submission as CSV (teacher only); cells that a spreadsheet would run as a formula are quoted."""
        subs = self.all_submissions(code, secret)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["id", "name", "seq", "family", "settings", "train_mse", "val_mse", "test_mse", "time", "removed"])
        for s in subs:
            cells = [s.id, s.name, s.seq, s.family, s.query, s.train, s.val, s.test, s.created_at, int(s.removed)]
            w.writerow([_inert_cell(c) for c in cells])
        return out.getvalue()


def _inert_cell(v: object) -> object:
    """A CSV cell that no spreadsheet evaluates (a leading = + - @ is a formula there)."""
    return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v


# --- rate limits the UI applies -----------------------------------------------------------------------------


class JoinGuard:
    """Join attempts: a few per session per minute, and a cap on failed codes per minute over the whole process.

    With CODE_LEN characters of ALPHABET and `failures` wrong codes a minute at most, finding one live challenge
    by guessing takes ~31^8 / (live challenges * failures) minutes: thousands of years for 200 a minute.
    """

    def __init__(
        self, per_session: int = 5, failures: int = 200, per: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.sessions = RateLimit(per_session, per, clock)
        self.failures = RateLimit(failures, per, clock)

    def attempt(self, session: str) -> None:
        """Record one attempt of this session; ChallengeError when over either limit."""
        if not self.sessions.allow(session):
            raise ChallengeError(Text("Too many attempts. Wait a minute and try again."))
        if self.failures.full("all"):
            raise ChallengeError(Text("Too many attempts. Wait a minute and try again."))

    def failed(self) -> None:
        """Record a code that matched no challenge."""
        self.failures.allow("all")
