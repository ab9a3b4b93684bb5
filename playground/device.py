"""Device choice (CUDA, then MPS, then CPU) and torch thread settings."""

from __future__ import annotations

import os

import torch

DEVICES = ("auto", "cpu", "cuda", "mps")


def available() -> list[str]:
    """Devices usable on this machine, best first."""
    out = []
    if torch.cuda.is_available():
        out.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append("mps")
    return [*out, "cpu"]


def pick_device(prefer: str = "auto") -> tuple[torch.device, str | None]:
    """The device to use and a note when the preferred one is not available."""
    have = available()
    if prefer == "auto":
        return torch.device(have[0]), None
    if prefer in have:
        return torch.device(prefer), None
    note = "The chosen device is not available here; using the CPU."
    return torch.device("cpu"), note


def configure_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads once (env PLAYGROUND_THREADS, else 1 per process)."""
    # Many sessions share one server: one thread each keeps them from oversubscribing the cores.
    n = n or int(os.environ.get("PLAYGROUND_THREADS", "1"))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
