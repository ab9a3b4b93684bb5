"""Settings: bounds declared once are enforced; raw (URL) values parse, clamp or fall back."""

import itertools

import pytest

from playground.settings import DataSettings, ModelSettings, TrainSettings, coerce, log_grid, to_raw


def test_defaults_are_valid_for_every_group() -> None:
    for cls in (DataSettings, ModelSettings, TrainSettings):
        cls()  # constructing checks every bound


@pytest.mark.parametrize(
    "kw",
    [{"n": 1}, {"n": 501}, {"noise": -0.1}, {"noise": float("nan")}, {"truth": "nope"}, {"n": 2.5}, {"n": True}],
)
def test_out_of_bounds_values_are_rejected_at_construction(kw: dict) -> None:
    with pytest.raises(ValueError):
        DataSettings(**kw)


def test_model_and_training_bounds_are_enforced() -> None:
    with pytest.raises(ValueError):
        ModelSettings(degree=31)
    with pytest.raises(ValueError):
        TrainSettings(lr=100.0)
    with pytest.raises(ValueError):
        TrainSettings(epochs=0)


def test_raw_values_round_trip_through_strings() -> None:
    s = DataSettings(truth="step", n=7, noise=0.45, x_mode="grid", seed=123)
    back, notes = coerce(DataSettings, to_raw(s))
    assert back == s and notes == []


def test_only_changed_values_are_serialized() -> None:
    assert to_raw(DataSettings()) == {}
    assert to_raw(DataSettings(n=9)) == {"n": "9"}


def test_bad_raw_values_fall_back_to_defaults_with_a_notice() -> None:
    s, notes = coerce(DataSettings, {"n": "abc", "truth": "<script>", "noise": "inf"})
    assert s == DataSettings()
    assert len(notes) == 3


def test_out_of_range_raw_numbers_are_clamped_with_a_notice() -> None:
    s, notes = coerce(DataSettings, {"n": "100000", "noise": "-3"})
    assert (s.n, s.noise) == (500, 0.0)
    assert len(notes) == 2


def test_prefixed_keys_keep_two_models_apart() -> None:
    a, _ = coerce(ModelSettings, {"a_degree": "1", "b_degree": "6"}, prefix="a_")
    b, _ = coerce(ModelSettings, {"a_degree": "1", "b_degree": "6"}, prefix="b_")
    assert (a.degree, b.degree) == (1, 6)


def test_booleans_parse_from_common_spellings() -> None:
    for raw, want in (("1", True), ("true", True), ("0", False), ("off", False)):
        s, notes = coerce(TrainSettings, {"early_stopping": raw})
        assert s.early_stopping is want and not notes


def test_log_grid_spans_the_bounds_in_1_2_5_steps() -> None:
    g = log_grid(1e-5, 10.0)
    assert g[0] == 1e-5 and g[-1] == 10.0
    assert all(b > a for a, b in itertools.pairwise(g))
    assert log_grid(0.0, 1.0)[0] == 0.0


def test_a_fractional_whole_number_is_rounded_with_a_notice() -> None:
    s, notes = coerce(DataSettings, {"n": "2.5"})
    assert s.n == 2 and len(notes) == 1 and "whole number" in notes[0]
