"""Faults: a student who leaves mid-training, and a GPU that is absent, busy or out of memory.

1. Against a real `streamlit run` server (websocket sessions, tests/st_client.py): sessions that start a
   long MLP run and disconnect ~0.5 s later (a closed tab, or a dropped connection) leave no thread
   and no memory behind: the server's thread count (/proc/PID/task) returns to its baseline and its
   resident memory grows by less than RSS_SLACK_MB, and the server still serves a new session.
2. Without a GPU here, `torch` is monkeypatched: CUDA "available" but moving a tensor there fails
   (busy device, out of memory). `fit` and the Fit page must fall back to the CPU and say so in a note.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from playground.data import make_data
from playground.device import pick_device
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit
from tests.st_client import Server, Session, cpu_seconds, element_type, rss_bytes, run_coro, thread_count

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ARTIFACTS = ROOT / "artifacts"

# --- 1. disconnects mid-training --------------------------------------------------------------

LONG_RUN = "family=mlp&epochs=2000&width=128&layers=2"  # seconds of training, within the work bound
SHORT_RUN = "family=mlp&epochs=50"
DISCONNECTS = 5
CLOSE_AFTER_S = 0.5
THREAD_SLACK = 2  # uvicorn/asyncio may keep an idle worker thread or two
RSS_SLACK_MB = 50
SETTLE_S = 10.0  # at most this long for the thread count to come back to its baseline
IDLE_CORES = 0.25  # the script stops at its next Streamlit call (<= ~0.3 s); an abandoned run keeps ~1 core busy
MB = 1024 * 1024


async def _open_train_and_leave(url: str, abort: bool) -> float:
    """Open the Fit page training a big MLP, wait until training shows progress, leave 0.5 s later."""
    s = Session(url)
    await s.connect()
    await s.send_rerun(query_string=LONG_RUN)
    started = await s.read_until(lambda fm: element_type(fm) == "progress", timeout=60)
    assert started is not None, "the MLP run never showed its progress bar"
    await asyncio.sleep(CLOSE_AFTER_S)
    if abort:
        s.abort()
    else:
        await s.close()
    return time.monotonic()


def _settle(pid: int, limit: int, timeout: float) -> int:
    """Poll until the thread count is <= limit (or timeout); returns the last count."""
    t0 = time.monotonic()
    n = thread_count(pid)
    while n > limit and time.monotonic() - t0 < timeout:
        time.sleep(0.05)
        n = thread_count(pid)
    return n


def _cores(pid: int, seconds: float) -> float:
    """Mean CPU cores the server uses over the next `seconds`."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def _quiet(pid: int, seconds: float = 1.0, timeout: float = 20.0) -> int:
    """The thread count once it has not changed for `seconds` (bounded by `timeout`)."""
    end = time.monotonic() + timeout
    n, since = thread_count(pid), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        m = thread_count(pid)
        if m != n:
            n, since = m, time.monotonic()
        elif time.monotonic() - since >= seconds:
            break
    return n


def test_disconnect_mid_training_leaves_no_thread_or_memory_behind() -> None:
    log = ARTIFACTS / "faults-server.log"
    with Server(log) as srv:

        async def warm_up() -> None:
            s = Session(srv.ws_url)  # first render and first MLP run: torch and torch._dynamo imports
            await s.connect()
            r = await s.rerun(query_string=SHORT_RUN, timeout=120)
            assert r.ok, r.errors
            await s.close()
            await _open_train_and_leave(srv.ws_url, abort=False)  # the disconnect path itself, once

        run_coro(warm_up())
        threads0 = _quiet(srv.pid)
        rss0 = rss_bytes(srv.pid)

        async def leave_mid_training() -> float:
            last = 0.0
            for i in range(DISCONNECTS):
                last = await _open_train_and_leave(srv.ws_url, abort=i % 2 == 1)  # closed tabs and lost networks
            return last

        last_close = run_coro(leave_mid_training())
        time.sleep(max(0.0, last_close + 1.0 - time.monotonic()))
        busy = _cores(srv.pid, 1.5)  # 1 to 2.5 s after leaving: an abandoned run (8 s budget) keeps a core busy
        threads1 = _settle(srv.pid, threads0, timeout=SETTLE_S)
        settled_after = time.monotonic() - last_close
        rss1 = rss_bytes(srv.pid)

        async def still_serves() -> None:
            s = Session(srv.ws_url)
            await s.connect()
            r = await s.rerun(timeout=60)
            assert r.ok, r.errors
            await s.close()

        run_coro(still_serves())
        summary = (
            f"threads {threads0} before -> {threads1} after {DISCONNECTS} disconnects "
            f"(measured {settled_after:.1f} s after the last), server CPU 1-2.5 s after it {busy:.2f} cores, "
            f"RSS {rss0 / MB:.0f} -> {rss1 / MB:.0f} MB"
        )
        print(summary)
        assert busy < IDLE_CORES, f"a training run outlived its session: {summary}"
        assert threads1 <= threads0 + THREAD_SLACK, summary
        assert (rss1 - rss0) / MB < RSS_SLACK_MB, summary
        tracebacks = [ln for ln in srv.log_tail(100_000).splitlines() if "Traceback" in ln]
        assert not tracebacks, srv.log_tail()


# --- 2. a GPU that is absent, busy or out of memory -------------------------------------------

DATA = make_data(DataSettings(n=20, seed=3))
NET = ModelSettings(family="mlp", width=8)
TRAIN = TrainSettings(epochs=30, init_seed=1)
BUSY = RuntimeError("CUDA error: all CUDA-capable devices are busy or unavailable")


def _is_cuda(dev: object) -> bool:
    return isinstance(dev, (str, torch.device)) and torch.device(dev).type == "cuda"


@pytest.fixture
def no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CUDA and no MPS on this machine, whatever it has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    if getattr(torch.backends, "mps", None) is not None:
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture
def broken_gpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, BaseException]]:
    """CUDA reports itself available, but moving a tensor there raises fail["error"]."""
    fail: dict[str, BaseException] = {"error": BUSY}
    real_to = torch.Tensor.to

    def to(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        if _is_cuda(kwargs.get("device", args[0] if args else None)):
            raise fail["error"]
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.Tensor, "to", to)
    yield fail


def _cpu_reference() -> list[float]:
    return fit(DATA, NET, TRAIN, device="cpu").train_loss


def test_absent_gpu_picks_the_cpu_with_a_note(no_gpu: None) -> None:
    dev, note = pick_device("cuda")
    assert dev.type == "cpu" and note and "not available" in note
    res = fit(DATA, NET, TRAIN, device="cuda")
    assert res.device == "cpu" and res.note and "not available" in res.note
    assert res.train_loss == _cpu_reference()  # the same run as on the CPU directly


@pytest.mark.parametrize(
    "error",
    [
        BUSY,
        torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        RuntimeError("CUDA error: out of memory"),
    ],
    ids=["busy", "OutOfMemoryError", "RuntimeError-oom"],
)
def test_failing_gpu_falls_back_to_the_cpu_with_a_note(
    broken_gpu: dict[str, BaseException], error: BaseException
) -> None:
    broken_gpu["error"] = error
    ref = _cpu_reference()
    res = fit(DATA, NET, TRAIN, device="auto")  # auto picks "cuda": it is "available"
    assert res.device == "cpu"
    assert res.note and "CPU" in res.note
    assert res.train_loss == ref  # restarted from scratch on the CPU: same seed, same run


def test_gpu_out_of_memory_mid_training_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """The GPU takes the tensors, then runs out of memory at the 5th optimizer step."""
    import playground.train as train

    ref = _cpu_reference()
    real_to, real_opt = torch.Tensor.to, train.make_optimizer
    made = []

    def to(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        if "device" in kwargs and _is_cuda(kwargs["device"]):  # "moved" to the GPU: stays on the CPU
            kwargs = {**kwargs, "device": "cpu"}
        elif args and _is_cuda(args[0]):
            args = ("cpu", *args[1:])
        return real_to(self, *args, **kwargs)

    def make_optimizer(*args: object, **kwargs: object) -> torch.optim.Optimizer:
        opt = real_opt(*args, **kwargs)
        made.append(opt)
        if len(made) == 1:  # the "GPU" run's optimizer
            step, calls = opt.step, [0]

            def oom_step(*a: object, **k: object) -> object:
                calls[0] += 1
                if calls[0] == 5:
                    raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 MiB")
                return step(*a, **k)

            opt.step = oom_step
        return opt

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    monkeypatch.setattr(torch.random, "fork_rng", _no_fork)
    monkeypatch.setattr(torch.Tensor, "to", to)
    monkeypatch.setattr(train, "make_optimizer", make_optimizer)
    res = fit(DATA, NET, TRAIN, device="cuda")
    assert len(made) == 1, "the GPU run did not start"  # the CPU rerun takes the batched engine: no optimizer
    assert res.device == "cpu" and res.note and "memory" in res.note
    assert res.train_loss == ref  # restarted from scratch: the CPU run's history, bit for bit


def _no_fork(*args: object, **kwargs: object) -> object:
    """fork_rng without touching CUDA's generators (there is no CUDA here); CPU state still restored."""
    import contextlib

    @contextlib.contextmanager
    def cm() -> Iterator[None]:
        state = torch.get_rng_state()
        try:
            yield
        finally:
            torch.set_rng_state(state)

    return cm()


def test_other_errors_are_not_taken_for_a_gpu_failure(broken_gpu: dict[str, BaseException]) -> None:
    """A bug is not hidden by a CPU fallback: only accelerator failures fall back."""
    broken_gpu["error"] = ValueError("mat1 and mat2 shapes cannot be multiplied")
    with pytest.raises(ValueError, match="shapes"):
        fit(DATA, NET, TRAIN, device="auto")


def _fit_page_mlp(device: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"family": "mlp", "epochs": "20", "width": "8", "device": device})
    at.run()
    return at


def test_fit_page_without_gpu_trains_on_the_cpu_and_says_so(no_gpu: None) -> None:
    at = _fit_page_mlp("cuda")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("not available" in i.value for i in at.info), [i.value for i in at.info]
    assert at.metric[0].value != "—"  # trained: a training MSE is shown


def test_fit_page_with_gpu_out_of_memory_trains_on_the_cpu_and_says_so(
    broken_gpu: dict[str, BaseException],
) -> None:
    broken_gpu["error"] = torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    at = _fit_page_mlp("auto")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]  # today: "Something went wrong ... OutOfMemoryError"
    assert any("CPU" in i.value for i in at.info), [i.value for i in at.info]
    assert at.metric[0].value != "—"
