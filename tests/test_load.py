"""A short load test: 10 websocket sessions drag sliders (and train one MLP each) for 10 s on a real server.

The full one (30 sessions x 60 s, latency and memory targets) is `benchmarks/load_test.py`, run by hand.
Here only correctness under concurrency is asserted: no errors, and every session got its reruns
through. Latency is printed, not asserted: test machines are noisy.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.load_test import pct, run_load

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def test_ten_sessions_for_ten_seconds_have_no_errors() -> None:
    log = ARTIFACTS / "load-test-pytest-server.log"
    rep = run_load(sessions=10, seconds=10, think=(0.2, 0.8), mlp_runs=1, ramp=2.0, warmup=False, log_path=log)
    lat = rep.latencies("slider")
    print(
        f"{len(rep.samples)} reruns, slider p50 {pct(lat, 0.5):.2f} s, p95 {pct(lat, 0.95):.2f} s, "
        f"peak RSS {rep.peak_rss_mb:.0f} MB, finished per session {rep.finished_per_session}"
    )
    assert not rep.errors, "\n".join(rep.errors[:20]) + "\n" + log.read_text(errors="replace")[-3000:]
    assert len(rep.finished_per_session) == 10
    assert min(rep.finished_per_session) >= 1, rep.finished_per_session
    assert sum(s.kind == "mlp" for s in rep.samples) >= 1  # MLP training ran alongside the sliders
