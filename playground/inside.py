"""Inside the network: every neuron's activation over the plane, for TensorFlow Playground's node pictures.

Works on any trained `nn.Sequential` of Linear layers with activations (and dropout) between them, so every
depth (0..6 hidden layers) and every per-layer width is handled the same way. Layer 0 is the input features,
the last layer the output; each hidden neuron's picture is its output after the activation. The pictures are
quantised to 256 levels each (uint8), so a 6 x 8 network on a 40 x 40 grid is about 90 kB before encoding.

The pictures at an earlier epoch e of a run are those of the network trained with the same settings for e epochs
(results are pure functions of settings: the same seeds, batches and updates), so `shown_epochs` only picks which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

MAX_UNITS = 8  # neurons drawn per layer: wider layers show their first 8
LEVELS = 255  # uint8 levels 0..255 over each picture's range
SHOWN_EPOCHS = 8  # epochs of a run whose pictures the slider offers


def shown_epochs(last: int, best: int | None = None, n: int = SHOWN_EPOCHS) -> tuple[int, ...]:
    """At most n epochs of a run that measured 1..last: the first, log-spaced ones (dense early), the best, the last.

    A run of at most n epochs offers every epoch; the best epoch (0 is the initial weights, never offered) is kept.
    """
    if last < 1:
        return ()
    if last <= n:
        return tuple(range(1, last + 1))
    fixed = {1, last} | ({best} if best is not None and 1 <= best <= last else set())
    picks = set(fixed)
    k = n - len(fixed) + 2
    while len(picks) < n:  # rounding merges early log-spaced epochs: ask for more until n are distinct
        log = np.rint(np.geomspace(1, last, k)).astype(int).tolist()
        picks = fixed | set(log)
        k += 1
    while len(picks) > n:  # one more can overshoot: drop the log-spaced epoch nearest another, relatively
        ep = sorted(picks)
        free = [i for i in range(1, len(ep) - 1) if ep[i] not in fixed]
        del_at = min(free, key=lambda i: min(ep[i] - ep[i - 1], ep[i + 1] - ep[i]) / ep[i])
        picks.discard(ep[del_at])
    return tuple(sorted(picks))


def sequential(net: nn.Module) -> nn.Sequential:
    """The nn.Sequential of a network (models.MLP keeps it as .net); a Sequential is itself."""
    if isinstance(net, nn.Sequential):
        return net
    seq = getattr(net, "net", None)
    if not isinstance(seq, nn.Sequential):
        raise TypeError(f"not a sequential network: {type(net).__name__}")
    return seq


def linears(net: nn.Module) -> list[nn.Linear]:
    """The Linear layers of a network, input to output."""
    return [m for m in sequential(net) if isinstance(m, nn.Linear)]


def activations(net: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """Each layer's output at the inputs x (P, F): [x, hidden 1, ..., hidden L, output logit], each (P, width).

    A hidden layer's output is what enters the next Linear layer (after its activation; dropout is off in eval
    mode); the output layer's is the last Linear layer's (the logit).
    """
    seq = sequential(net)
    lins = linears(seq)
    if not lins:
        raise ValueError("a network without a Linear layer")
    w = lins[0].weight
    h = x.to(device=w.device, dtype=w.dtype)
    outs = [h]
    was = seq.training
    seq.eval()
    try:
        with torch.no_grad():
            seen = 0
            for m in seq:
                if isinstance(m, nn.Linear) and seen:  # the previous layer ends where the next Linear begins
                    outs.append(h)
                seen += isinstance(m, nn.Linear)
                h = m(h)
            outs.append(h)
    finally:
        seq.train(was)
    return outs


@dataclass(frozen=True, eq=False)  # arrays inside: compare fields, not pictures
class Inside:
    """The neuron pictures of one network on a G x G grid, at most MAX_UNITS a layer (compact, cacheable).

    Layer 0 is the inputs, layer L + 1 the output. A picture's levels q (uint8, rows follow gy) stand for
    lo + q / 255 * (hi - lo); hidden and input pictures span a range symmetric about 0 (level 127.5 is 0),
    the output's is P(class 1) on [0, 1].
    """

    gx: np.ndarray  # (G,) float32
    gy: np.ndarray  # (G,) float32
    names: tuple[str, ...]  # the input features, one per input neuron
    widths: tuple[int, ...]  # every layer's full width: (F, h1, ..., hL, 1)
    maps: tuple[np.ndarray, ...]  # per layer (n_shown, G, G) uint8
    lo: tuple[np.ndarray, ...]  # per layer (n_shown,) float32
    hi: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]  # per Linear layer (n_shown_out, n_shown_in) float32
    bias: tuple[np.ndarray, ...]  # per Linear layer (n_shown_out,) float32

    @property
    def shown(self) -> tuple[int, ...]:
        """Neurons drawn per layer."""
        return tuple(len(m) for m in self.maps)

    @property
    def trimmed(self) -> bool:
        """Whether some layer is wider than the neurons drawn."""
        return self.shown != self.widths

    def values(self, layer: int, unit: int) -> np.ndarray:
        """One picture as numbers (G, G) float32: the activation (the output: P(class 1)), to 1/510 of its range."""
        lo, hi = self.lo[layer][unit], self.hi[layer][unit]
        return (lo + self.maps[layer][unit].astype(np.float32) * np.float32((hi - lo) / LEVELS)).astype(np.float32)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (before encoding)."""
        arrs = [self.gx, self.gy, *self.maps, *self.lo, *self.hi, *self.weights, *self.bias]
        return sum(a.nbytes for a in arrs)


def _bias(lin: nn.Linear) -> torch.Tensor:
    return lin.bias.detach() if lin.bias is not None else torch.zeros(lin.out_features)


def quantise(a: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Levels 0..255 of a (n, ...) over each row's [lo, hi] (n,); a row with lo == hi is all level 0."""
    span = np.where(hi > lo, hi - lo, 1.0).reshape(-1, *([1] * (a.ndim - 1)))
    q = np.rint((a - lo.reshape(span.shape)) / span * LEVELS)
    return np.clip(q, 0, LEVELS).astype(np.uint8)


def inside(
    net: nn.Module,
    transform: Callable[[torch.Tensor], torch.Tensor],
    names: tuple[str, ...],
    gx: np.ndarray,
    gy: np.ndarray,
    max_units: int = MAX_UNITS,
) -> Inside:
    """The pictures of every neuron of `net` over the grid gx x gy; `transform` maps raw points to its features."""
    xx, yy = np.meshgrid(gx, gy)  # (G, G): rows follow y, as a heatmap's z does
    pts = torch.from_numpy(np.c_[xx.ravel(), yy.ravel()]).double()  # (G*G, 2)
    feats = transform(pts).reshape(len(pts), -1)  # (G*G, F)
    outs = activations(net, feats)
    g = (len(gy), len(gx))
    maps, lo, hi = [], [], []
    for i, h in enumerate(outs):
        a = h[:, :max_units].double().cpu().numpy().T.reshape(-1, *g)  # (n, G, G)
        if i == len(outs) - 1:  # the output: P(class 1), as the boundary chart shows it
            a = 0.5 * (1.0 + np.tanh(0.5 * a))
            lo_i, hi_i = np.zeros(len(a)), np.ones(len(a))
        else:
            m = np.abs(a).reshape(len(a), -1).max(1)  # (n,)
            lo_i, hi_i = -m, m
        maps.append(quantise(a, lo_i, hi_i))
        lo.append(lo_i.astype(np.float32))
        hi.append(hi_i.astype(np.float32))
    lins = linears(net)
    return Inside(
        gx=np.asarray(gx, np.float32),
        gy=np.asarray(gy, np.float32),
        names=tuple(names),
        widths=tuple(h.shape[1] for h in outs),
        maps=tuple(maps),
        lo=tuple(lo),
        hi=tuple(hi),
        # copies, not views of the parameters: a network that trains on (a callback's) must not change them
        weights=tuple(lin.weight.detach()[:max_units, :max_units].float().cpu().numpy().copy() for lin in lins),
        bias=tuple(_bias(lin)[:max_units].float().cpu().numpy().copy() for lin in lins),
    )
