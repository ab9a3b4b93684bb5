"""Figures contain what they claim: inspect the go.Figure, not pixels."""

import numpy as np

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
