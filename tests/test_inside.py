"""Inside the network: each neuron's picture is the network's own intermediate output (forward hooks as reference)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from playground.classify import ClassSettings, boundary_grid, class_data, fit_classifier, make_transform
from playground.figures.network import network_figure
from playground.inside import MAX_UNITS, Inside, activations, inside, linears
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
