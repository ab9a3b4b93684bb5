"""Classification: the 2-D sets, the settings, features, single vs multi-layer fits, confusion matrix, figures."""

import base64
from collections.abc import Iterator
from dataclasses import fields

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix

from playground.classify import (
    FEATURES,
    AccuracySampler,
    ClassSettings,
    accuracy,
    boundary_grid,
    class_data,
    confusion,
    fit_classifier,
    grid_probability,
    majority_share,
    make_transform,
    net_settings,
    probability,
    report,
)
from playground.data import CLASS_SETS, make_classes
from playground.figures.classify import (
    CLASS_COLOURS,
    boundary_figure,
    confusion_figure,
    history_figure,
    training_figures,
)
from playground.models import mlp_params
from playground.settings import DataSettings, ModelSettings, TrainSettings, coerce, to_raw

MS = ModelSettings(activation="tanh")
FAST = TrainSettings(epochs=300, lr=0.05)  # full-batch Adam: enough for these small 2-D problems


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """One torch thread, as the app runs: tiny nets only lose time to thread hand-offs."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# --- data sets: deterministic and labelled as documented in data.py ---------------------


@pytest.mark.parametrize("name", list(CLASS_SETS))
def test_class_sets_are_deterministic_in_the_seed(name: str) -> None:
    a, b = make_classes(name, 200, 0.2, 0.3, 7), make_classes(name, 200, 0.2, 0.3, 7)
    c = make_classes(name, 200, 0.2, 0.3, 8)
    for f in ("x", "y", "x_val", "y_val"):
        assert torch.equal(getattr(a, f), getattr(b, f))
    assert not torch.equal(a.x, c.x)


@pytest.mark.parametrize("name", list(CLASS_SETS))
def test_class_sets_have_two_balanced_labels_and_the_requested_split(name: str) -> None:
    d = make_classes(name, 1000, 0.2, 0.25, 0)
    assert (d.task, d.n, len(d.y_val)) == ("classification", 750, 250)
    assert d.x.shape == (750, 2) and d.x_val.shape == (250, 2)
    assert set(torch.unique(torch.cat([d.y, d.y_val])).tolist()) == {0.0, 1.0}
    assert 0.4 <= d.y.mean().item() <= 0.6


def test_circles_label_one_is_the_inner_circle() -> None:
    d = make_classes("circles", 500, 0.0, 0.2, 0)
    r = d.x.norm(dim=1)
    assert torch.equal(d.y, (r < 1.0).double())


def test_xor_label_one_is_quadrants_one_and_three() -> None:
    d = make_classes("xor", 500, 0.0, 0.2, 0)
    assert torch.equal(d.y, (d.x[:, 0] * d.x[:, 1] > 0).double())


def test_linear_label_one_is_above_the_documented_line() -> None:
    d = make_classes("linear", 500, 0.0, 0.2, 0)
    assert torch.equal(d.y, (d.x[:, 0] + 0.5 * d.x[:, 1] > 0.1).double())


def test_noise_blurs_the_labels_of_circles() -> None:
    d = make_classes("circles", 1000, 0.5, 0.2, 0)
    inside = (d.x.norm(dim=1) < 1.0).double()
    assert (inside != d.y).any()


# --- settings ------------------------------------------------------------------------


def test_class_settings_keys_never_clash_with_the_other_pages_url_keys() -> None:
    mine = {f.name for f in fields(ClassSettings)}
    for other in (DataSettings, ModelSettings, TrainSettings):
        assert not mine & {f.name for f in fields(other)}, other.__name__


@pytest.mark.parametrize(
    "bad",
    [
        {"cn": 9},
        {"cn": 1001},
        {"cval": 0.05},
        {"cval": 0.95},
        {"cnoise": -0.1},
        {"hidden": 7},
        {"hidden": -1},
        {"cwidth": 0},
        {"cset": "swirl"},
        {"features": ()},
        {"features": ("x1", "x3")},
    ],
)
def test_class_settings_reject_values_outside_their_declaration(bad: dict) -> None:
    with pytest.raises(ValueError):
        ClassSettings(**bad)


def test_feature_order_is_canonical_so_equal_selections_are_equal_settings() -> None:
    a = ClassSettings(features=("x2^2", "x1", "x1"))
    assert a.features == ("x1", "x2^2")
    assert a == ClassSettings(features=("x1", "x2^2"))


def test_class_settings_survive_the_url_round_trip() -> None:
    s = ClassSettings(cset="xor", cn=120, cnoise=0.35, cval=0.4, cseed=9, hidden=0, features=("x1*x2", "sin x2"))
    back, notes = coerce(ClassSettings, to_raw(s))
    assert (back, notes) == (s, [])


def test_a_bad_feature_list_in_a_link_becomes_the_default_and_a_notice() -> None:
    back, notes = coerce(ClassSettings, {"features": "x1,nope", "cn": "5000"})
    assert back.features == ClassSettings().features and back.cn == 1000
    assert len(notes) == 2


# --- features, probabilities, confusion -------------------------------------------------


def test_transform_gives_the_selected_features_in_registry_order() -> None:
    x = torch.tensor([[0.5, -2.0], [1.5, 3.0]], dtype=torch.float64)
    got = make_transform(("sin x2", "x1*x2", "x1^2", "x1")).__call__(x).numpy()
    a, b = x[:, 0].numpy(), x[:, 1].numpy()
    np.testing.assert_allclose(got, np.c_[a, a**2, a * b, np.sin(b)])


def test_every_feature_is_a_column_of_the_points() -> None:
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert make_transform(tuple(FEATURES))(x).shape == (50, len(FEATURES))


def test_probability_is_the_sigmoid_and_never_overflows() -> None:
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(probability(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    with np.errstate(over="raise"):
        assert probability(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


def test_confusion_matches_sklearn() -> None:
    g = np.random.default_rng(3)
    y, logits = g.integers(0, 2, 200).astype(float), g.normal(size=200)
    np.testing.assert_array_equal(confusion(y, logits), confusion_matrix(y, logits > 0, labels=[0, 1]))


def test_accuracy_and_chance_level() -> None:
    y = np.array([1.0, 1.0, 1.0, 0.0])
    assert accuracy(y, np.array([2.0, -1.0, 0.5, -3.0])) == 0.75
    assert majority_share(y) == 0.75 and majority_share(1 - y) == 0.75


# --- fits: what a single layer can and cannot do ---------------------------------------------


def test_single_layer_is_logistic_regression_with_f_plus_one_parameters() -> None:
    cs = ClassSettings(hidden=0, features=("x1", "x2", "x1^2"))
    r = fit_classifier(cs, MS, TrainSettings(epochs=5))
    assert r.n_params == 3 + 1
    deep = fit_classifier(cs.changed(hidden=2, cwidth=8), MS, TrainSettings(epochs=5))
    assert deep.n_params == mlp_params(3, (8, 8))


def test_single_layer_separates_linear_data_like_sklearns_logistic_regression() -> None:
    cs = ClassSettings(cset="linear", cn=400, cnoise=0.0, hidden=0)
    r = fit_classifier(cs, MS, FAST)
    d = class_data(cs)
    ref = LogisticRegression(C=1e4, max_iter=5000).fit(d.x.numpy(), d.y.numpy())
    ref_acc = ref.score(d.x_val.numpy(), d.y_val.numpy())
    assert r.val_accuracy >= 0.97
    assert r.val_accuracy >= ref_acc - 0.02


def test_single_layer_stays_near_chance_on_xor() -> None:
    r = fit_classifier(ClassSettings(cset="xor", cn=400, cnoise=0.1, hidden=0), MS, FAST)
    assert r.val_accuracy <= 0.65


@pytest.mark.parametrize("name", ["xor", "moons"])
def test_small_mlp_solves_xor_and_moons(name: str) -> None:
    r = fit_classifier(ClassSettings(cset=name, cn=400, cnoise=0.1, hidden=2, cwidth=16), MS, FAST)
    assert r.val_accuracy >= 0.9


def test_squared_features_let_a_single_layer_solve_circles() -> None:
    cs = ClassSettings(cset="circles", cn=400, cnoise=0.1, hidden=0)
    raw = fit_classifier(cs, MS, FAST)
    squared = fit_classifier(cs.changed(features=("x1^2", "x2^2")), MS, FAST)
    assert squared.val_accuracy >= 0.95
    assert raw.val_accuracy <= 0.75  # the same single layer on x1, x2 cannot draw a circle


def test_fit_classifier_is_deterministic_and_predicts_logits_of_its_accuracy() -> None:
    cs = ClassSettings(cn=200)
    a, b = fit_classifier(cs, MS, TrainSettings(epochs=40)), fit_classifier(cs, MS, TrainSettings(epochs=40))
    assert a.val_loss == b.val_loss and a.val_acc == b.val_acc
    d = class_data(cs)
    assert accuracy(d.y_val, a.predict(d.x_val)) == pytest.approx(a.val_accuracy)


def test_activation_and_dropout_do_not_matter_without_hidden_layers() -> None:
    cs = ClassSettings(hidden=0)
    assert net_settings(cs, MS) == net_settings(cs, ModelSettings(activation="relu", dropout=0.5))
    assert net_settings(cs.changed(hidden=1), MS) != net_settings(cs.changed(hidden=1), ModelSettings(dropout=0.5))


def test_accuracy_sampler_records_the_accuracy_the_fit_reports() -> None:
    cs, ts = ClassSettings(cn=200), TrainSettings(epochs=30)
    sampler = AccuracySampler(class_data(cs))
    r = fit_classifier(cs, MS, ts, callback=sampler, every=10)
    assert sampler.epochs == [10, 20]
    # at each callback the weights are those of that epoch's history entry
    assert sampler.val == pytest.approx([r.val_acc[10], r.val_acc[20]])
    assert sampler.train == pytest.approx([r.train_acc[10], r.train_acc[20]])


def test_report_summarizes_the_fit_consistently() -> None:
    cs = ClassSettings(cn=200)
    d = class_data(cs)
    r = fit_classifier(cs, MS, TrainSettings(epochs=60))
    rep = report(r, d, grid=30)
    assert rep.prob.shape == (30, 30) and ((rep.prob >= 0) & (rep.prob <= 1)).all()
    assert rep.confusion.sum() == len(d.y_val)
    assert np.trace(rep.confusion) / rep.confusion.sum() == pytest.approx(rep.val_accuracy)
    assert rep.confusion[1].sum() == d.y_val.sum().item()  # row 1 holds the true class-1 points
    assert rep.n_params == r.n_params and rep.best_epoch == r.best_epoch


def test_grid_probability_is_laid_out_like_a_heatmap() -> None:
    gx, gy = np.array([-1.0, 0.0, 1.0, 2.0]), np.array([5.0, 6.0])

    def x1_only(pts: np.ndarray) -> np.ndarray:  # logit = x1: P rises along a row, equal down a column
        return pts[:, 0]

    p = grid_probability(x1_only, gx, gy)
    assert p.shape == (2, 4)
    np.testing.assert_allclose(p[0], probability(gx))
    np.testing.assert_allclose(p[1], p[0])


def test_boundary_grid_covers_every_point() -> None:
    d = class_data(ClassSettings(cset="spiral"))
    gx, gy, pts = boundary_grid(d, 20)
    allx = torch.cat([d.x, d.x_val]).numpy()
    assert gx[0] < allx[:, 0].min() and gx[-1] > allx[:, 0].max()
    assert gy[0] < allx[:, 1].min() and gy[-1] > allx[:, 1].max()
    assert pts.shape == (400, 2)


# --- figures: they contain what they claim ---------------------------------------------


def _decode(v: object) -> object:
    """Plotly's base64 array encoding ({dtype, bdata, shape}) back to numpy, recursively."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    if isinstance(v, dict):
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def _valid(fig: go.Figure) -> dict:
    """The figure as sent to the browser, after Plotly's full validation (the builders skip it for speed)."""
    return _decode(go.Figure(fig.to_dict()).to_plotly_json())


@pytest.fixture(scope="module")
def moons() -> tuple:
    cs = ClassSettings(cn=200)
    d = class_data(cs)
    return d, report(fit_classifier(cs, MS, TrainSettings(epochs=50)), d, grid=25)


def test_boundary_figure_shows_probability_contour_and_both_classes_with_distinct_symbols(moons: tuple) -> None:
    d, rep = moons
    fig = _valid(boundary_figure(d, rep.gx, rep.gy, rep.prob))
    by_type = {}
    for tr in fig["data"]:
        by_type.setdefault(tr["type"], []).append(tr)
    contour = by_type["contour"][0]
    points = [tr for tr in by_type["scatter"] if tr["mode"] == "markers"]
    np.testing.assert_allclose(np.asarray(contour["z"]), rep.prob)  # the probability, drawn as a heatmap
    assert contour["contours"]["coloring"] == "heatmap"
    assert contour["contours"]["start"] == contour["contours"]["end"] == 0.5  # one line: the boundary
    assert (contour["zmin"], contour["zmax"]) == (0, 1)
    assert len(points) == 4  # training and validation, class 0 and class 1
    symbols = [p["marker"]["symbol"] for p in points]
    assert len(set(symbols)) == 4
    colours = [p["marker"]["color"] for p in points]
    assert colours == [CLASS_COLOURS[0], CLASS_COLOURS[1]] * 2
    # class by symbol as well as colour: the class-0 symbols share a shape that no class-1 symbol has
    assert all(s.startswith("circle") for s in symbols[::2]) and all(s.startswith("diamond") for s in symbols[1::2])
    counts = [len(p["x"]) for p in points]
    n1, v1 = int(d.y.sum()), int(d.y_val.sum())
    assert counts == [d.n - n1, n1, len(d.y_val) - v1, v1]


def test_boundary_figure_can_hide_validation_points(moons: tuple) -> None:
    d, rep = moons
    fig = _valid(boundary_figure(d, rep.gx, rep.gy, rep.prob, show_val=False))
    assert sum(tr.get("mode") == "markers" for tr in fig["data"]) == 2


def test_history_figure_marks_the_best_epoch_and_shades_the_rest() -> None:
    val = [0.9, 0.5, 0.3, 0.4, 0.6]
    fig = _valid(history_figure([0.9, 0.5, 0.3, 0.2, 0.1], val, 2, total_epochs=10))
    star = next(tr for tr in fig["data"] if tr.get("marker", {}).get("symbol") == "star")
    assert (list(star["x"]), list(star["y"])) == ([2], [0.3])
    shapes = fig["layout"]["shapes"]
    assert any(s["type"] == "rect" and (s["x0"], s["x1"]) == (2, 4) for s in shapes)
    assert any(s["type"] == "line" and s["x0"] == s["x1"] == 2 for s in shapes)
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_accuracy_history_uses_sample_epochs_and_draws_the_chance_level() -> None:
    fig = _valid(history_figure([0.5, 0.7, 0.9], [0.5, 0.8, 0.7], 10, kind="accuracy", epochs=[5, 10, 15], chance=0.55))
    train, val = fig["data"][0], fig["data"][1]
    assert list(train["x"]) == list(val["x"]) == [5, 10, 15]
    star = next(tr for tr in fig["data"] if tr.get("marker", {}).get("symbol") == "star")
    assert list(star["y"]) == [0.8]
    assert any(s["type"] == "line" and s["y0"] == s["y1"] == 0.55 for s in fig["layout"]["shapes"])
    assert fig["layout"]["yaxis"].get("type") != "log"


def test_confusion_figure_shows_counts_coloured_by_row_share() -> None:
    cm = np.array([[30, 10], [5, 55]])
    fig = _valid(confusion_figure(cm))
    heat = fig["data"][0]
    np.testing.assert_allclose(np.asarray(heat["z"]), [[0.75, 0.25], [5 / 60, 55 / 60]])
    assert [t.split("<br>")[0] for row in heat["text"] for t in row] == ["30", "10", "5", "55"]


def test_training_figures_build_one_frame(moons: tuple) -> None:
    d, rep = moons
    figs = training_figures(
        d,
        rep.gx,
        rep.gy,
        rep.prob,
        (rep.train_loss, rep.val_loss),
        (rep.train_acc, rep.val_acc),
        rep.best_epoch,
        titles=("a", "b", "c"),
    )
    assert [_valid(f)["layout"]["title"]["text"] for f in figs] == ["a", "b", "c"]


def test_a_users_uploaded_points_train_the_classifier() -> None:
    from playground.io import data_csv, read_points_csv

    own = class_data(ClassSettings(cset="blobs", cn=120, cseed=3))
    data, _ = read_points_csv(data_csv(own).encode(), "classification")
    res = fit_classifier(ClassSettings(hidden=0), ModelSettings(), TrainSettings(epochs=200, lr=0.05), data=data)
    assert res.val_accuracy > 0.85  # two blobs: a line separates them
    assert len(res.train_loss) == 201
