"""A small Streamlit client speaking the browser's websocket protocol, a server launcher and /proc probes.

Used by the load test (benchmarks/load_test.py), tests/test_load.py and tests/test_faults.py.
Loopback only; every wait is bounded in time.

Protocol (Streamlit 1.67, Starlette server): connect to ws://HOST:PORT/_stcore/stream with subprotocol
"streamlit" (no Origin header, so no XSRF check); send a BackMsg `rerun_script` (a ClientState: query
string, page, widget states); the server streams ForwardMsgs (new_session, deltas, ...) and ends each
run with `script_finished`. A widget's id is in its element proto (e.g. `delta.new_element.slider.id`,
ending in `-<key>` for keyed widgets); a widget change is a rerun carrying the widget states the
browser holds, the changed one included.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

from deploy.serve import HOST, healthy, streamlit_cmd  # one command line and health check for tests and serve

ROOT = Path(__file__).resolve().parent.parent
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
WIDGET_TYPES = ("slider", "selectbox", "checkbox", "number_input")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_cmd(port: int, *extra: str) -> list[str]:
    """The `streamlit run app.py` command line of the production-like server on `port` (deploy/serve.py's)."""
    return [*streamlit_cmd(port, HOST), *extra]


class Server:
    """`streamlit run app.py` on a free loopback port; log to a file; stopped on exit (terminate, then kill)."""

    def __init__(self, log_path: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.ws_url = f"ws://{HOST}:{self.port}/_stcore/stream"
        self.log_path = log_path
        self.extra = extra
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0  # time.monotonic() at launch
        self.health_s = float("nan")  # launch -> health `ok`

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 90.0) -> Server:
        """Launch and wait (at most `timeout` s) for health `ok`; raises RuntimeError with the log tail."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **(self.env or {})}
        with open(self.log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
            self.started = time.monotonic()
            self.proc = subprocess.Popen(
                server_cmd(self.port, *self.extra), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        deadline = self.started + timeout
        while not healthy(self.url):
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)
        self.health_s = time.monotonic() - self.started
        return self

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- /proc probes ---------------------------------------------------------------------------


def tree_pids(pid: int) -> list[int]:
    """pid and all its descendants (via /proc/PID/task/TID/children); vanished processes are skipped."""
    out, todo = [], [pid]
    while todo and len(out) < 1000:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def rss_bytes(pid: int) -> int:
    """Resident memory of the process tree rooted at pid, in bytes (0 for vanished processes)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by the process tree rooted at pid (live processes)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return total / CLOCK_TICKS


def thread_count(pid: int) -> int:
    """Threads of the process tree rooted at pid (entries of /proc/PID/task)."""
    total = 0
    for p in tree_pids(pid):
        try:
            total += len(os.listdir(f"/proc/{p}/task"))
        except OSError:
            continue
    return total


class RssSampler(threading.Thread):
    """Samples the tree's RSS and thread count every `interval` s until stopped (or `max_s` passed)."""

    def __init__(self, pid: int, interval: float = 0.5, max_s: float = 3600.0) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid, self.interval, self.max_s = pid, interval, max_s
        self.samples: list[tuple[float, int, int, float]] = []  # (t, rss bytes, threads, cpu seconds)
        self._halt = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._halt.is_set() and time.monotonic() - t0 < self.max_s:
            t = time.monotonic() - t0
            self.samples.append((t, rss_bytes(self.pid), thread_count(self.pid), cpu_seconds(self.pid)))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    @property
    def peak_rss(self) -> int:
        return max((s[1] for s in self.samples), default=0)

    def cores_used(self, t_from: float, t_to: float) -> float:
        """Mean CPU cores the tree used between two sample times (seconds since the start)."""
        win = [s for s in self.samples if t_from <= s[0] <= t_to]
        if len(win) < 2 or win[-1][0] <= win[0][0]:
            return float("nan")
        return (win[-1][3] - win[0][3]) / (win[-1][0] - win[0][0])

    @property
    def peak_threads(self) -> int:
        return max((s[2] for s in self.samples), default=0)


# --- the websocket session ------------------------------------------------------------------


@dataclass
class Run:
    """One script run as the client saw it."""

    latency: float  # BackMsg sent -> script_finished received (s)
    status: int | None = None  # script_finished status; None when it never came
    errors: list[str] = field(default_factory=list)  # exception elements, st.error alerts, disconnects
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (format name, body) of every alert
    elements: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == FINISHED and not self.errors


def element_type(fm: ForwardMsg) -> str | None:
    """The element type of a new_element delta (e.g. "progress"), else None."""
    if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
        return fm.delta.new_element.WhichOneof("type")
    return None


def _key_of(widget_id: str) -> str | None:
    """The user key of a keyed widget id (`$$ID-<hash>-<key>`)."""
    if widget_id.startswith("$$ID-"):
        parts = widget_id.split("-", 2)
        return parts[2] if len(parts) == 3 else None
    return None


class Session:
    """One browser tab: a websocket session that reruns the script and changes widgets by key."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self.ws: Any = None
        self.widgets: dict[str, tuple[str, Any]] = {}  # key -> (element type, element proto), last run
        self.states: dict[str, WidgetState] = {}  # widget id -> state the "browser" holds
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self.runs = 0

    async def connect(self, timeout: float = 30.0) -> None:
        from websockets.asyncio.client import connect

        self.ws = await asyncio.wait_for(
            connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout), timeout
        )

    async def close(self) -> None:
        """Close cleanly (a close frame), as a browser tab that is closed does."""
        if self.ws is not None:
            await asyncio.wait_for(self.ws.close(), 10)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, as a lost network does."""
        if self.ws is not None:
            self.ws.transport.abort()

    async def read_until(self, want: Callable[[ForwardMsg], bool], timeout: float = 30.0) -> ForwardMsg | None:
        """Read ForwardMsgs until one satisfies `want`; None after `timeout` s or on disconnect."""
        from websockets.exceptions import ConnectionClosed

        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except (TimeoutError, ConnectionClosed):
                return None
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            if want(fm):
                return fm
        return None

    def _state(self, key: str, value: Any) -> WidgetState:
        kind, el = self.widgets[key]
        s = WidgetState(id=el.id)
        if kind == "slider" and el.type == Slider.Type.SELECT_SLIDER:
            s.string_array_value.data.append(el.options[value] if isinstance(value, int) else str(value))
        elif kind == "slider":
            s.double_array_value.data.append(float(value))
        elif kind == "selectbox":
            s.string_value = el.options[value] if isinstance(value, int) else str(value)
        elif kind == "checkbox":
            s.bool_value = bool(value)
        elif kind == "number_input":
            s.double_value = float(value)
        else:  # pragma: no cover - only the types above are tracked
            raise ValueError(f"cannot set a {kind}")
        return s

    def options(self, key: str) -> list[str]:
        """The (formatted) options of a selectbox or select-slider seen in the last run."""
        return list(self.widgets[key][1].options)

    def bounds(self, key: str) -> tuple[float, float]:
        el = self.widgets[key][1]
        return el.min, el.max

    async def send_rerun(self, changes: dict[str, Any] | None = None, query_string: str | None = None) -> float:
        """Send a rerun_script BackMsg (widget changes by key); returns the send time."""
        for key, value in (changes or {}).items():
            s = self._state(key, value)
            self.states[s.id] = s
        if query_string is not None:
            self.query_string = query_string
        bm = BackMsg()
        cs = bm.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_hash
        cs.widget_states.widgets.extend(self.states.values())
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        t0 = time.perf_counter()
        await self.ws.send(bm.SerializeToString())
        return t0

    async def rerun(
        self, changes: dict[str, Any] | None = None, query_string: str | None = None, timeout: float = 60.0
    ) -> Run:
        """Rerun (with widget changes) and read until script_finished (at most `timeout` s)."""
        t0 = await self.send_rerun(changes, query_string)
        return await self.read_run(t0, timeout)

    async def read_run(self, t0: float, timeout: float = 60.0) -> Run:
        """Read ForwardMsgs until a script_finished that ends the run (early-for-rerun ends are skipped)."""
        from websockets.exceptions import ConnectionClosed

        run = Run(latency=float("nan"))
        seen: dict[str, tuple[str, Any]] = {}
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                run.errors.append(f"timeout: no script_finished after {timeout:.0f} s")
                break
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                continue
            except ConnectionClosed as e:
                run.errors.append(f"disconnected: {e!r}")
                break
            run.bytes += len(raw)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            ty = fm.WhichOneof("type")
            if ty == "delta" and fm.delta.WhichOneof("type") == "new_element":
                run.elements += 1
                el_type = fm.delta.new_element.WhichOneof("type")
                el = getattr(fm.delta.new_element, el_type)
                if el_type == "exception":
                    run.errors.append(f"exception: {el.type}: {el.message}"[:300])
                elif el_type == "alert":
                    fmt = Alert.Format.Name(el.format)
                    run.alerts.append((fmt, el.body))
                    if el.format == Alert.Format.ERROR:
                        run.errors.append(f"st.error: {el.body}"[:300])
                elif el_type in WIDGET_TYPES:
                    key = _key_of(el.id)
                    if key:
                        seen[key] = (el_type, el)
            elif ty == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string  # the browser's address bar follows
            elif ty == "new_session":
                for p in fm.new_session.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
            elif ty == "session_event" and fm.session_event.WhichOneof("type") == "script_compilation_exception":
                run.errors.append("script compilation exception")
            elif ty == "script_finished":
                if fm.script_finished == EARLY:
                    continue  # st.rerun / switch_page: the next run follows
                run.status = fm.script_finished
                run.latency = time.perf_counter() - t0
                if fm.script_finished != FINISHED:
                    run.errors.append(
                        f"script_finished status {ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)}"
                    )
                break
        if run.status == FINISHED:
            self.widgets = seen
            ids = {el.id for _, el in seen.values()}
            self.states = {i: s for i, s in self.states.items() if i in ids}  # unmounted widgets drop their state
            self.runs += 1
        return run


def run_coro(coro: Any) -> Any:
    """asyncio.run in a fresh thread: the test process may already run an event loop (Playwright's sync API)."""
    box: dict[str, Any] = {}

    def main() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    th = threading.Thread(target=main, name="st-client-loop")
    th.start()
    th.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
