"""Lesson contracts: every lesson's claim holds on its own numbers, for its seed and for most other seeds.

A lesson whose point shows only on one lucky draw of the data teaches the wrong thing to the student who
presses "New sample". Each claim (playground/lessons.py) is computed with the functions its page uses.
"""

from __future__ import annotations

import pytest

from playground.lessons import PRESETS, Preset, lesson
from ui.zh import ZH

OTHER_SEEDS = 20
MUST_HOLD = 15  # of the OTHER_SEEDS draws


def _seeds(p: Preset) -> list[int]:
    """The lesson's own seed first, then OTHER_SEEDS others."""
    return [p.seed, *[s for s in range(OTHER_SEEDS + 1) if s != p.seed][:OTHER_SEEDS]]


@pytest.mark.parametrize("p", PRESETS, ids=lambda p: p.id)
def test_the_lesson_shows_its_claim_on_its_seed_and_on_most_others(p: Preset) -> None:
    assert p.claim is not None, "every lesson declares what a student should see"
    ok = p.check(_seeds(p))
    print(f"{p.id}: own seed {'holds' if ok[0] else 'FAILS'}, {sum(ok[1:])}/{OTHER_SEEDS} others")  # shown with -s
    assert ok[0], f"{p.id}: the claim fails on the lesson's own seed {p.seed}: {p.claim.see}"
    assert sum(ok[1:]) >= MUST_HOLD, f"{p.id}: holds on {sum(ok[1:])} of {OTHER_SEEDS} other seeds: {p.claim.see}"


@pytest.mark.parametrize("p", PRESETS, ids=lambda p: p.id)
def test_what_you_should_see_is_one_line_in_both_languages(p: Preset) -> None:
    assert p.claim is not None
    see = p.claim.see
    assert "\n" not in see and see.endswith(".") and len(see) < 200
    assert see in ZH, f"no Chinese for {see!r}"


def _without(pid: str, **values: object) -> Preset:
    """The lesson with some values changed: the same claim on numbers that should not bear it out."""
    p = lesson(pid)
    assert p is not None
    return Preset(p.id, p.title, p.page, p.text, {**p.values, **values}, p.claim)


@pytest.mark.parametrize(
    ("pid", "values"),
    [
        ("l2", {"b_ridge": 0.0}),  # no penalty: B is A
        ("much_noise", {"noise": 0.3}),  # the noise already low: nothing overfits to lower it from
        ("bias_variance", {"x_mode": "uniform", "deg_max": 15}),  # the chart: bias² rises again
        ("powerful_model", {"degree": 4}),  # a sensible degree is no overfit
        ("line_vs_7", {"b_degree": 1}),  # two lines: same error
    ],
)
def test_the_claims_are_not_vacuous(pid: str, values: dict) -> None:
    p = _without(pid, **values)
    assert not p.check([p.seed])[0]
