"""The Classify page: a network learns a 2-D decision boundary live; single layer vs multi-layer one click away."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from playground.classify import (
    AccuracySampler,
    ClassSettings,
    Report,
    boundary_grid,
    class_data,
    fit_classifier,
    grid_probability,
    majority_share,
    net_settings,
    report,
)
from playground.codegen import api_snippet_classify, lightning_script_classify, torch_script_classify
from playground.data import Dataset
from playground.figures.classify import boundary_figure, confusion_figure, training_figures
from playground.figures.playback import classify_playback
from playground.io import data_csv
from playground.record import Recorder, Recording, grid_probe, schedule
from playground.settings import (
    GUARD_SECONDS,
    ModelSettings,
    Settings,
    TooMuchWork,
    TrainSettings,
    fmt_widths,
    param,
    parse_widths,
    spec_of,
    to_raw,
)
from playground.train import Progress
from playground.verdict import class_verdict

from .common import LiveChart, chart, guarded, metric, playback_labels, player, url_extra, verdict_box
from .fit_page import epoch_caption
from .i18n import t
from .inside_view import network_section
from .sections import regularization_section, training_section
from .share import code_expander, upload_section
from .widgets import (
    collect,
    complete_only,
    load_url,
    put,
    refuse,
    show_notices,
    stored,
    trimmed,
    uncached_if_incomplete,
    widget,
    write_url,
)


@dataclass(frozen=True)
class ViewSettings(Settings):
    """Which view of the Classify page is shown (kept in the link)."""

    cview: str = param(
        "train",
        "View",
        "Train one network and watch it, or compare a single layer with several.",
        choices=("train", "compare"),
        widget="segmented",
    )
    cdisc: bool = param(
        False,
        "Discretize output",
        "Colour the plane by the predicted class instead of the probability of class 1.",
    )
    cshowval: bool = param(
        True,
        "Show validation points",
        "Draw the held-out validation points (open symbols) on the boundary chart.",
    )


GROUPS = [(ClassSettings, ""), (ModelSettings, ""), (TrainSettings, ""), (ViewSettings, "")]
# Every live frame replaces its three charts (a new element each): in Chromium, redraws every 0.15 s left the
# boundary blank about half of the time, every 0.4 s about a quarter or less.
FRAME_SECONDS = 1.0  # fewer, complete live frames; the recorded run replays smoothly when it ends
GRID = 80  # the boundary's probability grid is GRID x GRID
PLAYBACK_GRID = 40  # the recorded boundaries: 120 frames of 40 x 40 levels and the 0.5 line stay under 1 MB
CACHE_SIZE = 8  # results kept per session
VIEWS = ("train", "compare")
DEEP_DEFAULT = 2  # hidden layers of the comparison's multi-layer net when the sidebar says 0
MODEL_KEYS = ("activation", "dropout")  # the only ModelSettings this page uses (the Fit page owns the rest)


LESSON = {"cset": "moons", "cnoise": 0.2, "features": ("x1", "x2"), "cview": "compare"}


def labels() -> dict[str, dict[str, str]]:
    """Translated legend and axis names of the figures."""
    pts = {
        "prob": t("P(class 1)"),
        "boundary": t("boundary (P = 0.5)"),
        "train0": t("training, class 0"),
        "train1": t("training, class 1"),
        "val0": t("validation, class 0"),
        "val1": t("validation, class 1"),
        "pred": t("predicted class"),
        "class": t("class"),
        "class0": t("class 0"),
        "class1": t("class 1"),
    }
    common = {"train": t("training"), "val": t("validation"), "best": t("best epoch"), "epoch": t("epoch")}
    loss = {**common, "metric": t("cross-entropy")}
    acc = {**common, "metric": t("accuracy"), "chance": t("chance level")}
    cm = {"class0": t("class 0"), "class1": t("class 1"), "pred": t("predicted"), "true": t("true")}
    return {"pts": pts, "loss": loss, "acc": acc, "cm": cm}


def _titles(suffix: str = "") -> tuple[str, str, str]:
    return (
        t("Decision boundary") + suffix,
        t("Cross-entropy per epoch") + suffix,
        t("Accuracy per epoch") + suffix,
    )


# --- sidebar ----------------------------------------------------------------------------


def _new_sample() -> None:
    put("cseed", (stored(ClassSettings, "cseed") + 1) % (2**31 - 1))


def class_section(show_data: bool = True) -> tuple[ClassSettings, ModelSettings]:
    """Data and network widgets (data hidden while an upload rules); returns the settings."""
    sb = st.sidebar
    if show_data:
        sb.subheader(t("Data"))
        for name in ("cset", "cn", "cnoise", "cval", "ctest"):
            widget(ClassSettings, name, container=sb)
        c1, c2 = sb.columns(2, vertical_alignment="bottom")
        widget(ClassSettings, "cseed", container=c1)
        c2.button(
            t("New sample"), on_click=_new_sample, help=t("Draw fresh points: the seed goes up by one."), key="cnew"
        )
    sb.subheader(t("Network"))
    if net_entry(sb):
        widget(ModelSettings, "activation", container=sb)
    widget(ClassSettings, "features", container=sb)
    return collect(ClassSettings), collect(ModelSettings)


NET_KEY = "net_entry"  # the text entry of the network's shape ("4,2"); the settings are hidden, cwidth and net


def _shape() -> ClassSettings:
    """The network shape as this session holds it (hidden, cwidth, net), on default data."""
    return ClassSettings(**{k: stored(ClassSettings, k) for k in ("hidden", "cwidth", "net")})


def _read_entry() -> None:
    """The entry's text -> hidden, cwidth, net (a callback: runs before the widgets draw); bad text is kept back."""
    text = str(st.session_state.get(NET_KEY, ""))
    try:
        ws = parse_widths(text)
        cs = ClassSettings(net=fmt_widths(ws) or "0")
    except ValueError:
        st.session_state["_net_bad"] = text
        return
    put("hidden", cs.hidden)
    put("cwidth", cs.cwidth)
    put("net", cs.net)


def net_entry(sb: Any) -> int:
    """The compact entry of each hidden layer's width ("4,2", TensorFlow Playground's shape); returns the depth."""
    shape = _shape()
    how = trimmed("net", "hidden", "cwidth")  # a link's hide= or lock= of any of the settings it stands for
    if how == "hide":  # the link's network still trains
        return shape.hidden
    bad = st.session_state.pop("_net_bad", None)
    st.session_state[NET_KEY] = fmt_widths(shape.widths) or "0"  # what the settings say (links, lessons, resets)
    spec = spec_of(ClassSettings, "net")
    sb.text_input(
        t(spec.label),
        key=NET_KEY,
        on_change=_read_entry,
        help=t(spec.help),
        placeholder="4,2",
        disabled=how == "lock",
    )
    if bad is not None:
        sb.warning(
            t(
                "Neurons per layer: {raw} is not 1 to 6 whole numbers from 1 to 128 separated by commas; keeping {v}.",
                raw=f"`{str(bad)[:40].replace('`', '')}`",
                v=fmt_widths(shape.widths) or "0",
            )
        )
    k = shape.hidden
    sb.caption(
        t("No hidden layer: logistic regression on the features.")
        if k == 0
        else t("Hidden layers: {shape} neurons, then one output.", shape=" → ".join(map(str, shape.widths)))
    )
    return k


def _apply_lesson() -> None:
    """Two moons, raw inputs, the comparison (a callback: runs before the widgets draw)."""
    for k, v in LESSON.items():
        put(k, v)


# --- results ----------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def class_view(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, _data: Dataset, upload: str = "") -> Report:
    """Train without drawing and summarize (shared by every session: the same settings give the same numbers).

    `upload` (a digest of the user's file) keys the cache when `_data` is the user's points.
    """
    rep = report(fit_classifier(cs, ms, ts, max_seconds=GUARD_SECONDS, data=_data), _data, GRID)
    return complete_only(rep, rep.stop_reason == "time budget")  # a result the guard cut short is never cached


def _cache() -> dict[tuple, Report]:
    return st.session_state.setdefault("_cfits", {})


def _remember(key: tuple, rep: Report) -> Report:
    cache = _cache()
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = rep
    return rep


def _result(cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, data: Dataset, digest: str) -> Report:
    """This session's earlier result for the settings, or one trained without drawing."""
    key = (cs, net_settings(cs, ms), ts, digest)
    if key in _cache():
        return _cache()[key]
    rep = uncached_if_incomplete(class_view, *key[:3], data, digest)
    return rep if rep.stop_reason == "time budget" else _remember(key, rep)  # incomplete: never kept


# --- drawing ----------------------------------------------------------------------------


def _metrics(cols: list, rep: Report) -> None:
    cols[0].metric(t("Validation accuracy"), f"{rep.val_accuracy:.1%}")
    cols[1].metric(t("Training accuracy"), f"{rep.train_accuracy:.1%}")
    metric(cols[2], t("Validation cross-entropy"), rep.val_ce)
    metric(cols[3], t("Training cross-entropy"), rep.train_ce)
    cols[4].metric(t("Parameters"), f"{rep.n_params:,}")
    cols[5].metric(t("Best epoch"), "—" if rep.best_epoch is None else str(rep.best_epoch))


def _verdict_and_notes(rep: Report, where: Any) -> None:
    best_ce = min(rep.val_loss, default=None)
    verdict_box(
        class_verdict(rep.train_accuracy, rep.val_accuracy, rep.chance, rep.train_ce, rep.val_ce, best_ce), where
    )
    if rep.note:  # diverged, or cut short by the guard (incomplete)
        (where.error if rep.stop_reason == "diverged" else where.info)(t(rep.note))
    if rep.stop_reason == "early stop":
        where.caption(
            t(
                "Stopped early at epoch {e}; the best weights (epoch {b}) are restored.",
                e=len(rep.val_loss) - 1,
                b=rep.best_epoch,
            )
        )
    _held_back(rep, where)


def _held_back(rep: Report, where: Any) -> None:
    """The held-back test accuracy, once, after training (only when the settings hold test points back)."""
    if rep.test_accuracy is None:
        return
    where.metric(t("Held-back test accuracy"), f"{rep.test_accuracy:.1%}")
    where.caption(
        t(
            "On {n} test points held back from the start: never trained on, never used for early stopping or any "
            "choice. Read it once, when you are done tuning; choosing by it would make it a second validation set.",
            n=rep.n_test,
        )
    )


def _recordings() -> dict[tuple, Recording]:
    return st.session_state.setdefault("_cplay", {})


def playback_grid(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The coarser grid the playback records on (the payload is frames x cells)."""
    gx, gy, _ = boundary_grid(data, PLAYBACK_GRID)
    return gx, gy


def train_live(
    cs: ClassSettings,
    ms: ModelSettings,
    ts: TrainSettings,
    data: Dataset,
    where: tuple,
    bar_ph: Any,
    digest: str = "",
    view: ViewSettings | None = None,
) -> tuple[Report, Recording, str | None]:
    """Train and record (or reuse this session's earlier result), redrawing boundary and curves now and then.

    Returns the report, the recording and a name for a run just trained (None when it came from the cache).
    """
    key = (cs, net_settings(cs, ms), ts, digest)
    if key in _cache() and key in _recordings():
        return _cache()[key], _recordings()[key], None
    view = view or ViewSettings()
    lab = labels()
    gx, gy, _ = boundary_grid(data, GRID)
    chance = majority_share(data.y_val)
    acc = AccuracySampler(data)  # Progress carries the losses; accuracy is measured at each callback
    bar = bar_ph.progress(0.0, text=t("Training…"))
    last = [0.0]

    def tick(p: Progress) -> None:
        acc(p)
        now = time.perf_counter()
        if now - last[0] < FRAME_SECONDS:
            return
        last[0] = now
        bar.progress(p.epoch / p.epochs, text=t("Training… epoch {e} of {n}", e=p.epoch, n=p.epochs))
        figs = training_figures(
            data,
            gx,
            gy,
            grid_probability(p.predict, gx, gy),
            (p.train_loss, p.val_loss),
            (acc.train, acc.val),
            int(np.argmin(p.val_loss)),
            acc_epochs=acc.epochs,
            chance=chance,
            total_epochs=p.epochs,
            titles=_titles(t(" — epoch {e}", e=p.epoch)),
            labels=lab,
            show_val=view.cshowval,
            discrete=view.cdisc,
        )
        for fig, w in zip(figs, where, strict=True):
            w.draw(fig)

    recorder = Recorder(grid_probe(*playback_grid(data)), schedule(ts.epochs), inner=tick)
    try:  # the work bound refuses settings before training; the guard only stops a stuck server
        res = fit_classifier(cs, ms, ts, callback=recorder, every=recorder.epochs, max_seconds=GUARD_SECONDS, data=data)
    except TooMuchWork as e:
        bar_ph.empty()
        refuse(e.refusal)
        st.stop()
    bar_ph.empty()
    rep, rec = report(res, data, GRID), recorder.finish(res)
    run = f"cls-{st.session_state.setdefault('_runs', 0) + 1}"
    st.session_state["_runs"] += 1
    if res.stop_reason == "time budget":  # incomplete: never kept
        return rep, rec, run
    plays = _recordings()
    if len(plays) >= CACHE_SIZE:
        plays.pop(next(iter(plays)))
    plays[key] = rec
    return _remember(key, rep), rec, run


def _live(
    cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, data: Dataset, digest: str, view: ViewSettings
) -> None:
    head = st.columns(6)
    box = st.container()
    ph_play = st.empty()  # the playback, full width, above the live frames' columns
    left, right = st.columns([3, 2])
    where = (LiveChart(left, "cls0"), LiveChart(right, "cls1"), LiveChart(right, "cls2"))
    cm_ph = left.empty()
    rep, rec, run = train_live(cs, ms, ts, data, where, st.empty(), digest, view)
    for w in where:
        w.empty()
    _metrics(head, rep)
    _verdict_and_notes(rep, box)
    epoch_caption(rep.stop_reason, len(rep.val_loss) - 1, rep.best_epoch, rep.val_loss, t("cross-entropy"), box)
    words = playback_labels(t("cross-entropy"))
    words = {**words, **{k: v for k, v in labels()["pts"].items() if k in ("pred", "class0", "class1")}}
    fig = classify_playback(
        data,
        *playback_grid(data),
        rec,
        chance=rep.chance,
        title=t("Training, epoch by epoch"),
        labels=words,
        show_val=view.cshowval,
        discrete=view.cdisc,
    )
    chart(fig, "cls_playback", ph_play)
    player(run, "classify")
    cm = confusion_figure(rep.confusion, title=t("Confusion matrix (validation)"), labels=labels()["cm"])
    chart(cm, "cls_cm", cm_ph)


def _compare(
    cs: ClassSettings, ms: ModelSettings, ts: TrainSettings, data: Dataset, digest: str, view: ViewSettings
) -> None:
    deep = cs.hidden or DEEP_DEFAULT
    multi = cs.changed(hidden=deep)  # keeps per-layer widths of this depth
    title = (
        t("{k} hidden layers of {w} neurons", k=deep, w=cs.cwidth)
        if not multi.net
        else t("{k} hidden layers of {shape} neurons", k=deep, shape=" → ".join(map(str, multi.widths)))
    )
    runs = (
        ("single", cs.changed(hidden=0), t("Single layer (logistic regression)")),
        ("multi", multi, title),
    )
    st.caption(
        t(
            "Same points, same features, same training: a single layer can only draw a straight boundary "
            "in the features; hidden layers let it bend."
        )
    )
    lab = labels()
    with st.spinner(t("Training…")):
        try:
            reps = [_result(c, ms, ts, data, digest) for _, c, _ in runs]
        except TooMuchWork as e:
            refuse(e.refusal)
            st.stop()
    for col, (name, _, title), rep in zip(st.columns(2), runs, reps, strict=True):
        col.subheader(title)
        m = col.columns(3)
        m[0].metric(t("Validation accuracy"), f"{rep.val_accuracy:.1%}")
        metric(m[1], t("Validation cross-entropy"), rep.val_ce)
        m[2].metric(t("Parameters"), f"{rep.n_params:,}")
        fig = boundary_figure(
            data,
            rep.gx,
            rep.gy,
            rep.prob,
            title=title,
            labels=lab["pts"],
            height=420,
            show_val=view.cshowval,
            discrete=view.cdisc,
        )
        chart(fig, f"cls_cmp_{name}", col)
        _verdict_and_notes(rep, col)
        cm = confusion_figure(rep.confusion, title=t("Confusion matrix (validation)"), labels=lab["cm"])
        chart(cm, f"cls_cmp_cm_{name}", col)


@guarded
def page() -> None:
    """Draw the Classify page."""
    load_url(GROUPS)
    up = upload_section("classification")
    cs, ms = class_section(show_data=up is None)
    regularization_section("mlp")
    ts = training_section()
    extra = {k: v for k, v in to_raw(ms).items() if k in MODEL_KEYS}

    st.title(t("Classify: where does the boundary go?"))
    st.caption(
        t(
            "A network sorts 2-D points into two classes. Blue circles are class 0, red-orange diamonds class 1; "
            "filled points train the network, open points only check it."
        )
    )
    show_notices()
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    view = widget(ViewSettings, "cview", container=c1)
    d1, d2, _ = st.columns([1, 1, 1])  # display only: nothing retrains when these change
    widget(ViewSettings, "cdisc", container=d1)
    widget(ViewSettings, "cshowval", container=d2)
    vs = collect(ViewSettings)
    write_url([(cs, ""), (ts, ""), (vs, "")], {**extra, **url_extra()})
    c2.button(
        t("Lesson: two moons — one layer vs several"),
        on_click=_apply_lesson,
        key="clesson",
        help=t("Two moons with raw inputs x1, x2: the single layer draws a straight line and misclassifies the tips."),
    )
    data, digest = (up.data, up.digest) if up else (class_data(cs), "")
    if view == "compare":
        _compare(cs, ms, ts, data, digest, vs)
    else:
        _live(cs, ms, ts, data, digest, vs)

    network_section(cs, ms, ts, data, digest)  # Inside the network (ui/inside_view.py): opens lazily

    if up is None:  # the script draws its points from the settings; an upload has none
        scripts = (torch_script_classify(cs, ms, ts), api_snippet_classify(cs, ms, ts))
        code_expander(*scripts, "classify", lightning_script_classify(cs, ms, ts))
    with st.expander(t("Export")):
        st.download_button(t("Data (CSV)"), data_csv(data), "classes.csv", "text/csv", key="dl_data_classify")
