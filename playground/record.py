"""Record a training run for playback: snapshots of the model at chosen epochs beside its full loss history.

The schedule is log-spaced (dense early, where the losses fall fastest) merged with evenly spaced epochs (so
the late turn of the validation loss is not sampled sparsely), and the recorder is a `fit` progress callback
called only at those epochs (`fit(..., every=<set of epochs>)`): a snapshot costs one prediction on the
drawing grid. The last snapshot is taken from the finished result; the best epoch's is exact whenever the
best epoch is on the schedule or the run restored the best weights (early stop, divergence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .classify import grid_probability
from .data import Dataset
from .settings import ModelSettings, TrainSettings
from .train import FitResult, Progress, fit

FRAMES = 120  # snapshots per run at most (plus the last and, when exact, the best)
CHUNK = 16  # kept weight copies predicted per pass: 16 x a 50x50 grid x 64 units is 10 MB of activations
Probe = Callable[[Callable[[np.ndarray], np.ndarray]], np.ndarray]  # predict -> one snapshot


def schedule(epochs: int, n: int = FRAMES) -> frozenset[int]:
    """min(n, epochs) epochs in 1..epochs: half log-spaced, the rest evenly spaced, always 1 and `epochs`."""
    if epochs < 1:
        return frozenset()
    n = min(n, epochs)
    log = np.rint(np.geomspace(1, epochs, max(n // 2, 1))).astype(int)  # dense at the start
    picks: set[int] = {1, epochs, *log.tolist()}
    m = n - len(picks)
    while len(picks) < n:  # the log half repeats its first epochs: top up with evenly spaced ones
        m += 1
        picks = {1, epochs, *log.tolist(), *np.rint(np.linspace(1, epochs, m)).astype(int).tolist()}
    ep = sorted(picks)
    while len(ep) > n:  # one step of m can overshoot: drop the interior epoch where they are densest
        gaps = [(ep[i + 1] - ep[i - 1]) / ep[i] for i in range(1, len(ep) - 1)]  # relative: keep the start dense
        del ep[1 + int(np.argmin(gaps))]
    return frozenset(ep)


@dataclass
class Recording:
    """A recorded run: snapshot epochs (F,), snapshots (F, ...) float32, per-epoch histories (E+1,) float32."""

    epochs: np.ndarray  # (F,) int, increasing
    frames: np.ndarray  # (F, P) curve values or (F, G, G) probabilities
    train_loss: np.ndarray  # (E+1,) epoch 0 = initial weights
    val_loss: np.ndarray
    best_epoch: int | None
    train_acc: np.ndarray | None = None  # (E+1,) classification only
    val_acc: np.ndarray | None = None
    train_loss_on: np.ndarray | None = None  # (E,) with dropout: training epoch e's loss, dropout on, at e - 1

    @property
    def last_epoch(self) -> int:
        """The last epoch the run measured."""
        return len(self.val_loss) - 1

    def frame_of(self, epoch: int) -> int:
        """Index of the snapshot nearest `epoch` (the best epoch's own snapshot when it has one)."""
        return int(np.argmin(np.abs(self.epochs - epoch)))

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (before encoding)."""
        arrs = [
            self.epochs,
            self.frames,
            self.train_loss,
            self.val_loss,
            self.train_acc,
            self.val_acc,
            self.train_loss_on,
        ]
        return sum(a.nbytes for a in arrs if a is not None)


@dataclass
class Recorder:
    """A `fit` callback that keeps a snapshot at each scheduled epoch, then hands the epochs on to `inner`.

    `probe(predict)` turns the model's predict function into one snapshot (e.g. the curve on a grid);
    `inner` (e.g. a live progress display) sees every call and may return False to stop the run.
    """

    probe: Probe
    epochs: frozenset[int]
    inner: Callable[[Progress], bool | None] | None = None
    snaps: dict[int, np.ndarray] = field(default_factory=dict)
    copies: dict[int, Any] = field(default_factory=dict)  # epoch -> a copy of the weights, predicted at the end
    at: Callable[[list[Any]], Callable[[np.ndarray], np.ndarray]] | None = None  # copies -> their predict

    def __call__(self, p: Progress) -> bool | None:
        """Take this epoch's snapshot, or a copy of the weights where the engine offers one (fit calls this at the
        scheduled epochs only): one prediction per epoch costs ~100 µs of calls, a copy ~2 µs."""
        if p.epoch in self.epochs:
            if p.copy is not None and p.predict_copies is not None:
                self.copies[p.epoch], self.at = p.copy(), p.predict_copies
            else:
                self.snaps[p.epoch] = np.asarray(self.probe(p.predict), dtype=np.float32)
        return self.inner(p) if self.inner is not None else None

    def _predict_copies(self, last: int) -> dict[int, np.ndarray]:
        """The snapshots of the kept copies up to epoch `last`, CHUNK copies per pass (bounded memory)."""
        ep = sorted(e for e in self.copies if e <= last)
        out: dict[int, np.ndarray] = {}
        at = self.at
        for i in range(0, len(ep), CHUNK):
            assert at is not None  # set with the first copy
            es = ep[i : i + CHUNK]
            snaps = np.asarray(self.probe(at([self.copies[e] for e in es])), dtype=np.float32)  # (f, ...)
            if snaps.ndim == 0 or len(snaps) != len(es):  # a probe that is not elementwise in its leading axis
                snaps = np.stack([self._one(at, self.copies[e]) for e in es])
            out.update(zip(es, snaps, strict=True))
        return out

    def _one(self, at: Callable[[list[Any]], Callable[[np.ndarray], np.ndarray]], copy: Any) -> np.ndarray:
        """One copy's snapshot through a predict of its own (the probe sees an unbatched model)."""
        return np.asarray(self.probe(lambda z: at([copy])(z)[0]), dtype=np.float32)

    def finish(self, res: FitResult) -> Recording:
        """The recording of the finished run: the scheduled snapshots it reached plus its final model."""
        last = len(res.val_loss) - 1
        restored = res.stop_reason in ("early stop", "diverged")  # fit put the best weights back
        final = res.best_epoch if restored and res.best_epoch is not None else last
        snaps = {e: s for e, s in self.snaps.items() if e <= last} | self._predict_copies(last)
        snaps[final] = np.asarray(self.probe(res.predict), dtype=np.float32)
        ep = sorted(snaps)
        acc = (
            (np.asarray(res.train_acc, np.float32), np.asarray(res.val_acc, np.float32))
            if res.train_acc
            else (None, None)
        )
        return Recording(
            epochs=np.asarray(ep, dtype=np.int32),
            frames=np.stack([snaps[e] for e in ep]),
            train_loss=np.asarray(res.train_loss, dtype=np.float32),
            val_loss=np.asarray(res.val_loss, dtype=np.float32),
            best_epoch=res.best_epoch,
            train_acc=acc[0],
            val_acc=acc[1],
            train_loss_on=np.asarray(res.train_loss_on, dtype=np.float32) if res.train_loss_on else None,
        )


def curve_probe(xs: np.ndarray) -> Probe:
    """Snapshots of a regression model: its predictions on the drawing grid xs (P,)."""
    return lambda predict: predict(xs)


def grid_probe(gx: np.ndarray, gy: np.ndarray) -> Probe:
    """Snapshots of a classifier: P(class 1) on the grid, shape (len(gy), len(gx)), from its logits."""
    return lambda predict: grid_probability(predict, gx, gy)


def record_fit(
    data: Dataset,
    ms: ModelSettings,
    ts: TrainSettings,
    probe: Probe,
    *,
    n: int = FRAMES,
    inner: Callable[[Progress], bool | None] | None = None,
    **kw: Any,
) -> tuple[FitResult, Recording]:
    """`fit` with a recorder at `schedule(ts.epochs, n)`; `kw` go to fit (device, transform, max_seconds...)."""
    rec = Recorder(probe, schedule(ts.epochs, n), inner)
    res = fit(data, ms, ts, callback=rec, every=rec.epochs, **kw)
    return res, rec.finish(res)
