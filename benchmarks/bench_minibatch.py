"""Benchmark mini-batch training of a small network: numpy's steps against the torch loop, in the same run.

The case of issue #13: an 8-8 tanh network, SGD, batch 10, 250 training points (Classify, two moons), where
TensorFlow Playground's own engine (its nn.ts, plain JavaScript loops in Node) did 560-790 epochs/s. Give
`--tfp DIR/nn.js` (TensorFlow Playground's src/nn.ts compiled with tsc) to time it here too, on the same points'
shape, in the same run. Then the largest networks the numpy path serves, against the work bound's estimate.

Run by hand: `.venv/bin/python benchmarks/bench_minibatch.py [--tfp PATH] [--strict]`. torch and numpy on one thread.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import minibatch  # noqa: E402
from playground.classify import ClassSettings, class_data, fit_classifier  # noqa: E402
from playground.data import make_classes  # noqa: E402
from playground.settings import WORK_LIMIT, ModelSettings, TrainSettings, epoch_work, numpy_batches  # noqa: E402
from playground.train import fit  # noqa: E402

EPOCHS = 600
REPEATS = 3
TARGET = 600  # epochs/s (issue #13)
UNIT_S = 1e-10  # the work bound's assumption: one work unit costs at most this on one core

# Our own driver of TensorFlow Playground's nn.js: its oneStep (one point at a time, an update every batchSize
# points, then the training and test losses), timed over `epochs`.
TFP_DRIVER = r"""
const nn = require(process.argv[2]);
const n = +process.argv[3], nv = +process.argv[4], bs = 10, epochs = +process.argv[5];
const pt = () => { const x = Math.random() * 2 - 1, y = Math.random() * 2 - 1; return {x, y, label: x * y > 0 ? 1 : -1}; };
const tr = Array.from({length: n}, pt), te = Array.from({length: nv}, pt);
const net = nn.buildNetwork([2, 8, 8, 1], nn.Activations.TANH, nn.Activations.TANH, null, ["x1", "x2"], false);
const loss = ps => ps.reduce((s, p) => s + nn.Errors.SQUARE.error(nn.forwardProp(net, [p.x, p.y]), p.label), 0);
function epoch() {
  tr.forEach((p, i) => {
    nn.forwardProp(net, [p.x, p.y]);
    nn.backProp(net, p.label, nn.Errors.SQUARE);
    if ((i + 1) % bs === 0) nn.updateWeights(net, 0.03, 0);
  });
  return loss(tr) + loss(te);
}
for (let i = 0; i < 50; i++) epoch();
const t0 = process.hrtime.bigint();
for (let i = 0; i < epochs; i++) epoch();
console.log(JSON.stringify({s: Number(process.hrtime.bigint() - t0) / 1e9}));
"""


def _tfp(path: str, n: int, nv: int) -> float:
    """TensorFlow Playground's epochs per second on n training and nv test points (Node)."""
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(TFP_DRIVER)
    out = subprocess.run(["node", f.name, str(Path(path).resolve()), str(n), str(nv), str(EPOCHS)], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return EPOCHS / json.loads(out.stdout)["s"]


def main() -> int:
    """Time the candidates interleaved; with --strict, exit status 1 when the target is missed."""
    torch.set_num_threads(1)
    cs = ClassSettings(cn=357, cval=0.3, hidden=2, cwidth=8)  # 250 training + 107 validation points
    ms = ModelSettings(family="mlp", activation="tanh")
    ts = TrainSettings(optimizer="sgd", lr=0.03, epochs=EPOCHS, batch_size=10, device="cpu")
    data = class_data(cs)

    def ours(on: bool) -> float:
        minibatch.ENABLED = on
        t0 = time.perf_counter()
        fit_classifier(cs, ms, ts)
        return EPOCHS / (time.perf_counter() - t0)

    tfp = sys.argv[sys.argv.index("--tfp") + 1] if "--tfp" in sys.argv else None
    cands = {"torch loop (before)": lambda: ours(False), "numpy steps (ours)": lambda: ours(True)}
    if tfp:
        cands["TensorFlow Playground nn.js (Node)"] = lambda: _tfp(tfp, data.n, len(data.y_val))
    for fn in cands.values():
        fn()
    rates: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(REPEATS):
        for k, fn in cands.items():
            rates[k].append(fn())
    minibatch.ENABLED = True
    med = {k: statistics.median(v) for k, v in rates.items()}
    base = med["torch loop (before)"]
    print(f"torch {torch.__version__}, one thread; {data.n} training + {len(data.y_val)} validation points, "
          f"8-8 tanh, SGD, batch 10, {EPOCHS} epochs, {REPEATS} interleaved repeats")  # fmt: skip
    print(f"  {'candidate':<38} {'epochs/s':>9} {'÷ torch loop':>13}")
    for k, v in med.items():
        print(f"  {k:<38} {v:>9.0f} {v / base:>13.1f}")
    ok = med["numpy steps (ours)"] >= TARGET
    print(f"  target >= {TARGET} epochs/s: {med['numpy steps (ours)']:.0f} -> {'PASS' if ok else 'MISS'}")
    if tfp:
        r = med["numpy steps (ours)"] / med["TensorFlow Playground nn.js (Node)"]
        print(f"  ours ÷ TensorFlow Playground, same run: {r:.2f}")

    # The largest runs the numpy path serves, timed against the work bound's estimate of them.
    print("\nThe work bound on the numpy path: seconds of the most epochs allowed, measured on a short run")
    print(f"  {'network':<22} {'points':>6} {'batch':>5} {'epochs':>7} {'s (est.)':>9} {'s / unit':>10}")
    for width, layers, n, bs in [(8, 2, 250, 10), (16, 3, 1000, 1), (128, 1, 1000, 16), (64, 2, 500, 8)]:
        d = make_classes("moons", n + n // 2, 0.2, 1 / 3, 0)
        m = ModelSettings(family="mlp", width=width, layers=layers, activation="tanh")
        t = TrainSettings(optimizer="adam", epochs=20, batch_size=bs, device="cpu")
        assert numpy_batches(m, t, d.n, 2, layers), (width, layers, bs)
        w = epoch_work(d.n, len(d.y_val), 2, width, layers, bs, 0.0, True)
        most = int(WORK_LIMIT // w)
        t0 = time.perf_counter()
        fit(d, m, t, device="cpu")
        per = (time.perf_counter() - t0) / t.epochs
        print(f"  {f'{layers} x {width}':<22} {d.n:>6} {bs:>5} {most:>7} {per * most:>9.2f} {per / w:>10.1e}")
    print(f"  (the bound assumes <= {UNIT_S:.0e} s a unit: ~{WORK_LIMIT * UNIT_S:.0f} s at most on one core)")
    return 1 if "--strict" in sys.argv and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
