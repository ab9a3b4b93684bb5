"""TensorFlow Playground's knobs on the Classify page: per-layer widths, L1, the linear activation, the 1-3 rate grid.

The reference is a plain PyTorch loop written here from the definitions (nn.Linear layers drawn as the app draws
them, torch.optim, autograd with L1 as a loss term), not the package's training code.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch import nn

from playground.classify import ClassSettings, class_data, fit_classifier, make_transform, net_settings
from playground.models import mlp_params
from playground.settings import (
    MAX_LAYERS,
    ModelSettings,
    TrainSettings,
    coerce,
    epoch_work,
    fit_refusal,
    log_grid,
    nearest_on_grid,
    parse,
    spec_of,
    to_raw,
)

ACT = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
OPT = {
    "adam": lambda p, t: torch.optim.Adam(p, lr=t.lr, weight_decay=t.weight_decay),
    "sgd": lambda p, t: torch.optim.SGD(p, lr=t.lr, weight_decay=t.weight_decay),
    "momentum": lambda p, t: torch.optim.SGD(p, lr=t.lr, momentum=0.9, weight_decay=t.weight_decay),
}
CS = ClassSettings(cn=120, cseed=3)


def plain_loop(cs: ClassSettings, widths: tuple[int, ...], act: str, t: TrainSettings) -> dict[str, list[float]]:
    """Full-batch training written out: layers drawn weight then bias, U(+-1/sqrt(fan_in)), from the init seed."""
    data, f = class_data(cs), make_transform(cs.features)
    x, xv = f(data.x.double()).float(), f(data.x_val.double()).float()
    y, yv = data.y.float().unsqueeze(1), data.y_val.float().unsqueeze(1)
    g = torch.Generator().manual_seed(t.init_seed)
    mods: list[nn.Module] = []
    for a, b in itertools.pairwise((x.shape[1], *widths)):
        mods += [nn.Linear(a, b), ACT[act]()]
    mods.append(nn.Linear(widths[-1] if widths else x.shape[1], 1))
    for lin in (m for m in mods if isinstance(m, nn.Linear)):
        r = 1.0 / math.sqrt(lin.in_features)
        nn.init.uniform_(lin.weight, -r, r, generator=g)
        nn.init.uniform_(lin.bias, -r, r, generator=g)
    net = nn.Sequential(*mods)
    opt = OPT[t.optimizer](net.parameters(), t)
    bce = nn.functional.binary_cross_entropy_with_logits
    out: dict[str, list[float]] = {"tl": [], "vl": []}
    for epoch in range(t.epochs + 1):
        loss = bce(net(x), y)
        with torch.no_grad():
            out["tl"].append(loss.item())
            out["vl"].append(bce(net(xv), yv).item())
        if epoch == t.epochs:
            break
        l1 = sum(lin.weight.abs().sum() for lin in mods if isinstance(lin, nn.Linear))  # weights, not biases
        opt.zero_grad()
        (loss + t.l1 * l1).backward()
        opt.step()
    out["n_params"] = [sum(p.numel() for p in net.parameters())]
    return out


def close(res, ref, rtol: float = 1e-4) -> None:
    """fit's history against the plain loop's (fit's fused optimizers round a little differently)."""
    np.testing.assert_allclose(res.train_loss, ref["tl"], rtol=rtol, atol=1e-6)
    np.testing.assert_allclose(res.val_loss, ref["vl"], rtol=rtol, atol=1e-6)
    assert res.n_params == ref["n_params"][0]


# --- per-layer widths -------------------------------------------------------------------


@pytest.mark.parametrize("widths", [(4, 2), (3, 6, 2), (5, 1, 4, 2, 3, 2)])
def test_per_layer_widths_train_like_a_plain_loop(widths: tuple[int, ...]) -> None:
    cs = CS.changed(net=",".join(map(str, widths)))
    assert cs.widths == widths and cs.hidden == len(widths)
    t = TrainSettings(epochs=60, lr=0.03, device="cpu")
    res = fit_classifier(cs, ModelSettings(activation="tanh"), t)
    # Six layers through a width-1 bottleneck amplify float32 rounding where the loss falls steeply (epochs 40-55):
    # measured 1.2e-4 for the numpy epoch and 4e-5 for fit's own torch loop against the plain loop (the widths
    # themselves are checked exactly below).
    close(res, plain_loop(cs, widths, "tanh", t), rtol=1e-4 if len(widths) < 4 else 4e-4)
    assert res.n_params == mlp_params(2, widths)
    sizes = [lin.out_features for lin in res.model.net if isinstance(lin, nn.Linear)]
    assert sizes == [*widths, 1]


def test_equal_widths_are_the_old_hidden_and_width_settings() -> None:
    """One canonical form: 8,8 is hidden=2, cwidth=8 (old links' keys); results and URLs are the same."""
    a, b = ClassSettings(net="8, 8"), ClassSettings(hidden=2, cwidth=8)
    assert a == b and to_raw(a) == to_raw(b) == {"cwidth": "8"}
    assert ClassSettings(net="0").widths == () and ClassSettings(net="0").hidden == 0
    c = ClassSettings(net="4,2")
    assert to_raw(c) == {"cwidth": "4", "net": "4,2"}
    assert coerce(ClassSettings, to_raw(c))[0] == c


def test_old_links_with_hidden_and_cwidth_keep_their_network() -> None:
    cs, notes = coerce(ClassSettings, {"hidden": "3", "cwidth": "8"})
    assert notes == [] and cs.widths == (8, 8, 8) and cs.net == ""


def test_changing_the_depth_replaces_per_layer_widths_and_keeping_it_keeps_them() -> None:
    c = ClassSettings(net="4,2")
    assert c.changed(hidden=0).widths == ()
    assert c.changed(hidden=2).widths == (4, 2)  # the comparison's multi-layer run of this network
    assert c.changed(cset="xor").widths == (4, 2)
    assert c.changed(hidden=3).widths == (4, 4, 4)


@pytest.mark.parametrize(
    ("raw", "shape", "note"),
    [
        ("4,2", (4, 2), False),
        (" 4 , 2 ", (4, 2), False),
        ("4 2", (4, 2), False),
        ("1,2,3,4,5,6,7", (1, 2, 3, 4, 5, 6), True),  # at most 6 layers
        ("4,500", (4, 128), True),
        ("4,0", (4, 1), True),
        ("abc", (16, 16), True),  # the default network
        ("4.5,2", (16, 16), True),
        ("", (16, 16), False),
    ],
)
def test_per_layer_widths_from_a_link_are_bounded_with_a_notice(raw: str, shape: tuple, note: bool) -> None:
    cs, notes = coerce(ClassSettings, {"net": raw})
    assert cs.widths == shape
    assert bool(notes) == note


def test_at_most_six_layers_and_per_layer_widths_bounded_at_construction() -> None:
    assert MAX_LAYERS == 6
    ClassSettings(net="1,1,1,1,1,1")
    for bad in ("1,1,1,1,1,1,1", "0,3", "200", "x"):
        with pytest.raises(ValueError):
            ClassSettings(net=bad)
    with pytest.raises(ValueError):
        ClassSettings(hidden=7)


def test_the_work_bound_counts_each_layers_width() -> None:
    """epoch_work of widths (a, b) counts (d+1)a + (a+1)b + (b+1) parameters and a + b hidden units."""
    n, nv, d = 200, 50, 2
    w42 = epoch_work(n, nv, d, 0, (4, 2), 0, 0.0)
    w44 = epoch_work(n, nv, d, 4, 2, 0, 0.0)
    assert w44 == epoch_work(n, nv, d, 0, (4, 4), 0, 0.0)
    p42, p44 = mlp_params(d, (4, 2)), mlp_params(d, (4, 4))
    assert w44 - w42 == pytest.approx((4 * n + nv) * ((p44 - p42) + 60 * 2))  # ACTIVATION_WORK per unit
    cs = ClassSettings(cn=1000, cval=0.1, net="128,128,128,128,128,127")
    t = TrainSettings(epochs=2000)
    m = net_settings(cs, ModelSettings())
    assert fit_refusal(900, 100, 2, m, t, cs.widths) is not None
    assert fit_refusal(900, 100, 2, m, t, (4, 2)) is None  # the same depth, narrow: the same settings pass
    with pytest.raises(ValueError, match="Too much training"):
        fit_classifier(cs, ModelSettings(), t)


# --- L1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("opt", ["adam", "sgd", "momentum"])
@pytest.mark.parametrize("net", ["4,2", "6"], ids=["torch-loop", "engine"])
def test_l1_matches_a_plain_autograd_loop_with_the_l1_term(opt: str, net: str) -> None:
    """One hidden layer trains on the batched engine (numpy epoch), two on fit's torch loop: both are the loop
    with l1 * sum |w| over the weight matrices added to the loss, with L2 weight decay on top."""
    cs = CS.changed(net=net)
    lr = 0.03 if opt == "adam" else 0.3
    t = TrainSettings(optimizer=opt, lr=lr, epochs=60, l1=0.01, weight_decay=0.001, device="cpu")
    res = fit_classifier(cs, ModelSettings(activation="tanh"), t)
    close(res, plain_loop(cs, cs.widths, "tanh", t))
    without = fit_classifier(cs, ModelSettings(activation="tanh"), t.changed(l1=0.0))
    assert abs(without.train_loss[-1] - res.train_loss[-1]) > 1e-4  # not silently ignored


def test_strong_l1_shrinks_the_weights() -> None:
    cs = CS.changed(net="8")
    t = TrainSettings(optimizer="sgd", lr=0.3, epochs=200, l1=0.03, device="cpu")
    w = fit_classifier(cs, ModelSettings(), t).model.net[0].weight.detach()
    w0 = fit_classifier(cs, ModelSettings(), t.changed(l1=0.0)).model.net[0].weight.detach()
    assert w.abs().sum() < 0.7 * w0.abs().sum()


def test_l1_has_bounds_and_a_log_slider_like_weight_decay() -> None:
    s, wd = spec_of(TrainSettings, "l1"), spec_of(TrainSettings, "weight_decay")
    assert (s.lo, s.hi, s.log) == (wd.lo, wd.hi, wd.log) == (0.0, 1.0, True)
    assert coerce(TrainSettings, {"l1": "0.01"})[0].l1 == 0.01
    with pytest.raises(ValueError):
        TrainSettings(l1=-0.1)


# --- the linear activation --------------------------------------------------------------


@pytest.mark.parametrize("net", ["4,2", "6", "0"], ids=["torch-loop", "engine", "no-hidden-layer"])
def test_linear_activation_trains_like_a_plain_loop(net: str) -> None:
    cs = CS.changed(net=net)
    t = TrainSettings(epochs=60, lr=0.03, device="cpu")
    res = fit_classifier(cs, ModelSettings(activation="linear"), t)
    close(res, plain_loop(cs, cs.widths, "linear", t))


def test_a_linear_network_draws_a_straight_boundary_like_a_single_layer() -> None:
    """However deep, identity activations compose to an affine map: the logit is affine in the inputs."""
    res = fit_classifier(CS.changed(net="4,3"), ModelSettings(activation="linear"), TrainSettings(epochs=30))
    p = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
    z = res.predict(p)
    np.testing.assert_allclose(z[3] - z[2], z[1] - z[0], atol=1e-5)
    np.testing.assert_allclose(z[4] - z[0], 2 * (z[1] - z[0]) - (z[2] - z[0]), atol=1e-5)


# --- the learning-rate grid -------------------------------------------------------------

TFP_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]


def test_learning_rates_are_on_tensorflow_playgrounds_1_3_grid() -> None:
    s = spec_of(TrainSettings, "lr")
    grid = log_grid(s.lo or 0.0, s.hi or 1.0)
    assert set(TFP_RATES) <= set(grid)
    assert grid == [float(f"{m}e{e}") for e in range(-5, 1) for m in (1, 3)] + [10.0]
    assert TrainSettings().lr in grid


@pytest.mark.parametrize("lr", TFP_RATES)
def test_a_link_keeps_each_tensorflow_playground_rate_exactly(lr: float) -> None:
    s = spec_of(TrainSettings, "lr")
    ts, notes = coerce(TrainSettings, {"lr": f"{lr:g}"})
    assert ts.lr == lr and notes == []
    assert nearest_on_grid(ts.lr, log_grid(s.lo or 0.0, s.hi or 1.0)) == lr  # the slider keeps it
    assert coerce(TrainSettings, to_raw(ts))[0].lr == lr


def test_an_old_links_rate_off_the_grid_goes_to_the_nearest_step() -> None:
    s = spec_of(TrainSettings, "lr")
    grid = log_grid(s.lo or 0.0, s.hi or 1.0)
    assert nearest_on_grid(0.02, grid) == 0.03  # log distance: 0.02 is nearer 0.03 than 0.01
    assert nearest_on_grid(0.005, grid) == 0.003
    assert nearest_on_grid(0.05, grid) == 0.03


def test_other_log_settings_keep_their_1_2_5_grid() -> None:
    for cls, name in ((TrainSettings, "weight_decay"), (TrainSettings, "l1"), (ModelSettings, "ridge")):
        s = spec_of(cls, name)
        grid = log_grid(s.lo or 0.0, s.hi or 1.0)
        assert 0.002 in grid and 0.005 in grid and 0.003 not in grid


def test_the_bound_that_carries_the_grid_survives_pickling_and_notices() -> None:
    import pickle

    s = spec_of(TrainSettings, "lr")
    again = pickle.loads(pickle.dumps(s))
    assert log_grid(again.lo, again.hi) == log_grid(s.lo, s.hi)
    assert parse(s, 0.01, "1e9") == (10.0, "Learning rate: 1e9 is out of range, clamped to 10")
    assert parse(s, 0.01, "1e-9")[0] == 1e-5 and type(parse(s, 0.01, "1e-9")[0]) is float
