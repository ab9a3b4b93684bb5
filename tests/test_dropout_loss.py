"""The training loss with dropout on (FitResult.train_loss_on): a plain loop's batch losses, no number changed."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from playground.classify import ClassSettings, class_data, fit_classifier, make_transform
from playground.data import make_data
from playground.figures.playback import classify_playback, fit_playback
from playground.models import build_mlp
from playground.record import curve_probe, grid_probe, record_fit
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit, make_optimizer


def _plain_loop(x, y, xv, yv, m: ModelSettings, t: TrainSettings, loss_fn):
    """A textbook loop: eval losses each epoch, then one epoch of shuffled batches in train mode (their mean)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(t.init_seed)  # dropout masks come from the global generator, as in fit
        net = build_mlp(m, x.shape[1], t.init_seed)
        opt = make_optimizer(t.optimizer, list(net.parameters()), t.lr, t.weight_decay)
        g = torch.Generator().manual_seed(t.init_seed + 1)
        bs = len(x) if t.batch_size == 0 else t.batch_size
        tr, va, on = [], [], []
        for epoch in range(t.epochs + 1):
            net.eval()
            with torch.no_grad():
                tr.append(loss_fn(net(x), y).item())
                va.append(loss_fn(net(xv), yv).item())
            if epoch == t.epochs:
                break
            net.train()
            losses, sizes = [], []
            for idx in torch.randperm(len(x), generator=g).split(bs):
                opt.zero_grad()
                loss = loss_fn(net(x[idx]), y[idx])
                loss.backward()
                opt.step()
                losses.append(loss.item())
                sizes.append(len(idx))
            on.append(float(np.average(losses, weights=sizes)))
    return tr, va, on


def _col(a: torch.Tensor) -> torch.Tensor:
    return a.float().reshape(len(a), -1)


@pytest.mark.parametrize("batch", [0, 7])
def test_regression_dropout_on_loss_is_the_plain_loops_batch_mean_and_nothing_else_moves(batch: int) -> None:
    d = make_data(DataSettings(n=30, noise=0.3))
    m, t = ModelSettings(family="mlp", width=16, dropout=0.3), TrainSettings(epochs=25, batch_size=batch)
    r = fit(d, m, t, device="cpu")
    tr, va, on = _plain_loop(_col(d.x), _col(d.y), _col(d.x_val), _col(d.y_val), m, t, nn.functional.mse_loss)
    assert r.train_loss == tr and r.val_loss == va  # the eval-mode numbers are the plain loop's: no extra masks
    np.testing.assert_allclose(r.train_loss_on, on, rtol=1e-6)
    assert len(r.train_loss_on) == t.epochs


def test_classifier_dropout_on_loss_matches_the_plain_loop() -> None:
    cs = ClassSettings(cn=120, hidden=1, cwidth=16)
    m, t = ModelSettings(family="mlp", layers=1, width=16, dropout=0.5), TrainSettings(epochs=20, batch_size=16)
    r = fit_classifier(cs, m, t.changed(device="cpu"))
    d, f = class_data(cs), make_transform(cs.features)
    bce = nn.functional.binary_cross_entropy_with_logits
    tr, va, on = _plain_loop(_col(f(d.x)), _col(d.y), _col(f(d.x_val)), _col(d.y_val), m, t, bce)
    assert r.train_loss == tr and r.val_loss == va
    np.testing.assert_allclose(r.train_loss_on, on, rtol=1e-6)
    assert np.mean(r.train_loss_on[-5:]) > np.mean(r.train_loss[-5:])  # half the units off: a worse fit


def test_no_dropout_no_dropout_on_loss() -> None:
    d = make_data(DataSettings(n=20))
    for batch in (0, 5):
        r = fit(d, ModelSettings(family="mlp", width=8), TrainSettings(epochs=5, batch_size=batch), device="cpu")
        assert r.train_loss_on == []


def test_a_run_stopped_early_has_one_dropout_on_loss_per_trained_epoch() -> None:
    d = make_data(DataSettings(n=20))
    m, t = ModelSettings(family="mlp", width=64, layers=2, dropout=0.2), TrainSettings(epochs=800, patience=20)
    r = fit(d, m, t.changed(early_stopping=True), device="cpu")
    assert r.stop_reason == "early stop"
    assert len(r.train_loss_on) == len(r.train_loss) - 1 and all(math.isfinite(v) for v in r.train_loss_on)


def _named(fig, name: str) -> list:
    return [tr for tr in fig.data if tr.name == name]


def test_playback_figures_draw_the_dropout_on_loss_dotted_at_epochs_one_to_e() -> None:
    d = make_data(DataSettings(n=20))
    xs = np.linspace(-1, 1, 50)
    m, t = ModelSettings(family="mlp", width=16, dropout=0.3), TrainSettings(epochs=12)
    res, rec = record_fit(d, m, t, curve_probe(xs), device="cpu")
    np.testing.assert_array_equal(rec.train_loss_on, np.float32(res.train_loss_on))
    (line,) = _named(fit_playback(d, xs, rec, labels={"train_on": "ON"}), "ON")
    assert line.line.dash == "dot" and list(line.x) == list(range(1, 13))
    np.testing.assert_allclose(line.y, res.train_loss_on, rtol=1e-6)
    _, plain = record_fit(d, m.changed(dropout=0.0), t, curve_probe(xs), device="cpu")
    assert plain.train_loss_on is None and not _named(fit_playback(d, xs, plain, labels={"train_on": "ON"}), "ON")


def test_classify_playback_draws_it_too() -> None:
    cs = ClassSettings(cn=60, hidden=1, cwidth=8)
    d = class_data(cs)
    gx, gy = np.linspace(-2, 2, 10), np.linspace(-2, 2, 10)
    m, t = ModelSettings(family="mlp", layers=1, width=8, dropout=0.5), TrainSettings(epochs=6)
    _, rec = record_fit(d, m, t, grid_probe(gx, gy), device="cpu", transform=make_transform(cs.features))
    (line,) = _named(classify_playback(d, gx, gy, rec, labels={"train_on": "ON"}), "ON")
    assert line.xaxis == "x2" and line.yaxis == "y2" and len(line.y) == 6
