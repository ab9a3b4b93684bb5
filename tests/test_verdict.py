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
