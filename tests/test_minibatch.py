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
    """The loop of train._train_on's mini-batch branch, as written there."""
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
    assert serves(ours, opt, task, torch.device("cpu"))
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
    assert serves(plain, "sgd", "classification", cpu)
    assert not serves(MLP(2, (4,), "tanh", dropout=0.2), "sgd", "classification", cpu)  # dropout masks: torch
    assert not serves(MLP(2, (4,), "gelu"), "sgd", "classification", cpu)  # no erf in numpy
    assert not serves(plain, "rmsprop", "classification", cpu)
    assert not serves(plain.double(), "sgd", "classification", cpu)
    assert layers_of(nn.Sequential(nn.Tanh(), nn.Linear(2, 1))) is None
    assert layers_of(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))) is None  # two outputs
