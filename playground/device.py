"""Device choice (CUDA, then MPS, then CPU), the CPU fallback when a GPU fails, and torch thread settings."""

from __future__ import annotations

import contextlib
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


def failure_note(err: BaseException, dev: torch.device) -> str | None:
    """The student's note when `err` is the accelerator `dev` failing (busy, out of memory, ...), else None."""
    if dev.type == "cpu" or not isinstance(err, RuntimeError | AssertionError):  # OutOfMemoryError is a RuntimeError
        return None
    text = "out of memory" if isinstance(err, torch.cuda.OutOfMemoryError) else str(err).lower()
    if "out of memory" in text:
        note = "The GPU ran out of memory; this run trained on the CPU instead."
    elif "busy or unavailable" in text:
        note = "The GPU is busy; this run trained on the CPU instead."
    elif "cuda" in text or "mps" in text:  # other CUDA / MPS errors, "Torch not compiled with CUDA enabled"
        note = "The GPU failed; this run trained on the CPU instead."
    else:
        note = None  # not the device: the caller re-raises, so a bug stays visible
    return note


def release(dev: torch.device) -> None:
    """Hand a failed accelerator's cached memory back (best effort)."""
    if dev.type == "cuda":
        with contextlib.suppress(Exception):
            torch.cuda.empty_cache()


def configure_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads once (env PLAYGROUND_THREADS, else 1 per process)."""
    # Many sessions share one server: one thread each keeps them from oversubscribing the cores.
    n = n or int(os.environ.get("PLAYGROUND_THREADS", "1"))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
