"""The verdict follows the measured errors relative to the noise level."""

from playground.data import make_data
from playground.settings import DataSettings, ModelSettings
from playground.train import fit
from playground.verdict import class_verdict, verdict


def test_verdict_rules_on_numbers() -> None:
    assert verdict(0.5, 0.55, noise=0.1).kind == "underfit"
    assert verdict(0.001, 0.4, noise=0.3).kind == "overfit"
    assert verdict(0.08, 0.1, noise=0.3).kind == "good"


def test_verdicts_of_the_lesson_fits() -> None:
    d = make_data(DataSettings(truth="sine", n=15, noise=0.2, seed=0))
    kinds = {
        deg: verdict(*(lambda r: (r.train_metric, r.val_metric))(fit(d, ModelSettings(degree=deg))), 0.2).kind
        for deg in (0, 5, 14)
    }
    assert kinds == {0: "underfit", 5: "good", 14: "overfit"}


def test_class_verdict() -> None:
    assert class_verdict(0.6, 0.58).kind == "underfit"
    assert class_verdict(1.0, 0.8).kind == "overfit"
    assert class_verdict(0.97, 0.95).kind == "good"


def test_a_validation_error_near_the_noise_floor_is_not_overfitting() -> None:
    # The L2 lesson's rescued model: validation 0.28 against σ² = 0.09 and a signal variance of 0.5.
    assert verdict(0.027, 0.28, noise=0.3, scale=0.5).kind == "good"
    assert verdict(0.027, 713.0, noise=0.3, scale=0.5).kind == "overfit"
    floor = 0.3**2 + 0.02 * 0.5
    assert verdict(0.01, 2.9 * floor, 0.3, 0.5).kind == "good"  # the boundary: within 3x of the floor
    assert verdict(0.01, 3.1 * floor, 0.3, 0.5).kind == "overfit"


def test_class_verdict_sees_overconfidence_in_the_losses() -> None:
    # The run: accuracy fine, validation cross-entropy up from its minimum and 200x above training.
    v = class_verdict(1.0, 0.97, 0.5, train_ce=0.000354, val_ce=0.0707, best_val_ce=0.03)
    assert v.kind == "overfit" and "overconfident" in v.reason
    assert class_verdict(1.0, 0.97, 0.5).kind == "good"  # without the losses only accuracy counts
    assert class_verdict(1.0, 0.97, 0.5, 0.000354, 0.0707, 0.06).kind == "good"  # not risen from its minimum
    assert class_verdict(1.0, 0.97, 0.5, 0.05, 0.0707, 0.03).kind == "good"  # risen, but close to training


def test_noise_as_large_as_the_signal_is_judged_by_the_gap_against_the_signal() -> None:
    # σ = 1 and a signal variance of 0.5: validation 2.2 against training 0.5 is within 3x of the floor (1.01)
    # but the gap (1.7) is over three times the signal's variance: the curve follows the noise.
    v = verdict(0.5, 2.2, noise=1.0, scale=0.5)
    assert v.kind == "overfit" and "noise" in v.reason
    assert verdict(0.9, 1.3, noise=1.0, scale=0.5).kind == "good"  # a gap smaller than the signal


def test_a_network_whose_validation_error_turned_upwards_is_overfitting() -> None:
    """Detection as the lesson teaches it: the last epoch's validation error well above the best epoch's."""
    from playground.data import make_data
    from playground.settings import DataSettings, ModelSettings, TrainSettings
    from playground.train import fit

    near_floor = verdict(0.03, 0.2, 0.3)  # within 3x of σ² = 0.09: alone, a good fit
    assert near_floor.kind == "good"
    assert verdict(0.03, 0.2, 0.3, best_val=0.11).kind == "overfit"  # but it was 0.11 at its best epoch
    assert verdict(0.03, 0.2, 0.3, best_val=0.15).kind == "good"  # a small rise is noise in the curve
    assert verdict(0.12, 0.2, 0.3, best_val=0.11).kind == "good"  # training error as high: not memorising
    # The Fit page's default network: validation MSE falls to its best epoch, then climbs back for 800 epochs.
    d = make_data(DataSettings())
    r = fit(d, ModelSettings(family="mlp"), TrainSettings(), device="cpu")
    assert r.best_val == min(r.val_loss) and r.val_metric > 1.5 * r.best_val
    assert verdict(r.train_metric, r.val_metric, d.noise, best_val=r.best_val).kind == "overfit"
    stopped = fit(d, ModelSettings(family="mlp"), TrainSettings(early_stopping=True), device="cpu")
    assert verdict(stopped.train_metric, stopped.val_metric, d.noise, best_val=stopped.best_val).kind != "overfit"
