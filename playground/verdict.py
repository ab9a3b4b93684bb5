"""A plain-language verdict (underfitting, good fit, overfitting) from the measured errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The verdict's kind, its reason in words, and the numbers it rests on."""

    kind: str  # "underfit", "good", "overfit"
    reason: str
    train: float
    val: float
    floor: float


def verdict(train_mse: float, val_mse: float, noise: float, scale: float = 1.0) -> Verdict:
    """Judge a regression fit: the noise variance σ² is the error a perfect model would make.

    `scale` is the variance of the truth, so that "small" means small relative to the signal.
    """
    floor = noise**2 + 0.02 * scale  # what a perfect model would score, with a little tolerance
    if train_mse > 1.5 * floor:
        why = "The model cannot even fit the training points: training error is well above the noise level σ²."
        return Verdict("underfit", why, train_mse, val_mse, floor)
    if val_mse > 2.0 * floor and val_mse > 2.0 * train_mse:  # some gap is normal: only a large one is overfitting
        why = "Training error is low but validation error is much higher: the model learned the noise."
        return Verdict("overfit", why, train_mse, val_mse, floor)
    why = "Training and validation errors are both close to the noise level σ²: the model captured the signal."
    return Verdict("good", why, train_mse, val_mse, floor)


def class_verdict(train_acc: float, val_acc: float, base_acc: float = 0.5) -> Verdict:
    """Judge a classifier from its accuracies (errors are 1 - accuracy)."""
    tr, va = 1 - train_acc, 1 - val_acc
    if tr > 0.10 and va - tr < 0.1:  # a tenth of the training points misclassified: too simple
        why = "Both training and validation accuracy are low: the boundary is too simple for the data."
        return Verdict("underfit", why, tr, va, 1 - base_acc)
    if va - tr > 0.08:
        why = "Training accuracy is much higher than validation accuracy: the boundary bends around noise."
        return Verdict("overfit", why, tr, va, 1 - base_acc)
    why = "Training and validation accuracy are close and high: the boundary generalizes."
    return Verdict("good", why, tr, va, 1 - base_acc)
