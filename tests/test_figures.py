"""Figures contain what they claim: inspect the go.Figure, not pixels."""

import numpy as np
import pytest

from playground.data import make_data
from playground.figures import degree_figure, fit_figure, grid, loss_figure
from playground.figures.common import TRAIN, VAL
from playground.models import poly_errors
from playground.settings import DataSettings


def _names(fig) -> list[str]:
    return [tr.name for tr in fig.data]


def test_fit_figure_has_points_truth_and_curve_with_distinct_markers() -> None:
    d = make_data(DataSettings(n=12))
    fig = fit_figure(d, [("fit", np.zeros(400), "#D55E00")])
    assert _names(fig) == ["validation points", "training points", "truth", "fit"]
    val, train, truth, _curve = fig.data
    assert len(train.x) == 12 and len(val.x) == len(d.y_val)
    assert train.marker.symbol != val.marker.symbol and (train.marker.color, val.marker.color) == (TRAIN, VAL)
    assert truth.line.dash == "dash"
    np.testing.assert_allclose(truth.y, d.truth_fn(grid()))


def test_fit_figure_can_hide_validation_points() -> None:
    fig = fit_figure(make_data(DataSettings()), [], show_val=False)
    assert "validation points" not in _names(fig)


def test_loss_figure_marks_the_best_epoch_and_shades_after_it() -> None:
    tr = np.linspace(1, 0.1, 50)
    va = np.r_[np.linspace(1, 0.3, 20), np.linspace(0.31, 0.6, 30)]
    fig = loss_figure(tr, va, best_epoch=19)
    best = next(t for t in fig.data if t.name == "best epoch")
    assert list(best.x) == [19] and best.y[0] == va[19]
    rect = next(s for s in fig.layout.shapes if s.type == "rect")
    assert (rect.x0, rect.x1) == (19, 49)
    assert fig.layout.yaxis.type == "log"


def test_loss_figure_draws_diverged_runs_as_gaps() -> None:
    fig = loss_figure([1.0, np.inf, np.nan], [1.0, 2.0, np.inf], best_epoch=0)
    assert np.isnan(np.asarray(fig.data[0].y, dtype=float)[1:]).all()


def test_degree_figure_marks_current_and_best_degree_and_noise_floor() -> None:
    d = make_data(DataSettings(n=15))
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, 12)
    fig = degree_figure(tr.numpy(), va.numpy(), current=7, noise=0.3)
    best = next(t for t in fig.data if t.name == "best degree")
    assert list(best.x) == [int(np.argmin(va.numpy()))]
    lines = {(s.x0, s.y0) for s in fig.layout.shapes if s.type == "line"}
    assert any(x0 == 7 for x0, _ in lines) and any(abs(y0 - 0.09) < 1e-12 for _, y0 in lines)


def test_every_builder_produces_a_valid_plotly_figure() -> None:
    import plotly.graph_objects as go

    d = make_data(DataSettings(n=15))
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, 12)
    figs = [
        fit_figure(d, [("fit", np.zeros(400), "#D55E00")]),
        loss_figure(np.linspace(1, 0.1, 30), np.linspace(1, 0.5, 30), best_epoch=10, total_epochs=30),
        degree_figure(tr.numpy(), va.numpy(), current=3, noise=0.3),
    ]
    for fig in figs:
        go.Figure(fig.to_dict())  # full validation: raises on any invalid property


def _log_axes(fig) -> list:
    lay = fig.to_dict()["layout"]
    return [v for k, v in lay.items() if k.startswith(("xaxis", "yaxis")) and v.get("type") == "log"]


def _all_log_figures() -> list:
    from playground import analysis as an
    from playground.figures.classify import history_figure
    from playground.figures.sweeps import (
        bias_variance_figure,
        capacity_figure,
        double_descent_figure,
        learning_figure,
        norm_figure,
    )

    ds, sw = DataSettings(n=12), an.SweepSettings(r=8, deg_max=12, lc_n_max=40, dd_n=10, dd_ratio=3)
    d = make_data(ds)
    tr, va = poly_errors(d.x, d.y, d.x_val, d.y_val, 20)  # degrees 12..20 interpolate: errors 1e-30 and 1e6
    dd = an.double_descent(ds, sw)
    return [
        loss_figure(np.geomspace(1, 1e-7, 50), np.geomspace(1, 1e3, 50), best_epoch=3),
        degree_figure(tr.numpy(), va.numpy(), current=3, noise=0.3),
        history_figure(np.geomspace(1, 3e-4, 40), np.geomspace(0.7, 0.07, 40), 10),
        capacity_figure(an.capacity_curve(ds, sw), 3, 0.3),
        bias_variance_figure(an.bias_variance(ds, sw), 3),
        learning_figure(an.learning_curve(ds, sw), 0.3),
        double_descent_figure(dd),
        norm_figure(dd),
    ]


def test_every_log_axis_is_labelled_in_decades_as_plain_numbers() -> None:
    import re

    import plotly.graph_objects as go

    seen = 0
    for fig in _all_log_figures():
        go.Figure(fig.to_dict())  # full validation: minor grid, tick arrays and off-chart markers are valid
        for ax in _log_axes(fig):
            seen += 1
            vals, text = ax.get("tickvals"), ax.get("ticktext")
            assert vals and text and len(vals) == len(text), "explicit ticks, never plotly's own SI labels"
            for v, s in zip(vals, text, strict=True):
                assert not re.search(r"[µmkMGTPE]$", s), s  # no 1µ, 1k, 1M, 1T
                if "10" in s and any(c in s for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"):
                    assert s.startswith("10")
                else:
                    assert float(s.replace(",", "")) == v  # 0.001 … 1,000 written out
    assert seen >= 8


def test_log_axis_labels_decades_and_grids_between_them() -> None:
    from playground.figures.common import decade_label, log_axis

    assert [decade_label(k) for k in (-6, -3, -1, 0, 2, 3, 6)] == ["10⁻⁶", "0.001", "0.1", "1", "100", "1,000", "10⁶"]
    ax = log_axis(0.003, 700.0, range_=True)
    assert ax["tickvals"] == [10.0**k for k in range(-3, 4)] and ax["range"] == [np.log10(0.003), np.log10(700.0)]
    assert ax["minor"]["showgrid"] and 0.02 in ax["minor"]["tickvals"] and 0.01 not in ax["minor"]["tickvals"]
    wide = log_axis(1e-30, 1e17)
    assert len(wide["tickvals"]) <= 9 and "minor" not in wide  # 47 decades: every 6th labelled


def test_degree_chart_is_capped_and_marks_the_points_above_it() -> None:
    # 8 points: degrees 7.. interpolate (training error ~1e-31), the wildest miss validation by 1e6
    tr = np.array([0.5, 0.45, 0.4, 0.1, 0.09, 0.05, 0.01, 3e-31, 1e-31, 2e-31, 4e-31])
    va = np.array([0.55, 0.5, 0.5, 0.2, 0.21, 0.15, 0.3, 40.0, 2e3, 1e6, 0.12])
    fig = degree_figure(tr, va, current=7, noise=0.2)
    lo, hi = (10**v for v in fig.layout.yaxis.range)
    assert hi <= 1e3 and lo >= 1e-6  # a few useful decades, not 1e-31 … 1e6
    off = next(t for t in fig.data if t.name == "validation MSE off the chart")
    assert list(off.x) == [k for k in range(len(va)) if va[k] > hi] and all(y == hi for y in off.y)
    assert list(off.customdata) == [v for v in va if v > hi]  # the true value on hover
    best = next(t for t in fig.data if t.name == "best degree")
    assert tr[best.x[0]] > 1e-9 * va[best.x[0]]  # never an interpolant (degree >= 7 for 8 points)
    assert best.x[0] == int(np.argmin(va[:7]))


def test_noise_label_sits_on_its_line_on_log_axes() -> None:
    from playground import analysis as an
    from playground.figures.sweeps import capacity_figure, learning_figure

    ds, sw = DataSettings(), an.SweepSettings(r=8, lc_n_max=40)
    for fig in (capacity_figure(an.capacity_curve(ds, sw), 3, 0.3), learning_figure(an.learning_curve(ds, sw), 0.3)):
        line = next(s for s in fig.layout.shapes if s.yref == "y" and s.y0 == s.y1)
        label = next(a for a in fig.layout.annotations if a.text == "noise σ²")
        assert line.y0 == pytest.approx(0.09) and label.y == pytest.approx(np.log10(0.09))  # log axis: the exponent


def test_default_capacity_curve_is_a_u_with_its_best_where_the_median_is_lowest() -> None:
    from playground import analysis as an
    from playground.figures.sweeps import capacity_figure

    cc = an.capacity_curve(DataSettings(), an.SweepSettings())
    assert np.all((cc.val.lo <= cc.val.mid) & (cc.val.mid <= cc.val.hi))  # never above its own band
    i = int(np.argmin(cc.val.mid))
    assert cc.best == cc.cap[i] and 0 < i < len(cc.cap) - 1
    assert cc.val.mid[0] >= 1.5 * cc.val.mid[i] and cc.val.mid[-1] >= 1.5 * cc.val.mid[i]
    fig = capacity_figure(cc, 3, 0.3)
    top = 10 ** fig.layout.yaxis.range[1]
    off = [t for t in fig.data if t.name == "off the chart"]
    assert off and list(off[0].x) == [c for c, v in zip(cc.cap, cc.val.mid, strict=True) if v > top]


def test_bias_variance_lesson_stays_on_its_chart() -> None:
    from playground import analysis as an
    from playground.figures.sweeps import bias_variance_figure
    from playground.lessons import lesson, settings_of

    p = lesson("bias_variance")
    bv = an.bias_variance(settings_of(DataSettings, p.values), settings_of(an.SweepSettings, p.values))
    fig = bias_variance_figure(bv, 3)
    lo, hi = (10**v for v in fig.layout.yaxis.range)
    for tr in fig.data:
        if tr.name in ("bias²", "variance", "bias² + variance + σ²"):
            assert all(lo <= y <= hi for y in tr.y), tr.name
    assert not [t for t in fig.data if t.name == "off the chart"]
