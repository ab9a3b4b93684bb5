"""A plain-language verdict (underfitting, good fit, overfitting) from the measured errors."""

from __future__ import annotations

from dataclasses import dataclass

NEAR_FLOOR = 3.0  # a validation error within this factor of the noise floor is a good fit, whatever the gap
GAP_SIGNAL = 1.0  # ... unless validation exceeds training error by more than this times the signal's variance
VAL_RISE = 1.5  # a network's validation error this far above its best epoch's has turned upwards
CE_RISE = 1.5  # validation cross-entropy this far above its minimum has turned upwards
CE_GAP = 5.0  # ... and this far above the training cross-entropy is overconfidence


@dataclass(frozen=True)
class Verdict:
    """The verdict's kind, its reason in words, and the numbers it rests on."""

    kind: str  # "underfit", "good", "overfit"
    reason: str
    train: float
    val: float
    floor: float


def verdict(
    train_mse: float, val_mse: float, noise: float, scale: float = 1.0, best_val: float | None = None
) -> Verdict:
    """Judge a regression fit: the noise variance σ² is the error a perfect model would make.

    `scale` is the variance of the truth, so that "small" means small relative to the signal. `best_val` (a
    trained network) is the lowest validation error of any epoch: how the lesson detects overfitting.
    """
    floor = noise**2 + 0.02 * scale  # what a perfect model would score, with a little tolerance
    if train_mse > 1.5 * floor:
        why = "The model cannot even fit the training points: training error is well above the noise level σ²."
        return Verdict("underfit", why, train_mse, val_mse, floor)
    # Detection as the lesson teaches it: validation error turned upwards while training error kept falling.
    if best_val is not None and val_mse > VAL_RISE * best_val and val_mse > 2.0 * train_mse:
        why = "Validation error has risen well above its best epoch's while training error kept falling: the network has started to overfit."
        return Verdict("overfit", why, train_mse, val_mse, floor)
    # Twenty points cannot pin a curve down to σ²: a validation error a few times the floor is still the signal.
    # Only one far above the floor, and far above training error, is overfitting.
    if val_mse > NEAR_FLOOR * floor and val_mse > 2.0 * train_mse:
        why = "Training error is low but validation error is much higher: the model learned the noise."
        return Verdict("overfit", why, train_mse, val_mse, floor)
    # With noise as large as the signal the ratio to σ² looks tame while the curve's wiggles are as big as the
    # signal itself: a gap larger than the signal's variance is overfitting too.
    if val_mse > 2.0 * train_mse and val_mse - train_mse > GAP_SIGNAL * scale:
        why = "Validation error is far above training error: the curve follows the noise, with wiggles as large as the signal itself."
        return Verdict("overfit", why, train_mse, val_mse, floor)
    why = "Training and validation errors are both close to the noise level σ²: the model captured the signal."
    return Verdict("good", why, train_mse, val_mse, floor)


def class_verdict(
    train_acc: float,
    val_acc: float,
    base_acc: float = 0.5,
    train_ce: float | None = None,
    val_ce: float | None = None,
    best_val_ce: float | None = None,
) -> Verdict:
    """Judge a classifier from its accuracies (errors are 1 - accuracy) and, when given, its cross-entropies.

    `val_ce` and `train_ce` belong to the weights shown; `best_val_ce` is the lowest validation loss seen in
    training. Accuracy can stay high while the loss climbs: the model grows overconfident on its mistakes.
    """
    tr, va = 1 - train_acc, 1 - val_acc
    if tr > 0.10 and va - tr < 0.1:  # a tenth of the training points misclassified: too simple
        why = "Both training and validation accuracy are low: the boundary is too simple for the data."
        return Verdict("underfit", why, tr, va, 1 - base_acc)
    if va - tr > 0.08:
        why = "Training accuracy is much higher than validation accuracy: the boundary bends around noise."
        return Verdict("overfit", why, tr, va, 1 - base_acc)
    if (
        train_ce is not None
        and val_ce is not None
        and best_val_ce is not None
        and val_ce > CE_RISE * best_val_ce
        and val_ce > CE_GAP * train_ce
    ):
        why = (
            "Accuracy is still high, but validation cross-entropy has risen from its minimum and ends far above "
            "training: the model is overconfident, starting to overfit."
        )
        return Verdict("overfit", why, tr, va, 1 - base_acc)
    why = "Training and validation accuracy are close and high: the boundary generalizes."
    return Verdict("good", why, tr, va, 1 - base_acc)
