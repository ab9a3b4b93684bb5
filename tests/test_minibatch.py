"""The numpy mini-batch engine against the plain torch loop it replaces: same batches, same steps, same weights."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from playground.minibatch import MiniBatch, layers_of, serves
from playground.models import MLP
from playground.train import LOSSES, make_optimizer


def _data(n: int, d: int, task: str, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = (x.sum(1, keepdim=True) > 0).float() if task == "classification" else torch.sin(2 * x[:, :1])
    return x, y


def _torch_loop(net: nn.Module, x, y, opt_name, lr, wd, task, bs, epochs, seed, l1=0.0) -> list[float]:
    """The loop of train._Loop.step's mini-batch branch, as written there."""
    opt = make_optimizer(opt_name, list(net.parameters()), lr, wd, l1)
    g = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        ls = []
        for idx in torch.randperm(len(x), generator=g).split(bs):
            opt.zero_grad()
            loss = LOSSES[task](net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            ls.append(loss.item())
        losses.append(float(np.mean(ls)))
    return losses


def _numpy_run(net: nn.Module, x, y, opt_name, lr, wd, task, bs, epochs, seed, l1=0.0) -> list[float]:
    mb = MiniBatch(net, x, y, opt_name, lr, wd, task, l1)
    g = torch.Generator().manual_seed(seed)
    return [mb.epoch(torch.randperm(len(x), generator=g), bs, losses=True) for _ in range(epochs)]


CASES = [
    ("tanh", (8, 8), "sgd", 0.03, 0.0, "classification", 10, 0.0),
    ("relu", (16,), "adam", 0.01, 0.0, "regression", 7, 0.0),
    ("sigmoid", (4, 2), "momentum", 0.1, 1e-3, "classification", 32, 0.0),
    ("linear", (5, 3, 2), "adam", 0.003, 1e-2, "regression", 1, 0.0),
    ("tanh", (6,), "adam", 0.05, 0.0, "classification", 250, 0.0),
    ("tanh", (8, 4), "sgd", 0.1, 0.0, "classification", 10, 0.01),
    ("relu", (6, 6), "adam", 0.01, 1e-3, "regression", 5, 0.003),
]


@pytest.mark.parametrize(("act", "hidden", "opt", "lr", "wd", "task", "bs", "l1"), CASES)
def test_numpy_epochs_equal_the_torch_loop(act, hidden, opt, lr, wd, task, bs, l1) -> None:
    x, y = _data(60, 2, task)
    ref = MLP(2, hidden, act, generator=torch.Generator().manual_seed(3))
    ours = copy.deepcopy(ref)
    assert serves(ours, task, torch.device("cpu"))
    la = _torch_loop(ref, x, y, opt, lr, wd, task, bs, 15, 7, l1)
    lb = _numpy_run(ours, x, y, opt, lr, wd, task, bs, 15, 7, l1)
    np.testing.assert_allclose(lb, la, rtol=2e-4, atol=1e-6)  # float32: rounding, summed over 15 epochs
    for p, q in zip(ours.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-3, atol=2e-5)


def test_the_steps_write_the_torch_parameters_in_place() -> None:
    net = MLP(2, (4,), "tanh", generator=torch.Generator().manual_seed(0))
    before = [p.detach().clone() for p in net.parameters()]
    x, y = _data(20, 2, "classification")
    MiniBatch(net, x, y, "sgd", 0.1, 0.0, "classification").epoch(torch.arange(20), 5)
    assert all(not torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def test_networks_it_cannot_train_are_refused() -> None:
    cpu = torch.device("cpu")
    plain = MLP(2, (4,), "tanh")
    assert serves(plain, "classification", cpu)
    assert not serves(MLP(2, (4,), "tanh", dropout=0.2), "classification", cpu)  # dropout masks: torch
    assert not serves(MLP(2, (4,), "gelu"), "classification", cpu)  # no erf in numpy
    assert not serves(plain, "ranking", cpu)
    assert not serves(plain.double(), "classification", cpu)
    assert layers_of(nn.Sequential(nn.Tanh(), nn.Linear(2, 1))) is None
    assert layers_of(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))) is None  # two outputs


def test_the_settings_rule_names_only_what_the_engine_computes() -> None:
    from playground import models
    from playground.minibatch import ACTS
    from playground.settings import NUMPY_ACTIVATIONS

    assert {models.ACTIVATIONS[a] for a in NUMPY_ACTIVATIONS} <= set(ACTS)
    assert models.ACTIVATIONS["gelu"] not in ACTS


@pytest.mark.parametrize(
    ("kw", "serves_"),
    [
        ({}, True),
        ({"batch_size": 0}, True),  # a full batch, in order
        ({"dropout": 0.3}, False),
        ({"activation": "gelu"}, False),
        ({"width": 256, "layers": 2}, False),  # 67k parameters: torch's fused update wins
        ({"width": 128, "layers": 1, "batch_size": 64}, True),
    ],
)
def test_fit_takes_the_numpy_steps_where_they_serve_and_gives_the_torch_loops_numbers(kw, serves_, monkeypatch) -> None:
    from playground import minibatch, settings
    from playground.data import make_classes
    from playground.settings import ModelSettings, TrainSettings
    from playground.train import fit

    data = make_classes("moons", 120, 0.2, 0.3, 0)
    mk = {k: v for k, v in kw.items() if k in ("dropout", "activation", "width", "layers")}
    ms = ModelSettings(family="mlp", **{"width": 8, "layers": 2, "activation": "tanh", **mk})
    ts = TrainSettings(optimizer="adam", lr=0.01, epochs=40, batch_size=kw.get("batch_size", 10), device="cpu")
    d, layers = data.x.shape[1], ms.layers
    assert settings.numpy_steps(ms, ts, len(data.x), d, layers) == serves_
    assert settings.numpy_batches(ms, ts, len(data.x), d, layers) == (serves_ and ts.batch_size > 0)
    calls = []
    real = minibatch.MiniBatch.epoch
    monkeypatch.setattr(minibatch.MiniBatch, "epoch", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    ours = fit(data, ms, ts, device="cpu")
    assert bool(calls) == serves_
    monkeypatch.setattr(minibatch, "ENABLED", False)
    ref = fit(data, ms, ts, device="cpu")
    np.testing.assert_allclose(ours.train_loss, ref.train_loss, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(ours.val_loss, ref.val_loss, rtol=1e-3, atol=1e-6)
    assert ours.best_epoch == ref.best_epoch


def test_an_unknown_optimizer_is_an_error_in_the_mini_batch_engine_and_the_shown_code() -> None:
    from playground import codegen

    x, y = _data(10, 2, "classification")
    with pytest.raises(ValueError, match="rmsprop"):
        MiniBatch(MLP(2, (4,), "tanh"), x, y, "rmsprop", 0.1, 0.0, "classification")
    with pytest.raises(ValueError, match="rmsprop"):
        codegen._optimizer({"optimizer": "rmsprop", "weight_decay": 0.0})
