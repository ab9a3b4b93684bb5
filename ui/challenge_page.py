"""The Challenge page: a teacher sets a task, students tune on the public validation set, the reveal re-ranks.

Everything the page knows comes from playground.challenge.Store; the browser of a student only ever receives
the public data, the public leaderboard and that student's own submissions (test errors after the reveal).
URL keys: ?join=CODE (a student's link), &me=TOKEN (this student), &teacher=SECRET (the teacher link).
"""

from __future__ import annotations

import io
import os
import secrets
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
import streamlit as st

from playground.challenge import (
    ALPHABET,
    CODE_LEN,
    NAME_MAX,
    REVEALED,
    TITLE_MAX,
    Challenge,
    ChallengeError,
    JoinGuard,
    Results,
    Row,
    Store,
    Submission,
    Task,
    Unavailable,
    engine_kwargs,
    prepare,
    public_data,
    show_code,
    sqlite_url,
)
from playground.figures import MODEL, fit_figure, grid
from playground.figures.challenge import gap_figure, val_test_figure
from playground.io import Text
from playground.settings import TRUTHS, ModelSettings, TrainSettings, to_raw
from playground.train import fit

from .common import chart, fmt_metric, guarded, log
from .i18n import t
from .widgets import choice_name, collect, put, widget

ROOT = Path(__file__).resolve().parent.parent
URL_ENV = "PLAYGROUND_CHALLENGE_URL"  # a database URL, when there is no [connections.challenge] in secrets
DATA_ENV = "PLAYGROUND_DATA_DIR"  # where the embedded SQLite file lives (default: ./data)
REFRESH_S = 4  # the leaderboard refreshes this often (a fragment: the rest of the page stays still)
PREFIX = "ch_"  # the challenge's model settings, apart from the Fit page's
GUARD = JoinGuard()  # one per server process: a code guessed in one session counts for all


def _url() -> str | None:
    """The database URL to pass to st.connection: None when secrets.toml configures it."""
    try:
        if "challenge" in st.secrets.get("connections", {}):
            return None
    except Exception:  # no secrets file at all: Streamlit raises on first access
        pass
    return os.environ.get(URL_ENV) or sqlite_url(os.environ.get(DATA_ENV) or ROOT / "data")


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> Store:
    """The store over st.connection's engine, migrated once per process and URL (exceptions are not cached)."""
    kw = {} if url is None else {"url": url, **engine_kwargs(url)}
    conn = st.connection("challenge", type="sql", **kw)
    return Store(prepare(conn.engine))


def store() -> Store:
    """The challenge store (ChallengeError when the database cannot be reached)."""
    try:
        return _store(_url())
    except ChallengeError:
        raise
    except Exception as e:  # a bad URL, a server that refuses: say so in the page (the cause goes to the log)
        log.warning("challenge database unavailable", exc_info=True)
        raise Unavailable(Text("The challenge database is not available right now. Try again in a moment.")) from e


def say(e: ChallengeError) -> None:
    """A refusal as a message in the page, in the session's language."""
    st.warning(t(e.text.template, **e.text.params))


def inert(s: str) -> str:
    """Text a student typed, safe inside Markdown: every Markdown sign escaped (HTML is never rendered)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in s)


def _session() -> str:
    return st.session_state.setdefault("_ch_session", secrets.token_hex(8))


def _go(**params: str | None) -> None:
    """Set (or drop, with None) the challenge's URL keys, keeping the others (language...)."""
    for k, v in params.items():
        if v is None:
            st.query_params.pop(k, None)
        else:
            st.query_params[k] = v


def _base_url() -> str:
    url = getattr(st.context, "url", None) or ""
    return url.split("?")[0].rstrip("/")


# --- the landing: join or create -------------------------------------------------------------------------


def _join_form() -> None:
    st.subheader(t("Join a challenge"))
    if st.query_params.get("join") and not st.session_state.get("ch_code"):  # a scanned link fills the code in
        st.session_state["ch_code"] = st.query_params["join"][: 3 * CODE_LEN]
    with st.form("ch_join"):
        code = st.text_input(t("Join code"), max_chars=3 * CODE_LEN, key="ch_code")
        name = st.text_input(t("Your display name"), max_chars=NAME_MAX, key="ch_name")
        go = st.form_submit_button(t("Join"), type="primary", key="ch_join_go")
    if not go:
        return
    try:
        GUARD.attempt(_session())
        s = store()
        try:
            ch = s.find(code)
        except ChallengeError:
            GUARD.failed()
            raise
        token = s.join(ch.code, name)
    except ChallengeError as e:
        say(e)
        return
    _go(join=ch.code, me=token, teacher=None)
    st.rerun()


def _create_form() -> None:
    with st.expander(t("Create a challenge (teacher)"), expanded=False), st.form("ch_create"):
        title = st.text_input(t("Title"), max_chars=TITLE_MAX, key="ch_title")
        c1, c2, c3 = st.columns(3)
        truth = c1.selectbox(
            t("Ground truth"),
            TRUTHS,
            key="ch_truth",
            format_func={o: t(choice_name("truth", o)) for o in TRUTHS}.__getitem__,
        )
        n = c2.number_input(t("Training points"), 2, 500, 20, key="ch_n")
        noise = c3.number_input(t("Noise (σ)"), 0.0, 2.0, 0.3, step=0.05, key="ch_noise")
        c1, c2, c3 = st.columns(3)
        n_val = c1.number_input(t("Public validation points"), 10, 2000, 30, key="ch_nval")
        n_test = c2.number_input(t("Hidden test points"), 100, 2000, 1000, key="ch_ntest")
        seed = c3.number_input(t("Seed"), 0, 2**31 - 1, 0, key="ch_seed")
        c1, c2, c3 = st.columns(3)
        fams = c1.multiselect(
            t("Allowed models"),
            ("poly", "mlp"),
            default=("poly",),
            key="ch_fams",
            format_func={o: t(choice_name("family", o)) for o in ("poly", "mlp")}.__getitem__,
        )
        degree_max = c2.number_input(t("Highest degree"), 0, 30, 20, key="ch_degmax")
        most = c3.number_input(t("Submissions per student"), 1, 200, 10, key="ch_most")
        c1, c2 = st.columns(2)
        cooldown = c1.number_input(t("Seconds between submissions"), 0, 3600, 3, key="ch_cool")
        minutes = c2.number_input(t("Ends after (minutes, 0: when you close it)"), 0, 10080, 0, key="ch_end")
        go = st.form_submit_button(t("Create"), type="primary", key="ch_create_go")
    if not go:
        return
    s_ = store_or_say()
    if s_ is None:
        return
    task = Task(
        title=title,
        truth=truth,
        n=int(n),
        noise=float(noise),
        seed=int(seed),
        n_val=int(n_val),
        n_test=int(n_test),
        families=tuple(fams),
        degree_max=int(degree_max),
        max_submissions=int(most),
        cooldown=float(cooldown),
        ends_at=time.time() + 60 * minutes if minutes else None,
    )
    try:
        made = s_.create(task)
    except ChallengeError as e:
        say(e)
        return
    _go(join=made.code, teacher=made.secret, me=None)
    st.rerun()


def store_or_say() -> Store | None:
    """The store, or None after saying that the database is unavailable."""
    try:
        return store()
    except ChallengeError as e:
        say(e)
        return None


# --- the leaderboard (a fragment that refreshes itself) ---------------------------------------------------


def _arrow(r: Row) -> str:
    c = r.change
    if c is None or c == 0:
        return "="
    return f"▲ {c}" if c > 0 else f"▼ {-c}"


def board_table(rows: list[Row], revealed: bool) -> dict[str, list[Any]]:
    """The leaderboard's columns: by validation error, or after the reveal by test error with the rank change."""
    if revealed:
        rows = sorted(rows, key=lambda r: r.test_rank or 0)
        return {
            t("Rank"): [r.test_rank for r in rows],
            t("Change"): [_arrow(r) for r in rows],
            t("Name"): [r.name for r in rows],
            t("Test MSE"): [fmt_metric(r.test or float("nan")) for r in rows],
            t("Validation MSE"): [fmt_metric(r.val) for r in rows],
            t("Submissions"): [r.submissions for r in rows],
        }
    return {
        t("Rank"): [r.rank for r in rows],
        t("Name"): [r.name for r in rows],
        t("Validation MSE"): [fmt_metric(r.val) for r in rows],
        t("Submissions"): [r.submissions for r in rows],
    }


@st.fragment(run_every=REFRESH_S)
def leaderboard(code: str) -> None:
    """The live leaderboard; reruns alone every REFRESH_S seconds, so the rest of the page never flickers."""
    try:
        ch, rows, joined = store().board(code)  # one read per tick: 60 students poll it every REFRESH_S
    except ChallengeError as e:
        say(e)
        return
    n_subs = sum(r.submissions for r in rows)
    revealed = ch.status == REVEALED
    st.subheader(t("Leaderboard: revealed, ranked by the hidden test set") if revealed else t("Leaderboard"))
    st.caption(t("{s} students joined, {n} submissions.", s=joined, n=n_subs))
    if rows:
        st.dataframe(board_table(rows, revealed), hide_index=True, width="stretch", key="ch_board")
    else:
        st.caption(t("No submissions yet."))
    if revealed and st.session_state.get("_ch_revealed") != code:  # the first tick after the reveal: charts
        st.session_state["_ch_revealed"] = code
        st.rerun(scope="app")


def reveal_section(res: Results) -> None:
    """The two reveal charts and the explanation."""
    st.info(
        t(
            "Every time you picked a model because its validation error was lower, you also fitted the few "
            "validation points, noise included. The hidden test set is new data: the gap between its error and the "
            "validation error is how much the class overfitted the validation set, and it tends to grow with the number of "
            "submissions."
        )
    )
    best = {(r.name, r.val) for r in res.rows}
    chosen_ids: set[int] = set()
    seen: set[str] = set()
    for p in sorted(res.points, key=lambda p: (p.val, p.id)):
        if p.name not in seen and (p.name, p.val) in best:
            seen.add(p.name)
            chosen_ids.add(p.id)
    left, right = st.columns(2)
    f1 = val_test_figure(
        [p.val for p in res.points],
        [p.test or float("nan") for p in res.points],
        [p.name for p in res.points],
        [p.id in chosen_ids for p in res.points],
        title=t("Validation error against hidden test error"),
        labels={
            "all": t("submission"),
            "chosen": t("counted submission"),
            "equal": t("test = validation"),
            "val": t("validation MSE"),
            "test": t("test MSE"),
        },
    )
    f2 = gap_figure(
        [r.submissions for r in res.rows],
        [(r.test or float("nan")) - r.val for r in res.rows],
        [r.name for r in res.rows],
        title=t("Submissions against the gap"),
        labels={"students": t("students"), "count": t("submissions"), "gap": t("test MSE − validation MSE")},
    )
    chart(f1, "ch_valtest", left)
    chart(f2, "ch_gap", right)


# --- the student ---------------------------------------------------------------------------------------------


def _model_widgets(task: Task) -> tuple[ModelSettings, TrainSettings]:
    """The usual model widgets, limited to what the challenge allows."""
    sb = st.sidebar
    sb.subheader(t("Model"))
    if len(task.families) > 1:
        widget(ModelSettings, "family", PREFIX, sb)
    else:
        put(PREFIX + "family", task.families[0])
    fam = collect(ModelSettings, PREFIX).family
    if fam == "poly":
        if int(st.session_state.get(PREFIX + "degree", 3)) > task.degree_max:
            put(PREFIX + "degree", task.degree_max)
        widget(ModelSettings, "degree", PREFIX, sb)
        sb.caption(t("This challenge allows {name} up to {most}.", name=t("Polynomial degree"), most=task.degree_max))
        widget(ModelSettings, "ridge", PREFIX, sb)
        return collect(ModelSettings, PREFIX), TrainSettings()
    limits = [(ModelSettings, "layers", task.layers_max), (ModelSettings, "width", task.width_max)]
    limits.append((TrainSettings, "epochs", task.epochs_max))
    for cls, name, most in limits:
        if int(st.session_state.get(PREFIX + name, cls.specs()[name][1])) > most:  # start inside the challenge's limits
            put(PREFIX + name, most)
    for name in ("layers", "width", "activation", "dropout"):
        widget(ModelSettings, name, PREFIX, sb)
    sb.caption(
        t("This challenge allows {name} up to {most}.", name=t("Width"), most=task.width_max)
        + " "
        + t("This challenge allows {name} up to {most}.", name=t("Hidden layers"), most=task.layers_max)
        + " "
        + t("This challenge allows {name} up to {most}.", name=t("Epochs"), most=task.epochs_max)
    )
    sb.subheader(t("Training"))
    for name in ("optimizer", "lr", "epochs", "batch_size", "weight_decay", "init_seed"):
        widget(TrainSettings, name, PREFIX, sb)
    return collect(ModelSettings, PREFIX), collect(TrainSettings, PREFIX)


def _query(ms: ModelSettings, ts: TrainSettings) -> str:
    """The submission's settings as a share-link query string."""
    raw = to_raw(ms) if ms.family == "poly" else {**to_raw(ms), **to_raw(ts)}
    raw.pop("device", None)
    return urlencode(sorted(raw.items()))


def student_view(s: Store, code: str, token: str) -> bool:
    """Tune, preview (poly), submit; own submissions; the live leaderboard. False when the link is not a student's."""
    try:
        ch = s.find(code)
        name = s.student_name(code, token)
    except ChallengeError as e:
        say(e)
        _go(me=None)  # e.g. a deleted challenge or a stale link: the join form follows
        return False
    task = ch.task
    st.title(t("Class challenge"))
    if task.title:
        st.subheader(inert(task.title))
    st.caption(t("Playing as {name} in challenge {code}.", name=inert(name), code=show_code(ch.code)))
    ms, ts = _model_widgets(task)
    data = public_data(task)
    if ms.family == "poly":
        r = fit(data, ms)
        c1, c2 = st.columns(2)
        c1.metric(t("Train MSE"), fmt_metric(r.train_metric))
        c2.metric(t("Validation MSE"), fmt_metric(r.val_metric))
        pts = {"train": t("training points"), "val": t("validation points"), "truth": t("truth")}
        shown = replace(data, truth="")  # no truth curve: the students must not see what the test set follows
        curve = (t("degree {d} fit", d=ms.degree), r.predict(grid(span=shown.x_range)), MODEL)
        fig = fit_figure(shown, [curve], title=t("Training and public validation points"), labels=pts)
        chart(fig, "ch_fit")
    else:
        st.caption(t("A network trains on the server when you submit: its errors appear in your submissions."))
    if ch.accepting(time.time()):
        if st.button(t("Submit"), type="primary", key="ch_submit"):
            try:
                with st.spinner(t("Scoring on the server...")):
                    sub = s.submit(code, token, _query(ms, ts))
                st.success(t("Submitted: validation MSE {v}.", v=fmt_metric(sub.val)))
            except ChallengeError as e:
                say(e)
    else:
        st.info(t("Submissions to this challenge are closed."))
    try:
        mine = s.mine(code, token)
    except ChallengeError as e:
        say(e)
        mine = []
    if mine:
        with st.expander(t("My submissions ({n} of {most})", n=len(mine), most=task.max_submissions)):
            table = {
                "#": [m.seq for m in mine],
                t("Settings"): [m.query or t("defaults") for m in mine],
                t("Train MSE"): [fmt_metric(m.train) for m in mine],
                t("Validation MSE"): [fmt_metric(m.val) for m in mine],
            }
            if ch.status == REVEALED:
                table[t("Test MSE")] = [fmt_metric(m.test or float("nan")) for m in mine]
            st.dataframe(table, hide_index=True, width="stretch", key="ch_mine")
    if ch.status == REVEALED:
        st.session_state["_ch_revealed"] = ch.code  # the charts are drawn below: the fragment need not rerun the app
    leaderboard(ch.code)
    if ch.status == REVEALED:
        _revealed(s, ch.code)
    return True


def _revealed(s: Store, code: str, secret: str | None = None) -> None:
    try:
        reveal_section(s.results(code, secret))
    except ChallengeError as e:
        say(e)


# --- the teacher ---------------------------------------------------------------------------------------------


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG bytes (for the projector)."""
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def teacher_view(s: Store, code: str, secret: str) -> None:
    """Join code and QR for the projector, the teacher link, controls, submissions, the leaderboard."""
    try:
        ch = s.teacher(code, secret)
    except ChallengeError as e:
        say(e)
        return
    _projector(ch, secret)
    try:
        _controls(s, ch, code, secret)
        subs = s.all_submissions(code, secret)
    except ChallengeError as e:
        say(e)
        return
    if subs:
        _submissions(s, code, secret, subs)
    if ch.status == REVEALED:
        st.session_state["_ch_revealed"] = ch.code
    leaderboard(ch.code)
    if ch.status == REVEALED:
        _revealed(s, ch.code, secret)


def _projector(ch: Challenge, secret: str) -> None:
    """The title, join code and QR code for the projector, the secret teacher link and the status."""
    st.title(t("Class challenge"))
    if ch.task.title:
        st.subheader(inert(ch.task.title))
    base = _base_url()
    join_link = f"{base}?{urlencode({'join': ch.code})}" if base else ch.code
    left, right = st.columns([2, 1])
    left.markdown(t("Join code: **{code}**", code=show_code(ch.code)))
    left.caption(t("Students open the Challenge page and type this code, or scan the QR code."))
    right.image(qr_png(join_link), caption=t("Scan to join"), width=220)
    with st.expander(t("Teacher link (keep it secret: it controls the challenge)")):
        st.code(f"{base}?{urlencode({'join': ch.code, 'teacher': secret})}", language=None)
    status = {"open": t("open"), "closed": t("closed"), "revealed": t("revealed")}[ch.status]
    st.caption(t("Status: {status}", status=status))


def _controls(s: Store, ch: Challenge, code: str, secret: str) -> None:
    """Close, reopen, reveal, export and delete (a ChallengeError goes to the caller)."""
    c = st.columns(4)
    if ch.status == "open" and c[0].button(t("Close submissions"), key="ch_close"):
        s.close(code, secret)
        st.rerun()
    if ch.status == "closed" and c[0].button(t("Open submissions again"), key="ch_reopen"):
        s.reopen(code, secret)
        st.rerun()
    if ch.status != REVEALED and c[1].button(t("Reveal"), type="primary", key="ch_reveal"):
        s.reveal(code, secret)
        st.rerun()
    c[2].download_button(
        t("Export CSV"),
        s.export_csv(code, secret),
        file_name=f"challenge-{ch.code}.csv",
        mime="text/csv",
        key="ch_export",
    )
    with c[3].popover(t("Delete")):
        st.caption(t("Deletes the challenge, its students and submissions. This cannot be undone."))
        if st.button(t("Delete for good"), key="ch_delete"):
            s.delete(code, secret)
            _go(join=None, teacher=None)
            st.rerun()


def _submissions(s: Store, code: str, secret: str, subs: list[Submission]) -> None:
    """Every submission in a table, and removing or restoring one by its id."""
    with st.expander(t("All submissions ({n})", n=len(subs))):
        st.dataframe(
            {
                "id": [x.id for x in subs],
                t("Name"): [x.name for x in subs],
                "#": [x.seq for x in subs],
                t("Settings"): [x.query or t("defaults") for x in subs],
                t("Validation MSE"): [fmt_metric(x.val) for x in subs],
                t("Removed"): [x.removed for x in subs],
            },
            hide_index=True,
            width="stretch",
            key="ch_all",
        )
        c1, c2 = st.columns(2, vertical_alignment="bottom")
        sid = c1.selectbox(t("Submission id"), [x.id for x in subs], key="ch_rm_id")
        if c2.button(t("Remove / restore"), key="ch_rm"):
            gone = next(x.removed for x in subs if x.id == sid)
            try:
                s.remove(code, secret, int(sid), removed=not gone)
            except ChallengeError as e:
                say(e)
            st.rerun()


# --- the page ------------------------------------------------------------------------------------------------


@guarded
def page() -> None:
    """Draw the Challenge page: the teacher's or the student's view, or the join/create forms."""
    qp = st.query_params
    code, token, secret = qp.get("join"), qp.get("me"), qp.get("teacher")
    if code and (secret or token):
        s_ = store_or_say()
        if s_ is None:
            return
        if secret:
            teacher_view(s_, code, secret)
            return
        if student_view(s_, code, token):
            return
    st.title(t("Class challenge"))
    st.caption(
        t(
            "Students tune a model on the public validation set; the teacher's hidden test set decides at the "
            "reveal. Who overfitted the validation set?"
        )
    )
    _join_form()
    _create_form()
    st.caption(t("Join codes have {n} characters from {chars}.", n=CODE_LEN, chars=ALPHABET))
