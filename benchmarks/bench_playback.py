"""Benchmark training playback: recording overhead, payload bytes, and in a real Chromium against the real server
the time from page open to the first chart, from a settings change to the new curve, and the playback frame rate.

Run by hand: `.venv/bin/python benchmarks/bench_playback.py [--no-browser]`. Recording is timed as CPU time on one
torch thread, interleaved with the same runs without recording (the baseline measured in this run); the machine's
load changes the browser numbers, so read them next to the load average printed with them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import plotly.io as pio
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.classify import ClassSettings, boundary_grid, class_data, make_transform, net_settings  # noqa: E402
from playground.data import make_data  # noqa: E402
from playground.figures import grid  # noqa: E402
from playground.figures.playback import classify_playback, fit_playback  # noqa: E402
from playground.record import curve_probe, grid_probe, record_fit  # noqa: E402
from playground.settings import DataSettings, ModelSettings, TrainSettings  # noqa: E402
from playground.train import fit  # noqa: E402
from tests.st_client import free_port, server_cmd  # noqa: E402

REPEATS = 7
RUNS = {  # (label, model, training): the three training paths
    "engine 1x64, 1000 epochs": (ModelSettings(family="mlp"), TrainSettings(epochs=1000)),
    "torch 2x64, 500 epochs": (ModelSettings(family="mlp", layers=2, width=64), TrainSettings(epochs=500)),
    "mini-batch 5, 300 epochs": (ModelSettings(family="mlp"), TrainSettings(epochs=300, batch_size=5)),
}


def cpu(f) -> float:
    t0 = time.process_time()
    f()
    return time.process_time() - t0


def overhead() -> None:
    """Recorded run against the plain run, CPU seconds, medians of interleaved repeats."""
    torch.set_num_threads(1)
    data, xs = make_data(DataSettings()), grid(200)
    print("recording overhead (CPU s, median of", REPEATS, "interleaved runs)")
    for label, (ms, ts) in RUNS.items():
        plain = lambda ms=ms, ts=ts: fit(data, ms, ts, device="cpu")  # noqa: E731
        rec = lambda ms=ms, ts=ts: record_fit(data, ms, ts, curve_probe(xs), device="cpu")  # noqa: E731
        plain(), rec()
        a, b = [], []
        for _ in range(REPEATS):
            a.append(cpu(plain))
            b.append(cpu(rec))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"  {label:28s} plain {ma:.4f}  recorded {mb:.4f}  ratio {mb / ma:.2f}x (target <= 1.15x)")


def payload() -> None:
    """Bytes of the playback figures as Streamlit sends them (plotly's JSON)."""
    data, xs = make_data(DataSettings()), grid(200)
    _, rec = record_fit(data, ModelSettings(family="mlp"), TrainSettings(epochs=2000), curve_probe(xs), n=150)
    fig = fit_playback(data, xs, rec)
    n = len(pio.to_json(fig, validate=False))
    print(f"payload: Fit, 200-point curve x {len(rec.epochs)} frames + 2001-epoch losses: {n / 1e6:.3f} MB")
    cs = ClassSettings()
    cd = class_data(cs)
    for cells in (40, 50):
        gx, gy, _ = boundary_grid(cd, cells)
        _, rc = record_fit(
            cd, net_settings(cs, ModelSettings()), TrainSettings(epochs=1000), grid_probe(gx, gy), n=100,
            transform=make_transform(cs.features), hidden_layers=cs.hidden,
        )  # fmt: skip
        n = len(pio.to_json(classify_playback(cd, gx, gy, rc, chance=0.5), validate=False))
        print(f"payload: Classify, {cells}x{cells} grid x {len(rc.epochs)} frames: {n / 1e6:.3f} MB")


FPS_JS = """(ms) => new Promise(res => {
  const g = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout?.meta?.playback);
  const sig = () => [...g.querySelectorAll('.scatterlayer .trace path, .imagelayer image')]
    .map(p => p.getAttribute('d') || p.getAttribute('xlink:href') || '').join('|');
  let last = sig(), n = 0; const t0 = performance.now();
  function f() { const s = sig(); if (s !== last) { n++; last = s; }
    if (performance.now() - t0 < ms) requestAnimationFrame(f); else res(n / ((performance.now() - t0) / 1000)); }
  requestAnimationFrame(f);
})"""
WIRED = "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g.__pbWired)"


def browser() -> None:
    """Page open to first chart, degree slider to new curve, playback frame rates, in Chromium on the real server."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = subprocess.Popen(server_cmd(port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        print(f"browser (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium")
            pg = b.new_page(viewport={"width": 1400, "height": 1000})
            pg.goto(url)  # warm the server (torch import, first run)
            pg.wait_for_selector(".js-plotly-plot .scatterlayer path", timeout=120_000)
            opens = []
            for _ in range(3):
                t0 = time.perf_counter()
                pg.goto(url)
                pg.wait_for_selector(".js-plotly-plot .scatterlayer path", timeout=60_000)
                opens.append(time.perf_counter() - t0)
            print(f"  page open -> first chart: median {statistics.median(opens):.2f} s (target <= 2 s)")
            changes = []
            for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"):
                before = pg.evaluate("() => document.querySelector('.js-plotly-plot .scatterlayer').innerHTML.length")
                slider = pg.locator(".st-key-degree input[type='range']")
                slider.focus()
                t0 = time.perf_counter()
                pg.keyboard.press(key)
                pg.wait_for_function(
                    f"() => document.querySelector('.js-plotly-plot .scatterlayer')?.innerHTML.length !== {before}",
                    timeout=30_000,
                )
                changes.append(time.perf_counter() - t0)
                pg.wait_for_timeout(800)
            print(f"  degree slider -> new curve: median {statistics.median(changes):.2f} s (target <= 0.3 s)")
            for path, name in (
                ("/?family=mlp&epochs=1500&autoplay=0", "Fit"),
                ("/classify?epochs=600&autoplay=0", "Classify"),
            ):
                pg.goto(url + path)
                pg.wait_for_function(WIRED, timeout=120_000)
                pg.locator(".updatemenu-button", has_text="Reset").first.click()
                pg.locator(".updatemenu-button", has_text="Play").first.click()
                print(f"  {name} playback: {pg.evaluate(FPS_JS, 2000):.1f} frames/s")
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    np.random.seed(0)
    overhead()
    payload()
    if "--no-browser" not in sys.argv:
        browser()
