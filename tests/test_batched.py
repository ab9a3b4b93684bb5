"""The batched engine against models trained one at a time.

The reference `solo` below is an independent float64 implementation of `train.fit`'s loop built from
`models.MLP` and `torch.optim` with autograd (fit itself runs float32); one test also compares with `fit`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from playground import batched, npstep
from playground.batched import DIVERGED, train_many
from playground.data import Dataset
from playground.models import MLP
from playground.settings import ModelSettings, TrainSettings
from playground.train import fit

TOL = 1e-10


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models gain nothing from threads, and on a busy machine each parallel region can wait a time slice."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


CHOICES = {act: [k.name for k in ks] for act, ks in npstep.KERNELS.items()} | {"product": list(npstep.PRODUCTS)}
KERNEL_CHOICES = max(map(len, CHOICES.values()))


@pytest.fixture(
    autouse=True,
    params=[(True, i) for i in range(KERNEL_CHOICES)] + [(False, 0)],
    ids=[f"numpy-step-kernels-{i}" for i in range(KERNEL_CHOICES)] + ["torch-step"],
)
def step_path(request, monkeypatch):
    """Both CPU implementations of a full-batch one-hidden-layer epoch, npstep's numpy and the engine's torch;
    npstep with each of its per-machine choices (the i-th kernel of each activation and the i-th first-layer
    product, or the last), whatever this machine would choose."""
    numpy_step, i = request.param
    monkeypatch.setattr(batched, "NUMPY_STEP", numpy_step)
    for key, names in CHOICES.items():
        monkeypatch.setitem(npstep.CHOSEN, key, names[min(i, len(names) - 1)])
    return numpy_step


def solo(x, y, xv, yv, width, m: ModelSettings, t: TrainSettings, seed, task="regression", layers=None, masks=None):
    """One model trained the way `fit` trains it, in float64; masks: the engine's (K, b, H) dropout masks and k."""
    layers = m.layers if layers is None else layers
    x, xv = x.reshape(len(x), -1), xv.reshape(len(xv), -1)
    net = MLP(x.shape[1], (width,) * layers, m.activation, 0.0, 1, torch.Generator().manual_seed(seed)).double()
    loss_fn = nn.functional.mse_loss if task == "regression" else nn.functional.binary_cross_entropy_with_logits
    opt = {
        "adam": lambda p: torch.optim.Adam(p, lr=t.lr, weight_decay=t.weight_decay),
        "sgd": lambda p: torch.optim.SGD(p, lr=t.lr, weight_decay=t.weight_decay),
        "momentum": lambda p: torch.optim.SGD(p, lr=t.lr, momentum=0.9, weight_decay=t.weight_decay),
    }[t.optimizer](net.parameters())
    weights = [p for p in net.parameters() if p.ndim > 1]  # L1 acts on weight matrices, not biases
    penalty = (lambda: t.l1 * sum(w.abs().sum() for w in weights)) if t.l1 else (lambda: 0.0)
    drawn = iter(masks[0]) if masks else None

    def forward(inp, train=False):
        h = inp
        for mod in net.net:
            h = mod(h)
            if train and drawn is not None and not isinstance(mod, nn.Linear):  # after each activation
                h = h * (next(drawn)[masks[1], :, :width].double() / (1 - m.dropout))
        return h.squeeze(-1)

    acc = lambda o, yy: ((o > 0).double() == yy).double().mean().item()  # noqa: E731
    g = torch.Generator().manual_seed(seed + 1)
    n, bs = len(x), len(x) if t.batch_size == 0 else min(t.batch_size, len(x))
    r = {"tl": [], "vl": [], "ta": [], "va": [], "best": 0, "reason": "finished"}
    best_val, best = math.inf, [p.detach().clone() for p in net.parameters()]
    for epoch in range(t.epochs + 1):
        with torch.no_grad():
            out, outv = forward(x), forward(xv)
        tl, vl = loss_fn(out, y).item(), loss_fn(outv, yv).item()
        r["tl"].append(tl)
        r["vl"].append(vl)
        r["ta"].append(acc(out, y))
        r["va"].append(acc(outv, yv))
        if not (math.isfinite(tl) and math.isfinite(vl)) or tl > DIVERGED:
            r["reason"] = "diverged"
            break
        if vl < best_val:
            best_val, r["best"] = vl, epoch
            best = [p.detach().clone() for p in net.parameters()]
        if epoch == t.epochs:
            break
        if t.early_stopping and epoch - r["best"] >= t.patience:
            r["reason"] = "early stop"
            break
        perm = torch.randperm(n, generator=g) if (bs < n or m.dropout > 0) else torch.arange(n)
        for idx in perm.split(bs):
            opt.zero_grad()
            (loss_fn(forward(x[idx], train=True), y[idx]) + penalty()).backward()  # L1 as a loss term
            opt.step()
    if r["reason"] in ("early stop", "diverged"):
        with torch.no_grad():
            for p, b in zip(net.parameters(), best, strict=True):
                p.copy_(b)
    with torch.no_grad():
        out, outv = forward(x), forward(xv)
    r["tm"], r["vm"] = loss_fn(out, y).item(), loss_fn(outv, yv).item()
    r["tacc"], r["vacc"] = acc(out, y), acc(outv, yv)
    r["net"] = net
    return r


def data(k=1, n=16, nv=12, d=1, seed=0, cls=False):
    """Small random data sets: x (K, N, d), y (K, N), shaped like the engine's per-model inputs."""
    g = torch.Generator().manual_seed(seed)
    x, xv = (torch.rand(k, m, d, generator=g, dtype=torch.float64) * 2 - 1 for m in (n, nv))
    f = (lambda z: (z.sum(-1) > 0).double()) if cls else (lambda z: torch.sin(3 * z.sum(-1)))
    noise = 0.0 if cls else 0.2
    y = f(x) + noise * torch.randn(k, n, generator=g, dtype=torch.float64)
    yv = f(xv) + noise * torch.randn(k, nv, generator=g, dtype=torch.float64)
    return x, y, xv, yv


def check(res, k, ref, tol=TOL, cls=False):
    """Model k of a ManyResult equals a `solo` run."""
    e = len(ref["tl"])
    np.testing.assert_allclose(res.train_loss[k, :e], ref["tl"], rtol=tol, atol=tol)
    np.testing.assert_allclose(res.val_loss[k, :e], ref["vl"], rtol=tol, atol=tol)
    assert np.isnan(res.train_loss[k, e:]).all() and np.isnan(res.val_loss[k, e:]).all()
    assert res.stop_reason[k] == ref["reason"]
    assert res.best_epoch[k] == ref["best"]
    np.testing.assert_allclose([res.train_metric[k], res.val_metric[k]], [ref["tm"], ref["vm"]], rtol=tol, atol=tol)
    if cls:
        np.testing.assert_allclose(res.train_acc[k, :e], ref["ta"], atol=1e-12)
        np.testing.assert_allclose(res.val_acc[k, :e], ref["va"], atol=1e-12)
        np.testing.assert_allclose([res.train_accuracy[k], res.val_accuracy[k]], [ref["tacc"], ref["vacc"]])
    for a, b in zip(res.module(k).parameters(), ref["net"].parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=tol * 100, atol=tol * 100)


def run(widths, m, t, task="regression", shared=False, layers=None, d=1, n=16, seeds=None, **kw):
    """Train all widths at once and each alone; compare model by model."""
    k = len(widths)
    x, y, xv, yv = data(k, n=n, d=d, cls=task == "classification")
    if shared:
        x, xv = x[0], xv[0]
    res = train_many(x, y, xv, yv, widths, m, t, task=task, seeds=seeds, device="cpu", dtype=torch.float64,
                     hidden_layers=layers, **kw)  # fmt: skip
    seeds = seeds or [t.init_seed + i for i in range(k)]
    for i, w in enumerate(widths):
        xi, xvi = (x, xv) if shared else (x[i], xv[i])
        ref = solo(xi, y[i], xvi, yv[i], w, m, t, seeds[i], task, layers)
        check(res, i, ref, cls=task == "classification")
    return res


MLP_ = ModelSettings(family="mlp", width=8)
T = TrainSettings(epochs=60, lr=0.02)


@pytest.mark.parametrize("opt", ["adam", "sgd", "momentum"])
@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_optimizers_and_weight_decay(opt, wd):
    lr = 0.02 if opt == "adam" else 0.1
    run([3, 8, 5], MLP_, T.changed(optimizer=opt, weight_decay=wd, lr=lr))


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid", "gelu", "linear"])
@pytest.mark.parametrize("layers", [1, 2])
def test_activations_and_depth(act, layers):
    run([4, 7, 2], MLP_.changed(activation=act, layers=layers), T)


@pytest.mark.parametrize("opt", ["adam", "sgd", "momentum"])
@pytest.mark.parametrize("layers", [0, 1, 2])
def test_l1_equals_the_loss_term_of_a_plain_autograd_loop(opt, layers):
    """l1 * sign(w) added to the weights' gradients (not the biases') is autograd's gradient of l1 * sum |w|,
    with weight decay on top; widths of one hidden layer pack into chunks, so padded weights must stay zero."""
    lr = 0.02 if opt == "adam" else 0.1
    t = T.changed(optimizer=opt, lr=lr, l1=0.01, weight_decay=0.001 if opt == "sgd" else 0.0)
    run([3, 8, 5] if layers else [4, 4], MLP_, t, layers=layers, d=2)


def test_no_hidden_layer_is_linear_or_logistic_regression():
    run([5, 5], MLP_, T, layers=0, d=2)
    run([5, 5], MLP_, T, layers=0, d=2, task="classification")


@pytest.fixture(params=[True, False], ids=["host-rules", "device-rules"])
def rules(request, monkeypatch):
    """Both implementations of the stop rules: numpy on the host (the CPU's) and tensors (CUDA's, graph-safe)."""
    monkeypatch.setattr(batched, "HOST_RULES", request.param)


def test_classification_shared_inputs(rules):
    res = run([6, 3, 12], MLP_.changed(activation="relu"), T.changed(lr=0.05), task="classification", shared=True, d=2)
    assert res.train_acc.shape == (3, T.epochs + 1) and res.val_accuracy.shape == (3,)


@pytest.mark.parametrize("opt", ["adam", "momentum"])
def test_mini_batches(opt, rules):
    run([4, 9], MLP_, T.changed(batch_size=5, optimizer=opt, epochs=25), seeds=[3, 11])


def test_mixed_widths_in_row_chunks():
    """Widths 1..40 pack into rows of a few units (one hidden layer); sigmoid checks the padded units."""
    widths = [1, 2, 3, 7, 16, 33, 40, 5]
    run(widths, MLP_.changed(activation="sigmoid"), T.changed(epochs=30), shared=True)
    run(widths, MLP_, T.changed(epochs=30, weight_decay=0.01, optimizer="momentum", lr=0.1))


def test_early_stopping_restores_best_weights(rules):
    t = T.changed(epochs=100, early_stopping=True, patience=5, lr=0.2)
    res = run([2, 16, 6], MLP_, t, n=10)
    assert "early stop" in res.stop_reason
    for k in range(3):  # the kept weights are those of the best epoch
        assert res.val_metric[k] == pytest.approx(res.val_loss[k, res.best_epoch[k]], rel=1e-12)


def test_divergence_stops_only_that_model(rules):
    x, y, xv, yv = data(3)
    y = y.clone()
    y[1] *= 30  # large targets make plain SGD blow up for this model only, after a few epochs
    t = T.changed(optimizer="sgd", lr=0.5, epochs=40)
    res = train_many(x, y, xv, yv, [8, 8, 8], MLP_, t, device="cpu", dtype=torch.float64)
    assert res.stop_reason == ["finished", "diverged", "finished"]
    assert 3 < np.isfinite(res.train_loss[1]).sum() < 20  # it trained a few epochs first
    for k in range(3):
        check(res, k, solo(x[k], y[k], xv[k], yv[k], 8, MLP_, t, k))
    assert np.isfinite(res.predict(xv[1])).all()  # the best weights before the blow-up are kept


def test_dropout_with_the_engines_masks():
    """Exact equality with fit's dropout is not possible (fit draws masks from torch's global RNG inside
    fork_rng); instead the engine takes a mask hook and `solo` replays the very same masks."""
    m = MLP_.changed(dropout=0.3, layers=2)
    t = T.changed(epochs=20, batch_size=6)
    x, y, xv, yv = data(3, n=14)
    g, drawn = torch.Generator().manual_seed(5), []

    def hook(shape):
        drawn.append(torch.rand(shape, generator=g, dtype=torch.float64) > 0.3)
        return drawn[-1]

    res = train_many(x, y, xv, yv, [3, 8, 5], m, t, device="cpu", dtype=torch.float64, dropout_masks=hook)
    assert drawn and drawn[0].shape[0] == 3
    for k, w in enumerate([3, 8, 5]):
        check(res, k, solo(x[k], y[k], xv[k], yv[k], w, m, t, k, masks=(drawn, k)))


def test_dropout_default_masks():
    """The default masks are reproducible, change training, and it still learns."""
    x, y, xv, yv = data(4, n=40)
    m, t = MLP_.changed(dropout=0.5, width=32), T.changed(epochs=40)
    a, b = (train_many(x, y, xv, yv, [32] * 4, m, t, device="cpu") for _ in range(2))
    c = train_many(x, y, xv, yv, [32] * 4, m.changed(dropout=0.0), t, device="cpu")
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    assert not np.allclose(a.train_loss[:, -1], c.train_loss[:, -1])
    assert (a.train_loss[:, -1] < a.train_loss[:, 0]).all()


def test_float32_matches_fit():
    """The engine in float32 against `fit` itself (looser: fit's fused Adam rounds differently)."""
    x, y, xv, yv = data(3, n=20)
    m, t = MLP_.changed(width=16), TrainSettings(epochs=50, lr=0.01, early_stopping=True, patience=10)
    res = train_many(x[0], y[0], xv[0], yv[0], [16, 16, 16], m, t, seeds=[0, 1, 2], device="cpu")
    for k in range(3):
        f = fit(Dataset(x[0, :, 0], y[0], xv[0, :, 0], yv[0], 0.2, "sine"), m, t.changed(init_seed=k), device="cpu")
        e = len(f.train_loss)
        np.testing.assert_allclose(res.train_loss[k, :e], f.train_loss, rtol=2e-5)
        np.testing.assert_allclose(res.val_loss[k, :e], f.val_loss, rtol=2e-5)
        assert res.stop_reason[k] == f.stop_reason and res.best_epoch[k] == f.best_epoch
        np.testing.assert_allclose(res.predict(xv[0, :, 0])[k], f.predict(xv[0, :, 0]), rtol=1e-4, atol=1e-6)


def test_predict_module_and_shapes():
    x, y, xv, yv = data(4, d=2)
    res = train_many(x, y, xv, yv, [2, 9, 4, 30], MLP_, T.changed(epochs=10), device="cpu", dtype=torch.float64)
    assert res.train_loss.shape == (4, 11) and res.n_params.tolist() == [2 * w + w + w + 1 for w in [2, 9, 4, 30]]
    p = res.predict(xv)  # (K, P, d) per model
    assert p.shape == (4, 12)
    for k in range(4):
        with torch.no_grad():
            np.testing.assert_allclose(p[k], res.module(k)(xv[k]).squeeze(-1).numpy(), rtol=1e-12)
    assert res.predict(xv[0]).shape == (4, 12)  # (P, d) shared
    x1, y1 = torch.linspace(-1, 1, 10), torch.linspace(-1, 1, 10) ** 2
    r1 = train_many(x1, y1, x1, y1, [5], MLP_, T.changed(epochs=5), device="cpu")  # 1-D shared data, K=1
    assert r1.predict(x1).shape == (1, 10) and r1.predict(torch.stack([x1, x1])[:1]).shape == (1, 10)


def test_callback_and_time_budget_stop_everyone(rules):
    x, y, xv, yv = data(2)
    seen = []
    res = train_many(
        x, y, xv, yv, [4, 4], MLP_, T, device="cpu", callback=lambda r: seen.append(r.epoch) or r.epoch < 20, every=10
    )
    assert seen == [10, 20] and res.stop_reason == ["stopped"] * 2
    assert np.isfinite(res.train_loss[:, 20]).all() and np.isnan(res.train_loss[:, 21]).all()
    res = train_many(x, y, xv, yv, [4, 4], MLP_, T, max_seconds=0.0, device="cpu")
    assert res.stop_reason == ["time budget"] * 2 and np.isnan(res.train_loss[:, 1]).all()


def test_callback_sees_the_history_so_far_and_the_current_weights(rules):
    """At each callback: the histories up to that epoch (a stopped model's NaN after its stop, as in the result)
    and predict() with the weights of that epoch."""
    x, y, xv, yv = data(3)
    y = y.clone()
    y[1] *= 30  # model 1 diverges after a few epochs
    seen = []

    def look(live):
        seen.append((live.epoch, live.history(), live.predict(x)))

    t = T.changed(optimizer="sgd", lr=0.5, epochs=40)
    res = train_many(x, y, xv, yv, [8, 8, 8], MLP_, t, device="cpu", dtype=torch.float64, callback=look, every=10)
    assert [e for e, _, _ in seen] == [10, 20, 30]
    for e, h, pred in seen:
        assert h.shape == (2, 3, e + 1)
        np.testing.assert_array_equal(h[0], res.train_loss[:, : e + 1])  # NaN where the result has NaN
        for k in (0, 2):  # running models: predict() gives that epoch's training loss
            assert np.mean((pred[k] - y[k].numpy()) ** 2) == pytest.approx(h[0, k, e], rel=1e-9)
    assert res.stop_reason[1] == "diverged" and np.isnan(seen[-1][1][0, 1, -1])


def test_adam_from_the_graph_table_equals_the_python_counter():
    """The CUDA-graph variant of the update (bias corrections indexed by a device epoch) on the CPU."""
    g = torch.Generator().manual_seed(0)
    theta = torch.randn(50, generator=g, dtype=torch.float64)
    pa, pb, frozen = theta.clone(), theta.clone(), torch.zeros(50, dtype=torch.bool)
    a = batched._Optimizer("adam", 0.01, 0.001, theta)
    b = batched._Optimizer("adam", 0.01, 0.001, theta, table_steps=30)
    for i in range(30):
        grad = torch.randn(50, generator=g, dtype=torch.float64)
        a.step(pa, grad.clone(), frozen)
        b.step(pb, grad.clone(), frozen, torch.tensor([i]))
    torch.testing.assert_close(pa, pb, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("layers, batch", [(1, 0), (2, 0), (1, 5)])
def test_numpy_path_runs_exactly_where_supported(step_path, monkeypatch, layers, batch):
    """The numpy epoch serves full-batch one-hidden-layer runs on the CPU; everything else runs the torch code."""
    calls = []
    real = batched.NumpyStep.step
    monkeypatch.setattr(batched.NumpyStep, "step", lambda self: calls.append(1) or real(self))
    x, y, xv, yv = data(2)
    train_many(x, y, xv, yv, [4, 4], MLP_, T.changed(epochs=5, batch_size=batch), device="cpu", hidden_layers=layers)
    assert len(calls) == (5 if step_path and layers == 1 and batch == 0 else 0)


def test_result_module_leaves_the_global_generator_alone():
    """fit() builds its result module from the engine's weights at the end of a run, while another session's
    dropout run may be drawing masks from torch's global generator."""
    x, y, xv, yv = data(2)
    res = train_many(x, y, xv, yv, [4, 6], MLP_, T.changed(epochs=3), device="cpu")
    state = torch.get_rng_state()
    mods = [res.module(k) for k in range(2)]
    assert torch.equal(torch.get_rng_state(), state)
    np.testing.assert_allclose(mods[1](xv[1].float()).squeeze(-1).detach().numpy(), res.predict(xv)[1], rtol=1e-5)
