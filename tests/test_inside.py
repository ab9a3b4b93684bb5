"""Inside the network: each neuron's picture is the network's own intermediate output (forward hooks as reference)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from playground.classify import ClassSettings, boundary_grid, class_data, fit_classifier, make_transform
from playground.figures.network import network_figure
from playground.inside import MAX_UNITS, SHOWN_EPOCHS, Inside, activations, inside, linears, shown_epochs
from playground.models import MLP
from playground.settings import ModelSettings, TrainSettings


def _hooked(net: MLP, x: torch.Tensor) -> list[torch.Tensor]:
    """The reference: what each hidden layer hands the next Linear layer, and the logit, caught by forward hooks."""
    mods = list(net.net)
    lin_at = [i for i, m in enumerate(mods) if isinstance(m, nn.Linear)]
    # a hidden layer ends with the module just before the next Linear (its activation, or dropout after it)
    ends = [i - 1 for i in lin_at[1:]] + [len(mods) - 1]
    caught: dict[int, torch.Tensor] = {}
    hooks = [mods[i].register_forward_hook(lambda m, a, out, i=i: caught.__setitem__(i, out.detach())) for i in ends]
    net.eval()
    with torch.no_grad():
        final = net(x)
    for h in hooks:
        h.remove()
    assert torch.equal(caught[ends[-1]], final)
    return [x, *(caught[i] for i in ends)]


SHAPES = [(), (3,), (5, 2), (4, 2, 7), (2,) * 6, (9, 12, 3, 4, 1, 6)]


@pytest.mark.parametrize("hidden", SHAPES, ids=str)
@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid", "gelu"])
def test_activations_are_the_networks_own_intermediate_outputs(hidden: tuple[int, ...], act: str) -> None:
    g = torch.Generator().manual_seed(len(hidden) + 17)
    net = MLP(3, hidden, act, 0.25 if len(hidden) == 2 else 0.0, 1, g)  # dropout: off in eval mode
    net.train()
    x = torch.randn(50, 3, generator=g)
    ours = activations(net, x)
    assert net.training and all(m.training for m in net.net)  # the network's mode is restored
    ref = _hooked(net, x)
    assert len(ours) == len(hidden) + 2
    for a, b in zip(ours, ref, strict=True):
        assert torch.equal(a, b)


def test_activations_follow_the_layers_by_hand() -> None:
    net = MLP(2, (4, 3), "tanh", 0.0, 1, torch.Generator().manual_seed(1))
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(2))
    w = linears(net)
    h1 = torch.tanh(x @ w[0].weight.T + w[0].bias)
    h2 = torch.tanh(h1 @ w[1].weight.T + w[1].bias)
    out = h2 @ w[2].weight.T + w[2].bias
    for a, b in zip(activations(net, x), [x, h1, h2, out], strict=True):
        torch.testing.assert_close(a, b)


def _trained(hidden: int, width: int, act: str = "tanh") -> tuple:
    cs = ClassSettings(cn=120, hidden=hidden, cwidth=width, features=("x1", "x2", "x1^2"))
    res = fit_classifier(cs, ModelSettings(activation=act), TrainSettings(epochs=30))
    data = class_data(cs)
    gx, gy, pts = boundary_grid(data, 24)
    return cs, res, gx, gy, pts


@pytest.mark.parametrize(("hidden", "width"), [(0, 4), (1, 5), (2, 12)])
def test_pictures_are_the_quantised_activations_on_the_grid(hidden: int, width: int) -> None:
    cs, res, gx, gy, pts = _trained(hidden, width)
    ins = inside(res.model, make_transform(cs.features), cs.features, gx, gy)
    feats = make_transform(cs.features)(torch.from_numpy(pts)).float()
    ref = _hooked(res.model, feats)
    assert ins.widths == (3, *([width] * hidden), 1)
    assert ins.shown == tuple(min(w, MAX_UNITS) for w in ins.widths)
    assert ins.trimmed == (width > MAX_UNITS)
    for layer, r in enumerate(ref):
        r = r.double().numpy()  # (G*G, width)
        if layer == len(ref) - 1:
            r = 1.0 / (1.0 + np.exp(-r))  # the output picture is P(class 1)
        for unit in range(ins.shown[layer]):
            want = r[:, unit].reshape(len(gy), len(gx))  # rows follow gy
            tol = (ins.hi[layer][unit] - ins.lo[layer][unit]) / 510 + 1e-6  # half a level
            assert np.abs(ins.values(layer, unit) - want).max() <= tol
    # the output picture is what the page's boundary shows: P(class 1) from the network's own predict()
    p = 1.0 / (1.0 + np.exp(-res.predict(pts)))
    assert np.abs(ins.values(len(ref) - 1, 0).ravel() - p).max() <= 1 / 510 + 1e-6
    for k, lin in enumerate(linears(res.model)):
        np.testing.assert_array_equal(ins.weights[k], lin.weight.detach()[:MAX_UNITS, :MAX_UNITS].numpy())


def test_pictures_are_compact() -> None:
    net = MLP(7, (8,) * 6, "relu", 0.0, 1, torch.Generator().manual_seed(0))
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
    g = np.linspace(-2, 2, 40)
    ins = inside(net, make_transform(names), names, g, g)
    assert all(m.dtype == np.uint8 for m in ins.maps)
    assert ins.nbytes < 100_000  # 56 pictures of 40 x 40 levels
    assert isinstance(ins, Inside)


@pytest.mark.parametrize("hidden", [(), (4, 2), (16,) * 6])
def test_figure_has_a_picture_per_shown_neuron_and_one_enlarged(hidden: tuple[int, ...]) -> None:
    import plotly.graph_objects as go

    net = MLP(2, hidden, "tanh", 0.0, 1, torch.Generator().manual_seed(0))
    g = np.linspace(-1, 1, 20)
    ins = inside(net, make_transform(("x1", "x2")), ("x1", "x2"), g, g)
    fig = network_figure(ins)
    go.Figure(fig.to_dict())  # valid Plotly
    meta = fig.layout.meta
    pics = [tr for tr in fig.data if tr.type == "heatmap" and tr.meta and "neuron" in tr.meta]
    assert len(pics) == sum(ins.shown)
    big = fig.data[meta["big"]]
    np.testing.assert_array_equal(np.asarray(big.z), ins.maps[-1][0])  # the output, until a neuron is hovered
    links = sum(w.size for w in ins.weights)
    hover = [tr for tr in fig.data if tr.meta and tr.meta.get("links")]
    assert sum(len(tr.x) for tr in hover) == links


@pytest.mark.parametrize("net", ["4,2", "3,9,2,1,5,2"])
def test_per_layer_widths_from_a_link_get_a_picture_per_neuron(net: str) -> None:
    cs = ClassSettings(cn=80, net=net)
    res = fit_classifier(cs, ModelSettings(activation="relu"), TrainSettings(epochs=5))
    gx, gy, pts = boundary_grid(class_data(cs), 16)
    ins = inside(res.model, make_transform(cs.features), cs.features, gx, gy)
    assert ins.widths == (2, *cs.widths, 1)
    ref = _hooked(res.model, make_transform(cs.features)(torch.from_numpy(pts)).float())
    for layer in range(1, len(ref) - 1):
        want = ref[layer].double().numpy()[:, : ins.shown[layer]].T.reshape(-1, len(gy), len(gx))
        got = np.stack([ins.values(layer, u) for u in range(ins.shown[layer])])
        assert np.abs(got - want).max() <= np.max(ins.hi[layer] - ins.lo[layer]) / 510 + 1e-6


def test_figure_words_have_chinese() -> None:
    from playground.figures.network import WORDS
    from ui.zh import ZH

    assert [w for w in WORDS.values() if w not in ZH] == []


# --- the pictures at each epoch of a run (h6) ---


@pytest.mark.parametrize(("last", "best"), [(1, 1), (5, 2), (8, None), (9, 0), (120, 37), (1000, None), (5000, 4999)])
def test_shown_epochs_are_the_first_the_best_the_last_and_log_spaced(last: int, best: int | None) -> None:
    ep = shown_epochs(last, best)
    assert list(ep) == sorted(set(ep)) and len(ep) == min(last, SHOWN_EPOCHS)
    assert ep[0] == 1 and ep[-1] == last and set(ep) <= set(range(1, last + 1))
    if best:  # epoch 0 (the initial weights) is not a stop
        assert best in ep
    if best is None and last > SHOWN_EPOCHS:  # dense early: each gap at least the one before it
        gaps = np.diff(ep)
        assert (np.diff(gaps) >= 0).all()
        assert ep[-2] < last / 2  # and log-spaced, not even: the one before the last is far from it


def _grid_inside(cs: ClassSettings, net: torch.nn.Module) -> Inside:
    gx, gy, _ = boundary_grid(class_data(cs), 16)
    return inside(net, make_transform(cs.features), cs.features, gx, gy)


def _same(a: Inside, b: Inside) -> None:
    for x, y in zip(
        (*a.maps, *a.weights, *a.bias, *a.lo, *a.hi), (*b.maps, *b.weights, *b.bias, *b.lo, *b.hi), strict=True
    ):
        np.testing.assert_array_equal(x, y)


# each of train's paths: the torch loop with dropout, numpy's mini-batch steps, a deep full batch, early stopping
RUNS = [
    (dict(hidden=2, cwidth=5), dict(dropout=0.2), dict(batch_size=40, epochs=12)),  # slow: few epochs
    (dict(hidden=2, cwidth=5), {}, dict(batch_size=16)),
    (dict(hidden=3, cwidth=4), {}, {}),
    (dict(hidden=2, cwidth=6), {}, dict(batch_size=8, early_stopping=True, patience=5, lr=0.1)),
]


@pytest.mark.parametrize(("ckw", "mkw", "tkw"), RUNS, ids=["dropout", "minibatch", "full", "early"])
def test_pictures_at_epoch_e_are_the_network_at_epoch_e_of_the_full_run(ckw: dict, mkw: dict, tkw: dict) -> None:
    cs, ms = ClassSettings(cn=80, **ckw), ModelSettings(**mkw)
    ts = TrainSettings(**{"epochs": 40, **tkw})
    live: dict[int, Inside] = {}

    def record(p) -> None:  # the full run's own network as it is at epoch p.epoch (train's loop hands it over)
        live[p.epoch] = _grid_inside(cs, p.model)

    full = fit_classifier(cs, ms, ts, callback=record, every=set(range(1, 41)))
    last = len(full.val_loss) - 1
    eps = [e for e in shown_epochs(last, full.best_epoch) if e < last]
    assert eps and set(eps) <= set(live)
    for e in eps:  # the run with the same settings for e epochs: the same seeds and batches, stopped there
        _same(_grid_inside(cs, fit_classifier(cs, ms, ts.changed(epochs=e)).model), live[e])
    if full.stop_reason == "early stop":  # its end keeps the best epoch's weights: the run of best epochs
        assert 0 < full.best_epoch < last
        _same(
            _grid_inside(cs, full.model),
            _grid_inside(cs, fit_classifier(cs, ms, ts.changed(epochs=full.best_epoch)).model),
        )


def test_the_one_layer_engine_at_epoch_e_predicts_as_the_full_run_did_then() -> None:
    cs, ms, ts = ClassSettings(cn=80, hidden=1, cwidth=4), ModelSettings(), TrainSettings(epochs=60)
    x = class_data(cs).x_val
    seen: dict[int, np.ndarray] = {}
    fit_classifier(cs, ms, ts, callback=lambda p: seen.__setitem__(p.epoch, p.predict(x)), every={3, 20})
    for e in (3, 20):  # the engine's live forward and the finished module's differ by float32 rounding only
        np.testing.assert_allclose(fit_classifier(cs, ms, ts.changed(epochs=e)).predict(x), seen[e], atol=1e-5)


def test_pictures_at_an_epoch_are_deterministic_and_each_figure_fits_the_payload() -> None:
    names = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
    cs = ClassSettings(cn=300, hidden=6, cwidth=8, features=names)
    ms, ts = ModelSettings(), TrainSettings(epochs=30)
    data = class_data(cs)
    gx, gy, _ = boundary_grid(data, 40)  # the page's GRID
    a, b = (
        inside(fit_classifier(cs, ms, ts.changed(epochs=7)).model, make_transform(names), names, gx, gy) for _ in "ab"
    )
    _same(a, b)
    end = inside(fit_classifier(cs, ms, ts).model, make_transform(names), names, gx, gy)
    assert any(not np.array_equal(x, y) for x, y in zip(a.maps, end.maps, strict=True))  # epoch 7 is another picture
    for ins in (a, end):  # one figure per epoch, the slider's: each within a figure's ~1 MB
        assert len(network_figure(ins, data).to_json()) < 600_000
