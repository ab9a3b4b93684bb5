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
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the websocket client lives in tests/

from tests.st_client import RssSampler, Run, Server, Session, rss_bytes, run_coro  # noqa: E402

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


def _draw(rng: random.Random, key: str) -> float:
    lo, hi, step = SLIDERS[key]
    v = lo + step * rng.randrange(round((hi - lo) / step) + 1)
    return round(v, 6)


async def _session(i: int, url: str, end: float, think: tuple[float, float], mlp_runs: int, rep: Report) -> None:
    """One student: open the page, then drag sliders (and train an MLP `mlp_runs` times) until `end`."""
    rng = random.Random(1000 + i)
    s = Session(url)
    done = 0
    try:
        await s.connect()
    except Exception as e:
        rep.connect_errors.append(f"session {i}: connect failed: {e!r}")
        rep.finished_per_session.append(0)
        return
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
                r = await s.rerun({key: _draw(rng, key)}, timeout=RERUN_TIMEOUT_S)
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
        r = await s.rerun({"family": MLP, "n": 21}, timeout=RERUN_TIMEOUT_S)  # new data: trains again, warm
        out["second_mlp_run_s"] = r.latency
    finally:
        await s.close()
    return out


def _log_errors(text: str) -> list[str]:
    """Tracebacks and ERROR lines in the server log."""
    lines = text.splitlines()
    return [ln.strip()[:200] for ln in lines if "Traceback" in ln or " ERROR " in ln or "Exception" in ln]


def run_load(
    sessions: int = 30,
    seconds: float = 60.0,
    think: tuple[float, float] = (0.5, 1.5),
    mlp_runs: int = 1,
    ramp: float = 5.0,
    warmup: bool = True,
    log_path: Path | None = None,
) -> Report:
    """Start a server, run the load, stop the server; every wait is bounded."""
    log_path = log_path or ROOT / "artifacts" / "load-test-server.log"
    rep = Report(sessions, seconds)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t_start = time.monotonic()
    with Server(log_path) as srv:
        rep.health_s = srv.health_s
        sampler = RssSampler(srv.pid, interval=0.5, max_s=seconds + 600)
        sampler.start()
        try:
            if warmup:
                rep.warmup = run_coro(asyncio.wait_for(_warmup(srv.ws_url), 3 * RERUN_TIMEOUT_S))
            rep.rss_start_mb = sampler.samples[-1][1] / MB if sampler.samples else 0.0
            t_load = sampler.samples[-1][0] if sampler.samples else 0.0

            async def everyone() -> None:
                end = time.monotonic() + seconds

                async def staggered(i: int) -> None:
                    await asyncio.sleep(ramp * i / max(sessions, 1))  # students arrive over `ramp` seconds
                    await _session(i, srv.ws_url, end, think, mlp_runs, rep)

                try:
                    await asyncio.wait_for(
                        asyncio.gather(*(staggered(i) for i in range(sessions))),
                        seconds + ramp + 3 * RERUN_TIMEOUT_S,
                    )
                except TimeoutError:
                    rep.connect_errors.append("the sessions did not finish in time")

            run_coro(everyone())
            t_done = sampler.samples[-1][0] if sampler.samples else 0.0
            time.sleep(1.0)  # one more sample after the last run
        finally:
            sampler.stop()
        rep.peak_rss_mb = sampler.peak_rss / MB
        rep.server_cores = sampler.cores_used(t_load, t_done)
        n_runs = sum(1 for s in rep.samples if not math.isnan(s.latency))
        rep.server_cpu_per_rerun_s = rep.server_cores * (t_done - t_load) / max(n_runs, 1)
        rep.peak_threads = sampler.peak_threads
        rep.rss_end_mb = sampler.samples[-1][1] / MB if sampler.samples else 0.0
    rep.log_errors = _log_errors(log_path.read_text(errors="replace"))
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
    print(
        f"\n{rep.sessions} sessions x {rep.seconds:.0f} s, think {think[0]:g}-{think[1]:g} s, "
        f"{mlp_runs} MLP run(s) per session; server healthy after {rep.health_s:.2f} s"
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
                r = await s.rerun({"n": 21}, timeout=RERUN_TIMEOUT_S)
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
    a = ap.parse_args()
    if a.cold_start:
        cold_start(max(1, min(a.cold_start, 10)))
        return 0
    lo, hi = (float(x) for x in a.think.split(":"))
    if not (1 <= a.sessions <= 200 and 0 < a.seconds <= 600):
        ap.error("sessions must be 1..200 and seconds 0..600")
    rep = run_load(a.sessions, a.seconds, (lo, hi), a.mlp_runs, a.ramp, warmup=not a.no_warmup)
    ok = print_report(rep, (lo, hi), a.mlp_runs)
    if a.json:
        a.json.write_text(json.dumps(asdict(rep), indent=1, default=str))
    return 1 if a.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
