"""fit(): losses fall, early stopping restores the best weights, divergence is caught, seeds rule."""

import math

import numpy as np
import pytest
import torch

from playground.data import make_data
from playground.device import available, pick_device
from playground.models import MLP
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit, make_optimizer, train_step

MLP_SET = ModelSettings(family="mlp", width=32)


@pytest.fixture(scope="module")
def data():
    return make_data(DataSettings(n=20, noise=0.3))


def test_polynomial_fit_reports_closed_form_and_parameters(data) -> None:
    r = fit(data, ModelSettings(degree=4))
    assert r.stop_reason == "closed form" and r.n_params == 5
    np.testing.assert_allclose(r.train_metric, np.mean((r.predict(data.x) - data.y.numpy()) ** 2), rtol=1e-10)


def test_mlp_training_loss_decreases(data) -> None:
    r = fit(data, MLP_SET, TrainSettings(epochs=300))
    assert len(r.train_loss) == 301  # epoch 0 is the initial weights
    assert r.train_loss[-1] < 0.5 * r.train_loss[0]
    assert r.stop_reason == "finished"


def test_big_network_overfits_few_points(data) -> None:
    r = fit(data, ModelSettings(family="mlp", width=128, layers=2), TrainSettings(epochs=1500, lr=0.01))
    assert r.train_metric < 0.5 * data.noise**2  # it fits the noise...
    assert r.val_metric > 1.5 * r.train_metric  # ...and validation pays for it


def test_early_stopping_restores_the_best_epochs_weights(data) -> None:
    ts = TrainSettings(epochs=2000, early_stopping=True, patience=50)
    r = fit(data, ModelSettings(family="mlp", width=128, layers=2), ts)
    assert r.stop_reason == "early stop"
    assert len(r.val_loss) - 1 == r.best_epoch + ts.patience
    assert r.val_metric == pytest.approx(min(r.val_loss), rel=1e-5)
    assert r.val_metric == pytest.approx(r.val_loss[r.best_epoch], rel=1e-5)


def test_same_seed_same_result_other_seed_other_result(data) -> None:
    ts = TrainSettings(epochs=50, batch_size=5)
    m = MLP_SET.changed(dropout=0.2)
    a, b, c = fit(data, m, ts), fit(data, m, ts), fit(data, m, ts.changed(init_seed=1))
    assert a.train_loss == b.train_loss
    assert a.train_loss != c.train_loss


def test_fit_leaves_the_global_rng_alone(data) -> None:
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    fit(data, MLP_SET.changed(dropout=0.3), TrainSettings(epochs=5))
    assert torch.equal(before, torch.random.get_rng_state())


def test_diverging_learning_rate_stops_with_a_message_and_finite_weights(data) -> None:
    r = fit(data, MLP_SET, TrainSettings(optimizer="sgd", lr=10.0, epochs=500))
    assert r.stop_reason == "diverged" and "diverged" in (r.note or "")
    assert math.isfinite(r.train_metric) and math.isfinite(r.val_metric)
    assert np.isfinite(r.predict(np.linspace(-1, 1, 50))).all()


@pytest.mark.parametrize("opt", ["adam", "sgd", "momentum"])
def test_every_optimizer_learns(data, opt: str) -> None:
    r = fit(data, MLP_SET, TrainSettings(optimizer=opt, lr=0.05, epochs=200))
    assert r.train_metric < r.train_loss[0]


def test_minibatches_and_weight_decay_run(data) -> None:
    r = fit(data, MLP_SET, TrainSettings(batch_size=4, weight_decay=0.01, epochs=50))
    assert r.train_metric < r.train_loss[0] and len(r.val_loss) == 51


def test_callback_sees_progress_and_can_stop(data) -> None:
    seen = []

    def cb(p) -> bool:
        seen.append(p.epoch)
        assert p.predict(np.zeros(3)).shape == (3,)
        return p.epoch < 30

    r = fit(data, MLP_SET, TrainSettings(epochs=100), callback=cb, every=10)
    assert seen == [10, 20, 30] and r.stop_reason == "stopped"


def test_the_guard_stops_training_and_says_the_result_is_incomplete(data) -> None:
    r = fit(data, MLP_SET, TrainSettings(epochs=5000), max_seconds=0.0)
    assert r.stop_reason == "time budget" and len(r.train_loss) < 5001
    assert r.note is not None and "incomplete" in r.note and "not reproducible" in r.note


def test_low_level_pieces_write_a_training_loop(data) -> None:
    net = MLP(1, (16,), "tanh")
    opt = make_optimizer("adam", net.parameters(), 0.01)
    x, y = data.x.float()[:, None], data.y.float()[:, None]
    losses = [train_step(net, opt, x, y) for _ in range(200)]
    assert losses[-1] < losses[0]


def test_device_selection_prefers_accelerators_and_falls_back() -> None:
    dev, note = pick_device("auto")
    assert dev.type == available()[0] and note is None
    assert pick_device("cpu") == (torch.device("cpu"), None)
    if "cuda" not in available():
        dev, note = pick_device("cuda")
        assert dev.type == "cpu" and "not available" in note


ROUTED = {  # full-batch, one hidden layer, no dropout, CPU: fit trains through the batched engine
    "regression": (MLP_SET, TrainSettings(epochs=150)),
    "early stop": (MLP_SET.changed(width=64), TrainSettings(epochs=400, lr=0.05, early_stopping=True, patience=20)),
    "diverged": (MLP_SET, TrainSettings(epochs=100, optimizer="sgd", lr=5.0)),
    "momentum + L2": (MLP_SET.changed(activation="relu"), TrainSettings(epochs=150, optimizer="momentum", weight_decay=0.01)),
    "batch >= N": (MLP_SET, TrainSettings(epochs=100, batch_size=500)),  # one batch of every point: full batch
}  # fmt: skip


@pytest.mark.parametrize("case", ROUTED)
def test_engine_route_matches_the_torch_loop(data, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """fit's two CPU routes (the engine's numpy epoch, autograd) give the same run in float32."""
    import playground.batched as batched

    m, t = ROUTED[case]
    seen: dict[bool, list] = {True: [], False: []}
    runs = {}
    for route in (True, False):  # at each callback: the history so far, and predict() with that epoch's weights
        monkeypatch.setattr(batched, "NUMPY_STEP", route)
        look = lambda p, r=route: seen[r].append(  # noqa: E731
            (p.epoch, len(p.train_loss), len(p.val_loss), np.mean((p.predict(data.x) - data.y.numpy()) ** 2), p.train_loss[-1])
        )  # fmt: skip
        runs[route] = fit(data, m, t, device="cpu", callback=look, every=25)
    a, b = runs[True], runs[False]
    assert a.stop_reason == b.stop_reason and a.best_epoch == b.best_epoch and len(a.train_loss) == len(b.train_loss)
    assert (a.note, a.n_params, type(a.model)) == (b.note, b.n_params, type(b.model))
    finite = np.isfinite(b.train_loss)
    rtol = 1e-3 if case == "diverged" else 1e-4  # a blow-up amplifies float32 rounding, as it does anything
    np.testing.assert_allclose(np.array(a.train_loss)[finite], np.array(b.train_loss)[finite], rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(a.predict(data.x_val), b.predict(data.x_val), rtol=1e-3, atol=1e-5)
    assert [s[0] for s in seen[True]] == [s[0] for s in seen[False]]
    assert seen[True] or case == "diverged"  # that one blows up before the first callback
    for epoch, n_train, n_val, mse, last in seen[True]:
        assert n_train == n_val == epoch + 1
        assert mse == pytest.approx(last, rel=1e-4) or not math.isfinite(last)
    if case == "diverged":
        assert a.stop_reason == "diverged" and np.isfinite(a.predict(data.x)).all()


@pytest.mark.parametrize(
    ("m", "t", "engine"),
    [
        (MLP_SET, TrainSettings(epochs=3), True),
        (MLP_SET, TrainSettings(epochs=3, batch_size=500), True),  # a batch of every point is the full batch
        (MLP_SET, TrainSettings(epochs=3, batch_size=5), False),  # shuffled mini-batches
        (MLP_SET.changed(layers=2), TrainSettings(epochs=3), False),
        (MLP_SET.changed(dropout=0.2), TrainSettings(epochs=3), False),
    ],
)
def test_fit_takes_the_engine_for_full_batch_one_layer_runs_only(data, m, t, engine: bool, monkeypatch) -> None:
    import playground.train as train

    calls = []
    real = train.train_many
    monkeypatch.setattr(train, "train_many", lambda *a, **k: calls.append(1) or real(*a, **k))
    r = fit(data, m, t, device="cpu")
    assert bool(calls) == engine and len(r.train_loss) == 4 and isinstance(r.model, MLP)
