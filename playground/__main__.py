"""Command line: `python -m playground fit "n=5&degree=6" --out DIR` renders a page's figures to offline files.

Each subcommand is one entry of COMMANDS (name -> Command); a new page or preset is one more entry.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import io as pio
from .data import Dataset, make_data
from .figures import MODEL, degree_figure, fit_figure, grid, loss_figure
from .lessons import PRESETS, lesson
from .models import poly_errors
from .settings import (
    GUARD_SECONDS,
    NOTES,
    DataSettings,
    ModelSettings,
    Settings,
    TooMuchWork,
    TrainSettings,
    coerce,
    fmt_number,
    log_grid,
    nearest_on_grid,
    spec_of,
    to_raw,
)
from .train import FitResult, fit
from .verdict import Verdict, verdict

MAX_DEGREE_CURVE = 20  # as ui/fit_page.py: the degree chart always reaches at least degree 20
VERDICT_TITLE = {"underfit": "Underfitting", "good": "Good fit", "overfit": "Overfitting"}
EXIT_ERROR = 1


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, how it adds its arguments, and what it runs (returns the exit status)."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]) -> Callable:
    """Register `run` as the subcommand `name`."""

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = Command(help, configure, run)
        return run

    return register


# --- shared helpers ---------------------------------------------------------------------------


def query_of(text: str) -> dict[str, str]:
    """The settings of a query string or a full app URL, as a raw dict (a repeated key keeps its last value)."""
    s = text.strip()
    if "?" in s:  # a full URL (or a leading "?"): only the query part carries settings
        s = s.split("?", 1)[1]
    s = s.split("#", 1)[0]
    # dict() keeps the last of repeated keys, as st.query_params[key] does in the app.
    return dict(urllib.parse.parse_qsl(s, keep_blank_values=True))


def snap_logs(s: Settings) -> tuple[Settings, list[str]]:
    """Snap log-scale settings to the 1-2-5 grid of the page's sliders, so the CLI computes what the page shows."""
    vals, notes = {}, []
    for f in fields(s):  # type: ignore[arg-type]
        spec = spec_of(type(s), f.name)
        if spec.log:
            v = getattr(s, f.name)
            near = nearest_on_grid(v, log_grid(spec.lo or 0.0, spec.hi or 1.0))
            if near != v:
                vals[f.name] = near
                notes.append(NOTES["snapped"].format(label=spec.label, raw=fmt_number(v), v=fmt_number(near)))
    return (replace(s, **vals) if vals else s), notes  # type: ignore[type-var]


def parse_settings(raw: dict[str, str], groups: list[tuple[type[Settings], str]]) -> tuple[list[Settings], list[str]]:
    """Settings of each group from raw values (bad ones become the default plus a notice, never an error)."""
    out, notes = [], []
    known = {prefix + name for cls, prefix in groups for name in cls.specs()}
    notes += [f"unknown setting '{k[:40]}' ignored" for k in raw if k not in known]
    for cls, prefix in groups:
        s, n = coerce(cls, raw, prefix)
        s, n2 = snap_logs(s)
        out.append(s)
        notes += n + n2
    return out, notes


def has_kaleido() -> bool:
    """Whether PNG export can work (plotly writes images through the optional kaleido package)."""
    return importlib.util.find_spec("kaleido") is not None


def write_outputs(out: Path, figures: dict[str, Any], texts: dict[str, str], png: bool, standalone: bool) -> list[Path]:
    """Write each figure as HTML (and PNG when asked) plus text files; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    # No internet in class: the plotly.js library goes with the files, either in each file or shared once.
    js: bool | str = True if standalone else "directory"
    paths = []
    for name, fig in figures.items():
        p = out / f"{name}.html"
        fig.write_html(p, include_plotlyjs=js, full_html=True, config={"displaylogo": False})
        paths.append(p)
    if js == "directory":
        paths.append(out / "plotly.min.js")
    for name, text in texts.items():
        p = out / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    if png:
        for name, fig in figures.items():
            p = out / f"{name}.png"
            fig.write_image(p, width=900, height=fig.layout.height or 450, scale=2)
            paths.append(p)
    return paths


# --- fit ------------------------------------------------------------------------------------


@dataclass
class FitView:
    """What the Fit page shows for one set of settings: data, result, figures, metrics and verdict."""

    data: Dataset
    result: FitResult
    figures: dict[str, Any]  # name -> plotly Figure
    verdict: Verdict


def fit_view(ds: DataSettings, ms: ModelSettings, ts: TrainSettings, max_seconds: float | None) -> FitView:
    """Compute the Fit page's view (same data, fit, figures and verdict as ui/fit_page.py)."""
    data = make_data(ds)
    scale = float(np.var(data.truth_fn(grid())))
    if ms.family == "poly":
        res = fit(data, ms)
        tr, va = poly_errors(data.x, data.y, data.x_val, data.y_val, max(MAX_DEGREE_CURVE, ms.degree), ms.ridge)
        figs = {
            "fit": fit_figure(data, [(f"degree {ms.degree} fit", res.predict(grid()), MODEL)]),
            "degree": degree_figure(tr.numpy(), va.numpy(), ms.degree, ds.noise, title="Error against degree"),
        }
    else:
        res = fit(data, ms, ts, device=ts.device, max_seconds=max_seconds)
        figs = {
            "fit": fit_figure(data, [(f"network ({res.n_params:,} parameters)", res.predict(grid()), MODEL)]),
            "loss": loss_figure(res.train_loss, res.val_loss, res.best_epoch, total_epochs=ts.epochs),
        }
    return FitView(data, res, figs, verdict(res.train_metric, res.val_metric, ds.noise, scale, res.best_val))


def _configure_fit(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help='settings as in the app\'s URL, e.g. "n=5&degree=6&truth=linear", or the whole URL')
    _output_options(p)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="folder for the files (created if missing)")
    p.add_argument("--png", action="store_true", help="also write PNG images (needs the kaleido package)")
    p.add_argument(
        "--standalone",
        action="store_true",
        help="put plotly.js inside every HTML file (bigger files) instead of one shared plotly.min.js",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        default=GUARD_SECONDS,
        help=f"last-resort wall-clock guard, as on the page (default {GUARD_SECONDS:g}); the work bound refuses "
        "settings that would come near it, and a run it stops is reported as incomplete",
    )


@command("fit", "render the Fit page (data, fitted curve, errors) for a settings query", _configure_fit)
def run_fit(args: argparse.Namespace) -> int:
    """The Fit page's figures as offline HTML, its data and history as CSV, and its metrics on stdout."""
    if args.png and not has_kaleido():  # fail before any work: a half-done export is worse than none
        print(
            "PNG export needs the kaleido package, which is not installed (pip install kaleido). "
            "Run again without --png to get the interactive HTML files.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    (ds, ms, ts), notes = parse_settings(
        query_of(args.query), [(DataSettings, ""), (ModelSettings, ""), (TrainSettings, "")]
    )
    assert isinstance(ds, DataSettings) and isinstance(ms, ModelSettings) and isinstance(ts, TrainSettings)
    for n in notes:
        print(f"notice: {n}", file=sys.stderr)
    try:
        view = fit_view(ds, ms, ts, args.max_seconds)
    except TooMuchWork as e:  # refused before training, as the page refuses it
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    res, v = view.result, view.verdict
    link = {**to_raw(ds), **to_raw(ms), **(to_raw(ts) if ms.family == "mlp" else {})}
    metrics = {
        "query": urllib.parse.urlencode(link),
        "train_mse": res.train_metric,
        "val_mse": res.val_metric,
        "parameters": res.n_params,
        "best_epoch": res.best_epoch,
        "stop_reason": res.stop_reason,
        "verdict": v.kind,
        "verdict_reason": v.reason,
        "notices": notes,
    }
    texts = {"data.csv": pio.data_csv(view.data), "metrics.json": json.dumps(metrics, indent=2) + "\n"}
    if res.train_loss:
        texts["history.csv"] = pio.history_csv(res)
    try:
        paths = write_outputs(args.out, view.figures, texts, args.png, args.standalone)
    except Exception as e:  # a full disk, a read-only folder, or kaleido failing to find a browser
        print(f"error: could not write the files to {args.out}: {e}", file=sys.stderr)
        return EXIT_ERROR
    best = "—" if res.best_epoch is None else str(res.best_epoch)
    print(f"settings:       {metrics['query'] or '(all defaults)'}")
    print(f"train MSE:      {res.train_metric:.6g}")
    print(f"validation MSE: {res.val_metric:.6g}")
    print(f"parameters:     {res.n_params}")
    print(f"best epoch:     {best}")
    print(f"stop reason:    {res.stop_reason}")
    print(f"verdict:        {VERDICT_TITLE[v.kind]}. {v.reason}")
    if res.note:
        print(f"note:           {res.note}")
    for p in paths:
        print(f"wrote {p}")
    return 0


def _configure_lesson(p: argparse.ArgumentParser) -> None:
    _output_options(p)
    p.add_argument("lesson", help="a lesson id, e.g. " + ", ".join(x.id for x in PRESETS if x.page == "fit"))


@command("lesson", "render a lesson of the Fit page (as its one-click preset sets it up)", _configure_lesson)
def run_lesson(args: argparse.Namespace) -> int:
    """A Fit-page lesson: its settings become the query of `fit`; its two sentences are printed first."""
    p = lesson(args.lesson)
    if p is None:
        print(f"error: no lesson {args.lesson!r}; lessons: {', '.join(x.id for x in PRESETS)}", file=sys.stderr)
        return EXIT_ERROR
    if p.page != "fit":
        print(
            f"error: lesson {p.id!r} is on the {p.page} page; open it in the app with ?lesson={p.id}", file=sys.stderr
        )
        return EXIT_ERROR
    print(f"{p.title}. {p.text}")
    args.query = urllib.parse.urlencode({k: str(v) for k, v in p.values.items()})
    return run_fit(args)


# --- entry point ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per registered command."""
    p = argparse.ArgumentParser(prog="python -m playground", description="Overfitting Playground from the shell.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, c in COMMANDS.items():
        c.configure(sub.add_parser(name, help=c.help, description=c.help))
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits with 2 on a usage error)."""
    args = parser().parse_args(argv)
    return COMMANDS[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
