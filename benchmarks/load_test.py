"""Load test: N concurrent websocket sessions drag the Fit page's sliders on a real `streamlit run` server.

Run by hand (loopback only; it starts and stops its own server on a free port):

    .venv/bin/python benchmarks/load_test.py --sessions 30 --seconds 60 [--strict]

Each session speaks Streamlit's browser protocol (tests/st_client.py): it opens the Fit page, then
until the time is up changes one slider at a time (training points, noise, polynomial degree), waits
for the run to finish, "thinks" for a moment and goes on; `--mlp-runs` times per session, at random
moments, it switches the model to the MLP (a live training run) and back. Latency is from sending the
BackMsg to receiving `script_finished`. Errors are exception elements, `st.error` boxes, runs that do
not finish, disconnects and tracebacks in the server log. The server's resident memory (its whole
process tree) is sampled every 0.5 s from /proc.

`--processes K` runs the same load through HAProxy in front of K processes (deploy/serve.py's
Cluster): each session first GETs the page, which sets the affinity cookie, then opens its websocket
with it, as a browser does; the report says which process served each session's page and websocket
(they must be the same: a session never jumps) and how the sessions spread. `--matrix` runs 1 vs 2
processes through the proxy at the classroom pace (a move every 5-15 s) and at one move per second,
for 30, 100 and 200 students, and prints one table (every run bounded by --seconds).

`--cold-start N` instead times N cold starts (launch -> health `ok`, -> first full render, first MLP
run) and the big imports.

Targets (slider reruns; MLP training runs have their own 8 s time budget and are reported apart):
0 errors, p95 <= 2 s, peak RSS <= 690 MB (Community Cloud's smallest memory).
A warm-up session (open the page, one MLP run) runs first, as the teacher's would, so the one-off
imports (torch on the first run, torch._dynamo on the first optimizer) are reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the websocket client lives in tests/

from streamlit.proto.Slider_pb2 import Slider  # noqa: E402

from deploy.serve import Cluster  # noqa: E402
from tests.st_client import RssSampler, Run, Server, Session, free_port, rss_bytes, run_coro  # noqa: E402

TARGET_P95_S = 2.0
TARGET_RSS_MB = 690.0
RERUN_TIMEOUT_S = 60.0  # one run that takes longer counts as an error
MB = 1024 * 1024
SLIDERS = {  # key -> (low, high, step) drawn from: the ranges a student drags through
    "n": (5, 300, 1),
    "noise": (0.0, 1.5, 0.05),
    "degree": (0, 20, 1),
}
MLP, POLY = "Neural network (MLP)", "Polynomial"
BACKEND_HEADER = "X-Playground-Backend"  # set by deploy/haproxy.cfg: the process that answered
AFFINITY_COOKIE = "PLAYGROUND_BACKEND"
PACES = {"classroom": (5.0, 15.0), "1/s": (1.0, 1.0)}  # think time between a student's moves, seconds


class _Tap:
    """The websocket, with a look at each message until Streamlit's new_session names the session."""

    def __init__(self, ws: object, owner: ProxySession) -> None:
        self._ws, self._owner = ws, owner

    async def recv(self) -> bytes:
        raw = await self._ws.recv()  # type: ignore[attr-defined]
        if not self._owner.session_id:
            from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

            fm = ForwardMsg()
            fm.ParseFromString(raw)
            if fm.WhichOneof("type") == "new_session":
                self._owner.session_id = fm.new_session.initialize.session_id
        return raw

    def __getattr__(self, name: str) -> object:
        return getattr(self._ws, name)


class ProxySession(Session):
    """A browser tab behind the proxy: the page's GET sets the affinity cookie; the websocket sends it back."""

    def __init__(self, http_url: str, query_string: str = "") -> None:
        super().__init__(http_url.replace("http://", "ws://", 1) + "/_stcore/stream")
        self.http_url = http_url
        self.query_string = query_string
        self.cookie = ""  # "PLAYGROUND_BACKEND=stK", kept like a browser's cookie jar
        self.page_backend = ""  # the process that served the page
        self.ws_backend = ""  # the process that holds the websocket
        self.session_id = ""  # Streamlit's session id (new_session), "" until the first run

    def _get_page(self, timeout: float) -> None:
        import urllib.request

        req = urllib.request.Request(f"{self.http_url}/?{self.query_string}")
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            self.page_backend = r.headers.get(BACKEND_HEADER, "")
            for c in r.headers.get_all("Set-Cookie") or []:
                if c.startswith(AFFINITY_COOKIE + "="):
                    self.cookie = c.split(";", 1)[0]

    async def connect(self, timeout: float = 30.0, existing_session_id: str = "") -> None:
        """Load the page (cookie), then open the websocket; `existing_session_id` asks to resume that session."""
        from websockets.asyncio.client import connect

        await asyncio.wait_for(asyncio.to_thread(self._get_page, timeout), timeout)
        protocols = ["streamlit", "no-xsrf", existing_session_id] if existing_session_id else ["streamlit"]
        headers = {"Cookie": self.cookie} if self.cookie else {}
        ws = await asyncio.wait_for(
            connect(
                self.ws_url,
                subprotocols=protocols,
                additional_headers=headers,
                max_size=None,
                open_timeout=timeout,
                proxy=None,
            ),
            timeout,
        )
        self.ws_backend = ws.response.headers.get(BACKEND_HEADER, "")
        self.session_id = ""
        self.ws = _Tap(ws, self)


@dataclass
class Sample:
    """One rerun: which session, what kind, how long, what went wrong."""

    session: int
    kind: str  # open, slider, mlp
    latency: float
    errors: list[str] = field(default_factory=list)
    budget_stop: bool = False  # an MLP run stopped by the page's time budget (it says so in a note)


@dataclass
class Report:
    """Everything a load run measured."""

    sessions: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    connect_errors: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    finished_per_session: list[int] = field(default_factory=list)  # finished reruns after the open
    processes: int = 0  # 0: one server, no proxy; K: K processes behind HAProxy
    think: tuple[float, float] = (0.5, 1.5)
    routes: list[tuple[int, str, str]] = field(default_factory=list)  # (session, page's process, websocket's)
    proxy_cores: float = math.nan
    peak_rss_mb: float = 0.0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    peak_threads: int = 0
    health_s: float = math.nan
    warmup: dict[str, float] = field(default_factory=dict)
    server_cores: float = math.nan  # mean CPU cores the server used during the load
    server_cpu_per_rerun_s: float = math.nan
    client_cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def errors(self) -> list[str]:
        return [e for s in self.samples for e in s.errors] + self.connect_errors + self.log_errors

    def latencies(self, kind: str | None = None) -> list[float]:
        return [s.latency for s in self.samples if (kind is None or s.kind == kind) and not s.errors]

    @property
    def jumps(self) -> list[tuple[int, str, str]]:
        """Sessions whose websocket is not on the process that served their page (or unknown)."""
        return [r for r in self.routes if not r[1] or r[1] != r[2]]

    @property
    def reruns_per_s(self) -> float:
        return sum(self.finished_per_session) / self.seconds


def _draw(rng: random.Random, key: str) -> float:
    lo, hi, step = SLIDERS[key]
    v = lo + step * rng.randrange(round((hi - lo) / step) + 1)
    return round(v, 6)


def _move(rng: random.Random, s: Session, key: str) -> float | str:
    """A value for the slider `key`: one of its options where it is a select slider (training points)."""
    kind, el = s.widgets[key]
    if kind == "slider" and el.type == Slider.Type.SELECT_SLIDER:
        return rng.choice(list(el.options))
    return _draw(rng, key)


async def _session(
    i: int, url: str, end: float, think: tuple[float, float], mlp_runs: int, rep: Report, proxied: bool = False
) -> None:
    """One student: open the page, then drag sliders (and train an MLP `mlp_runs` times) until `end`."""
    rng = random.Random(1000 + i)
    s = ProxySession(url) if proxied else Session(url)
    done = 0
    try:
        await s.connect()
    except Exception as e:
        rep.connect_errors.append(f"session {i}: connect failed: {e!r}")
        rep.finished_per_session.append(0)
        return
    if isinstance(s, ProxySession):
        rep.routes.append((i, s.page_backend, s.ws_backend))
    try:
        r = await s.rerun(timeout=RERUN_TIMEOUT_S)
        rep.samples.append(Sample(i, "open", r.latency, r.errors))
        if not r.ok:
            return
        span = max(end - time.monotonic(), 0.0)
        mlp_at = sorted(time.monotonic() + rng.uniform(0.1, 0.8) * span for _ in range(mlp_runs))
        first = True
        while first or time.monotonic() < end:  # at least one change, however late the page opened
            first = False
            if mlp_at and time.monotonic() >= mlp_at[0]:
                mlp_at.pop(0)
                r = await s.rerun({"family": MLP}, timeout=RERUN_TIMEOUT_S)
                rep.samples.append(Sample(i, "mlp", r.latency, r.errors, _budget_stop(r)))
                if r.ok:
                    r = await s.rerun({"family": POLY}, timeout=RERUN_TIMEOUT_S)  # back to the sliders
                    rep.samples.append(Sample(i, "slider", r.latency, r.errors))
            else:
                key = rng.choice(sorted(SLIDERS))
                r = await s.rerun({key: _move(rng, s, key)}, timeout=RERUN_TIMEOUT_S)
                rep.samples.append(Sample(i, "slider", r.latency, r.errors))
            if not r.ok:
                break  # a broken session stops; its errors are counted
            done += 1
            await asyncio.sleep(min(rng.uniform(*think), max(end - time.monotonic(), 0.0)))
    except Exception as e:
        rep.samples.append(Sample(i, "slider", math.nan, [f"client error: {e!r}"]))
    finally:
        rep.finished_per_session.append(done)
        try:
            await s.close()
        except Exception as e:
            rep.samples.append(Sample(i, "close", math.nan, [f"close failed: {e!r}"]))


def _budget_stop(r: Run) -> bool:
    return any("incomplete" in body for _, body in r.alerts)  # the guard's note (settings.GUARD_SECONDS)


async def _warmup(url: str) -> dict[str, float]:
    """The teacher opens the app first: the first page render and the first MLP run (one-off imports)."""
    s = Session(url)
    await s.connect()
    out: dict[str, float] = {}
    try:
        r = await s.rerun(timeout=RERUN_TIMEOUT_S)
        out["first_render_s"] = r.latency
        if not r.ok:
            raise RuntimeError(f"warm-up open failed: {r.errors}")
        r = await s.rerun({"family": MLP}, timeout=RERUN_TIMEOUT_S)
        out["first_mlp_run_s"] = r.latency
        if not r.ok:
            raise RuntimeError(f"warm-up MLP run failed: {r.errors}")
        await s.rerun({"family": POLY}, timeout=RERUN_TIMEOUT_S)
        r = await s.rerun({"family": MLP, "n": "21"}, timeout=RERUN_TIMEOUT_S)  # new data: trains again, warm
        out["second_mlp_run_s"] = r.latency
    finally:
        await s.close()
    return out


def _log_errors(text: str) -> list[str]:
    """Tracebacks and ERROR lines in the server log."""
    lines = text.splitlines()
    return [ln.strip()[:200] for ln in lines if "Traceback" in ln or " ERROR " in ln or "Exception" in ln]


class _Target:
    """Where the sessions connect: one `streamlit run` (no proxy), or K processes behind HAProxy."""

    def __init__(self, processes: int, log_path: Path) -> None:
        self.processes = processes
        self.server = Server(log_path) if processes == 0 else None
        self.cluster = (
            Cluster(processes, free_port(), 0, log_path.with_suffix(""), ports=_free_ports(processes))
            if processes
            else None
        )
        self.log_paths = [log_path]

    def __enter__(self) -> _Target:
        if self.server is not None:
            self.server.start()
            self.url, self.pids = self.server.ws_url, [self.server.pid]
            self.backend_ws_urls, self.health_s = [self.server.ws_url], self.server.health_s
        else:
            assert self.cluster is not None
            c = self.cluster
            t0 = time.monotonic()
            c.start()
            self.health_s = time.monotonic() - t0
            self.url, self.pids = c.url, [p.pid for p in c.backends]
            self.backend_ws_urls = [f"ws://127.0.0.1:{p}/_stcore/stream" for p in c.ports]
            self.log_paths = [c.run_dir / f"streamlit-{i + 1}.log" for i in range(self.processes)]
        return self

    @property
    def proxy_pid(self) -> int | None:
        return self.cluster.proxy.pid if self.cluster is not None and self.cluster.proxy is not None else None

    def __exit__(self, *exc: object) -> None:
        (self.server or self.cluster).stop()  # type: ignore[union-attr]


def _free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        p = free_port()
        if p not in ports:
            ports.append(p)
    return ports


def run_load(
    sessions: int = 30,
    seconds: float = 60.0,
    think: tuple[float, float] = (0.5, 1.5),
    mlp_runs: int = 1,
    ramp: float = 5.0,
    warmup: bool = True,
    log_path: Path | None = None,
    processes: int = 0,
) -> Report:
    """Start the server(s), run the load, stop them; every wait is bounded. processes=K: K behind HAProxy."""
    log_path = log_path or ROOT / "artifacts" / "load-test-server.log"
    rep = Report(sessions, seconds, processes=processes, think=think)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t_start = time.monotonic()
    with _Target(processes, log_path) as tgt:
        rep.health_s = tgt.health_s
        samplers = [RssSampler(pid, interval=0.5, max_s=seconds + 600) for pid in tgt.pids]
        proxy = RssSampler(tgt.proxy_pid, interval=0.5, max_s=seconds + 600) if tgt.proxy_pid else None
        for sm in [*samplers, *([proxy] if proxy else [])]:
            sm.start()
        try:
            if warmup:  # every process's one-off imports, straight to it (the proxy would pick one)
                for ws_url in tgt.backend_ws_urls:
                    rep.warmup = run_coro(asyncio.wait_for(_warmup(ws_url), 3 * RERUN_TIMEOUT_S))
            rep.rss_start_mb = sum(sm.samples[-1][1] for sm in samplers if sm.samples) / MB
            t_load = samplers[0].samples[-1][0] if samplers[0].samples else 0.0

            async def everyone() -> None:
                end = time.monotonic() + seconds

                async def staggered(i: int) -> None:
                    await asyncio.sleep(ramp * i / max(sessions, 1))  # students arrive over `ramp` seconds
                    await _session(i, tgt.url, end, think, mlp_runs, rep, proxied=processes > 0)

                try:
                    await asyncio.wait_for(
                        asyncio.gather(*(staggered(i) for i in range(sessions))),
                        seconds + ramp + 3 * RERUN_TIMEOUT_S,
                    )
                except TimeoutError:
                    rep.connect_errors.append("the sessions did not finish in time")

            run_coro(everyone())
            t_done = samplers[0].samples[-1][0] if samplers[0].samples else 0.0
            time.sleep(1.0)  # one more sample after the last run
        finally:
            for sm in [*samplers, *([proxy] if proxy else [])]:
                sm.stop()
        rep.peak_rss_mb = sum(sm.peak_rss for sm in samplers) / MB  # each process's peak, summed
        rep.server_cores = sum(sm.cores_used(t_load, t_done) for sm in samplers)
        if proxy is not None:
            rep.proxy_cores = proxy.cores_used(t_load, t_done)
        n_runs = sum(1 for s in rep.samples if not math.isnan(s.latency))
        rep.server_cpu_per_rerun_s = rep.server_cores * (t_done - t_load) / max(n_runs, 1)
        rep.peak_threads = sum(sm.peak_threads for sm in samplers)
        rep.rss_end_mb = sum(sm.samples[-1][1] for sm in samplers if sm.samples) / MB
    rep.log_errors = [e for p in tgt.log_paths for e in _log_errors(p.read_text(errors="replace"))]
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    rep.client_cpu_s = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    rep.wall_s = time.monotonic() - t_start
    return rep


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of xs; nan when empty."""
    if not xs:
        return math.nan
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(rep: Report, think: tuple[float, float], mlp_runs: int) -> bool:
    """Print the table and the targets; True when every target is met."""
    where = f"{rep.processes} process(es) behind HAProxy" if rep.processes else "one server, no proxy"
    print(
        f"\n{rep.sessions} sessions x {rep.seconds:.0f} s, think {think[0]:g}-{think[1]:g} s, "
        f"{mlp_runs} MLP run(s) per session; {where}, healthy after {rep.health_s:.2f} s"
    )
    if rep.warmup:
        print("warm-up: " + ", ".join(f"{k} {v:.2f} s" for k, v in rep.warmup.items()))
    print(f"\n{'kind':<8} {'reruns':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'errors':>7}")
    for kind in ("open", "slider", "mlp", None):
        lat = rep.latencies(kind)
        errs = sum(len(s.errors) for s in rep.samples if kind is None or s.kind == kind)
        n = sum(1 for s in rep.samples if kind is None or s.kind == kind)
        med = statistics.median(lat) if lat else math.nan
        print(
            f"{kind or 'all':<8} {n:>7} {med:>7.2f} {pct(lat, 0.95):>7.2f} {max(lat, default=math.nan):>7.2f} {errs:>7}"
        )
    mlp = [s for s in rep.samples if s.kind == "mlp"]
    if mlp:
        stops = sum(s.budget_stop for s in mlp)
        print(f"MLP runs stopped by the page's 8 s time budget: {stops} of {len(mlp)}")
    per = rep.finished_per_session
    print(
        f"\nfinished reruns per session (after the open): min {min(per, default=0)}, "
        f"median {statistics.median(per) if per else 0:g}, max {max(per, default=0)}; "
        f"reruns per second {sum(per) / rep.seconds:.1f}"
    )
    print(
        f"server RSS: {rep.rss_start_mb:.0f} MB after warm-up, peak {rep.peak_rss_mb:.0f} MB, "
        f"{rep.rss_end_mb:.0f} MB at the end; peak threads {rep.peak_threads}"
    )
    print(
        f"server CPU: {rep.server_cores:.2f} cores on average during the load, "
        f"{rep.server_cpu_per_rerun_s:.2f} CPU s per finished rerun (MLP runs included)"
    )
    print(f"load client CPU {rep.client_cpu_s:.1f} s (it shares the machine's cores), wall {rep.wall_s:.0f} s")
    if rep.processes:
        spread = Counter(ws for _, _, ws in rep.routes)
        print(
            f"proxy CPU {rep.proxy_cores:.2f} cores; sessions per process {dict(sorted(spread.items()))}; "
            f"sessions whose websocket left their page's process: {len(rep.jumps)}"
        )
    errors = rep.errors
    for e in errors[:10]:
        print(f"  error: {e}")
    if len(errors) > 10:
        print(f"  ... {len(errors) - 10} more")
    p95 = pct(rep.latencies("slider"), 0.95)
    checks = [
        (f"errors {len(errors)} == 0", not errors),
        (f"slider p95 {p95:.2f} s <= {TARGET_P95_S:g} s", p95 <= TARGET_P95_S),
        (f"peak RSS {rep.peak_rss_mb:.0f} MB <= {TARGET_RSS_MB:g} MB", rep.peak_rss_mb <= TARGET_RSS_MB),
        (f"every session finished a rerun (min {min(per, default=0)})", bool(per) and min(per) >= 1),
    ]
    if rep.processes:
        checks.append((f"sessions that jumped between processes {len(rep.jumps)} == 0", not rep.jumps))
    print()
    for text, ok in checks:
        print(f"{verdict(ok)}  {text}")
    ok = all(ok for _, ok in checks)
    print(f"\nsummary: {verdict(ok)}")
    return ok


IMPORTS = {  # what a cold server imports: (untimed setup, timed statement), each in a fresh interpreter
    "import streamlit": ("", "import streamlit"),
    "import torch": ("", "import torch"),
    "import plotly.graph_objects": ("", "import plotly.graph_objects"),
    "the app's modules (torch, streamlit, plotly included)": ("", "import playground.train, ui.fit_page, ui.chrome"),
    "first torch.optim.Adam(fused=True), torch imported": (
        "import torch; p = [torch.nn.Parameter(torch.zeros(1))]",
        "torch.optim.Adam(p, fused=True)",
    ),
}


def import_seconds(setup: str, stmt: str) -> float:
    """Wall time of `stmt` after `setup` in a fresh interpreter."""
    code = f"{setup}\nimport time; t0 = time.perf_counter(); {stmt}; print(time.perf_counter() - t0)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return float(out.stdout.strip().splitlines()[-1])


def cold_start(reps: int = 3) -> None:
    """Launch -> health `ok`, -> first full page render (first script_finished), first MLP run; import times."""
    rows = []
    for i in range(reps):
        with Server(ROOT / "artifacts" / "cold-start-server.log") as srv:

            async def first() -> dict[str, float]:
                s = Session(srv.ws_url)
                await s.connect()
                r = await s.rerun(timeout=RERUN_TIMEOUT_S)
                out = {"render_from_launch": time.monotonic() - srv.started, "render": r.latency}
                s2 = Session(srv.ws_url)
                await s2.connect()
                out["second_session_render"] = (await s2.rerun(timeout=RERUN_TIMEOUT_S)).latency
                r = await s.rerun({"family": MLP}, timeout=RERUN_TIMEOUT_S)
                out["first_mlp"] = r.latency
                r = await s.rerun({"n": "21"}, timeout=RERUN_TIMEOUT_S)
                out["second_mlp"] = r.latency
                await s.close()
                await s2.close()
                return out

            row = {"health": srv.health_s, **run_coro(first())}
            row["rss_mb"] = rss_bytes(srv.pid) / MB
            rows.append(row)
        print(
            f"run {i + 1}: health ok {row['health']:.2f} s after launch; first render {row['render']:.2f} s "
            f"({row['render_from_launch']:.2f} s after launch); a second session {row['second_session_render']:.2f} s; "
            f"first MLP run {row['first_mlp']:.2f} s, the next {row['second_mlp']:.2f} s; RSS {row['rss_mb']:.0f} MB"
        )
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(
        f"\nmedian of {reps}: launch -> health ok {med['health']:.2f} s, -> first full render "
        f"{med['render_from_launch']:.2f} s (the first script run itself {med['render']:.2f} s); "
        f"first MLP run {med['first_mlp']:.2f} s (next {med['second_mlp']:.2f} s); RSS {med['rss_mb']:.0f} MB"
    )
    print("\none-off costs (fresh interpreter, median of 3):")
    for name, (setup, stmt) in IMPORTS.items():
        print(f"  {name:<55} {statistics.median(import_seconds(setup, stmt) for _ in range(3)):6.2f} s")


def matrix(seconds: float, students: list[int], mlp_runs: int) -> list[Report]:
    """1 vs 2 processes through the proxy, at each pace and class size; one table, ratios in the same run."""
    reports: list[Report] = []
    for pace, think in PACES.items():
        for n in students:
            for k in (1, 2):
                rep = run_load(n, seconds, think, mlp_runs, ramp=min(10.0, seconds / 4), processes=k)
                reports.append(rep)
                lat = rep.latencies("slider")
                print(
                    f"{pace:>9} {n:>4} students, {k} process(es): {rep.reruns_per_s:6.1f} reruns/s, "
                    f"p50 {pct(lat, 0.5):5.2f} s, p95 {pct(lat, 0.95):5.2f} s, errors {len(rep.errors)}, "
                    f"jumps {len(rep.jumps)}",
                    flush=True,
                )
    print(f"\n{'pace':>9} {'students':>8} {'1 proc /s':>10} {'2 procs /s':>11} {'ratio':>6}  p50/p95 s (1 | 2)")
    by = {(r.think, r.sessions, r.processes): r for r in reports}
    for pace, think in PACES.items():
        for n in students:
            r1, r2 = by[(think, n, 1)], by[(think, n, 2)]
            l1, l2 = r1.latencies("slider"), r2.latencies("slider")
            print(
                f"{pace:>9} {n:>8} {r1.reruns_per_s:>10.1f} {r2.reruns_per_s:>11.1f} "
                f"{r2.reruns_per_s / max(r1.reruns_per_s, 1e-9):>6.2f}  "
                f"{pct(l1, 0.5):.2f}/{pct(l1, 0.95):.2f} | {pct(l2, 0.5):.2f}/{pct(l2, 0.95):.2f}"
            )
    fast = [by[(PACES["1/s"], n, 2)].reruns_per_s / max(by[(PACES["1/s"], n, 1)].reruns_per_s, 1e-9) for n in students]
    fast = fast[1:] or fast  # the smallest class may not saturate one process; the worst of the others counts
    big = by.get((PACES["classroom"], max(students), 2))
    print()
    print(
        f"{verdict(min(fast) >= 1.7)}  2 processes >= 1.7x the reruns/s of 1 at one move per second (worst {min(fast):.2f}x)"
    )
    if big is not None:
        p95 = pct(big.latencies("slider"), 0.95)
        ok = p95 <= 1.0 and not big.errors
        print(
            f"{verdict(ok)}  {big.sessions} students, classroom pace, 2 processes: p95 {p95:.2f} s <= 1 s, errors {len(big.errors)}"
        )
    jumps = sum(len(r.jumps) for r in reports)
    print(f"{verdict(jumps == 0)}  sessions that jumped between processes: {jumps}")
    return reports


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", default="0.5:1.5", help="pause between a session's reruns, LO:HI seconds")
    ap.add_argument("--mlp-runs", type=int, default=1, help="MLP training runs per session")
    ap.add_argument("--ramp", type=float, default=5.0, help="sessions open over this many seconds")
    ap.add_argument("--no-warmup", action="store_true", help="measure a cold server (imports inside the load)")
    ap.add_argument("--json", type=Path, help="also write the raw samples here")
    ap.add_argument("--strict", action="store_true", help="exit status 1 when a target is missed")
    ap.add_argument("--cold-start", type=int, metavar="N", help="instead: time N cold starts and the imports")
    ap.add_argument("--processes", type=int, default=0, help="K > 0: through HAProxy in front of K processes")
    ap.add_argument("--matrix", action="store_true", help="1 vs 2 processes x paces x --students, one table")
    ap.add_argument("--students", default="30,100,200", help="class sizes for --matrix")
    a = ap.parse_args()
    if a.cold_start:
        cold_start(max(1, min(a.cold_start, 10)))
        return 0
    if a.matrix:
        sizes = [int(x) for x in a.students.split(",")]
        if not (all(1 <= x <= 200 for x in sizes) and 0 < a.seconds <= 120):
            ap.error("--matrix: students 1..200, seconds 0..120")
        matrix(a.seconds, sizes, a.mlp_runs)
        return 0
    lo, hi = (float(x) for x in a.think.split(":"))
    if not (1 <= a.sessions <= 200 and 0 < a.seconds <= 600):
        ap.error("sessions must be 1..200 and seconds 0..600")
    if not 0 <= a.processes <= 8:
        ap.error("processes must be 0..8")
    rep = run_load(a.sessions, a.seconds, (lo, hi), a.mlp_runs, a.ramp, warmup=not a.no_warmup, processes=a.processes)
    ok = print_report(rep, (lo, hi), a.mlp_runs)
    if a.json:
        a.json.write_text(json.dumps(asdict(rep), indent=1, default=str))
    return 1 if a.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
