"""Hypothesis strategies derived from the settings declarations (used by tests/test_property.py).

`settings_strategy(cls)` draws valid settings of any Settings dataclass from `cls.specs()`; `raw_value` and
`query_string` draw the raw text a shared link (or the command line) may carry: arbitrary, or near-valid.
Nothing here is hand-kept per field: a new setting is covered as soon as it is declared.
"""

from __future__ import annotations

import functools
import urllib.parse
from typing import Any

from hypothesis import strategies as st

from playground.settings import Settings, Spec, fmt, log_grid

Groups = list[tuple[type[Settings], str]]

# --- valid settings -----------------------------------------------------------------------------


def field_strategy(spec: Spec, default: Any) -> st.SearchStrategy[Any]:
    """Any valid value of one setting: within its bounds, one of its choices, or a subset of them."""
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, tuple):
        choices = spec.choices or ()
        return st.lists(st.sampled_from(choices), min_size=max(1, int(spec.lo or 0)), unique=True).map(tuple)
    if isinstance(default, str):
        return st.sampled_from(spec.choices or (default,))
    lo = spec.lo if spec.lo is not None else -1e6
    hi = spec.hi if spec.hi is not None else 1e6
    if isinstance(default, int):
        return st.one_of(st.sampled_from([int(lo), int(hi), default]), st.integers(int(lo), int(hi)))
    ends = st.sampled_from([float(lo), float(hi), float(default)])
    inside = st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)
    if spec.log:  # the page's slider offers the 1-2-5 grid; the API (and a link) any float in bounds
        return st.one_of(ends, st.sampled_from(log_grid(lo, hi)), inside)
    if spec.step:  # the slider's steps, plus any float in bounds
        k = round((hi - lo) / spec.step)
        steps = st.integers(0, k).map(lambda i: min(hi, round(lo + i * spec.step, 10)))
        return st.one_of(ends, steps, inside)
    return st.one_of(ends, inside)


def settings_strategy(cls: type[Settings], **fixed: Any) -> st.SearchStrategy[Settings]:
    """Valid settings of `cls`, each field drawn from its declaration; `fixed` pins fields (values or strategies)."""
    parts = {}
    for name, (spec, default) in cls.specs().items():
        v = fixed.get(name, field_strategy(spec, default))
        parts[name] = v if isinstance(v, st.SearchStrategy) else st.just(v)
    return st.builds(cls, **parts)


# --- raw (URL) values ---------------------------------------------------------------------------

SPECIAL = [
    "",
    " ",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "1e308",
    "-1e308",
    "0",
    "-0",
    "-1",
    "+1",
    "0x10",
    "1_000",
    "1e2",
    "2.5",
    ".5",
    "5.",
    " 7 ",
    "7\n",
    "٣",  # an Arabic-Indic digit: float() accepts it
    "１２",  # fullwidth digits
    "½",
    "true",
    "false",
    "True",
    "yes",
    "on",
    "off",
    "2",
    "None",
    "null",
    "[]",
    "{}",
    ",",
    ",,,",
    "\x00",
    "\ud800",  # a lone surrogate: not even encodable as UTF-8
    "%",
    "%zz",
    "%00",
    "&",
    "=",
    "#",
    "?",
    "+",
    "[click](https://example.com)",
    "<script>alert(1)</script>",
    "😀",
    "ß",
    "İ",
]


def _long(k: int, unit: str) -> str:
    return unit * k


def numeric_text(spec: Spec, default: Any) -> st.SearchStrategy[str]:
    """Numbers as text: in and out of the bounds, huge, tiny, negative, non-finite, oddly written."""
    lo = spec.lo if spec.lo is not None else 0.0
    hi = spec.hi if spec.hi is not None else 1.0
    span = max(hi - lo, 1.0)
    near = st.floats(lo - span, hi + span, allow_nan=False, allow_infinity=False)
    return st.one_of(
        st.integers(-(10**40), 10**40).map(str),
        st.integers(int(lo) - 3, int(hi) + 3).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        near.map(repr),
        near.map(lambda v: f"{v:.3e}"),
        near.map(lambda v: f"{v:.6g}"),
        st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(fmt),
        st.sampled_from([lo, hi]).map(lambda v: fmt(type(default)(v)) if not isinstance(default, tuple) else str(v)),
    )


def choice_text(spec: Spec) -> st.SearchStrategy[str]:
    """Choices and near-choices: exact, other case, padded, comma-joined (with repeats and empty parts)."""
    choices = list(spec.choices or ("x",))
    one = st.sampled_from(choices)
    return st.one_of(
        one,
        one.map(str.upper),
        one.map(lambda c: f" {c} "),
        one.map(lambda c: c + "x"),
        st.lists(st.sampled_from([*choices, "", "nope", " "]), max_size=12).map(",".join),
    )


def long_text() -> st.SearchStrategy[str]:
    """Very long values (cheap to draw: a repeated unit)."""
    unit = st.sampled_from(["9", "1", "0", "x", ",", "x1,", "é", "😀", "-", "1e9", " "])
    return st.builds(_long, st.integers(100, 100_000), unit)


@functools.cache
def raw_value(spec: Spec, default: Any) -> st.SearchStrategy[str]:
    """Any text a link may carry for this setting, weighted towards near-valid values (built once per setting)."""
    return st.one_of(
        st.sampled_from(SPECIAL),
        numeric_text(spec, default),
        choice_text(spec),
        st.sampled_from(["0", "1", "true", "false", "no", "YES", "On"]),
        long_text(),
        any_text(),
        st.just(fmt(default)),
    )


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")  # invalid bytes become lone surrogates


def any_text() -> st.SearchStrategy[str]:
    """Arbitrary text: any Unicode (short, st.text draws per character) or any bytes decoded (one draw)."""
    return st.one_of(st.text(max_size=6), st.binary(max_size=40).map(_decode))


def known_keys(groups: Groups) -> list[tuple[str, Spec, Any]]:
    """(URL key, spec, default) of every setting the groups read."""
    return [(prefix + name, spec, default) for cls, prefix in groups for name, (spec, default) in cls.specs().items()]


@functools.cache
def _pairs(groups: tuple[tuple[type[Settings], str], ...], extra_keys: tuple[str, ...]) -> st.SearchStrategy:
    keys = known_keys(list(groups))
    right = st.one_of([st.tuples(st.just(k), raw_value(spec, default)) for k, spec, default in keys])
    off = st.sampled_from([k + "_" for k, _, _ in keys] + [k.upper() for k, _, _ in keys] + [" " + keys[0][0]])
    unknown = st.tuples(st.one_of(any_text(), off), any_text())
    branches = [right, right, right, unknown]
    if extra_keys:
        branches.append(st.tuples(st.sampled_from(extra_keys), st.one_of(any_text(), long_text())))
    # Keys drawn with replacement from a few dozen repeat often: repeated keys come for free.
    return st.lists(st.one_of(branches), max_size=8)


def raw_pairs(groups: Groups, extra_keys: tuple[str, ...] = ()) -> st.SearchStrategy[list[tuple[str, str]]]:
    """(key, value) pairs of a query: right keys with near-valid values, unknown keys, repeated keys."""
    return _pairs(tuple(groups), tuple(extra_keys))


QUERY_CHARS = "abcdefghijklmnopqrstuvwxyz_0123456789.,-+%&=?#;/ \t\n%2C%3D%26é😀\x00"


@st.composite
def query_string(draw: st.DrawFn, groups: Groups, extra_keys: tuple[str, ...] = ()) -> str:
    """A raw query string or whole app URL, as pasted into the CLI or opened in a browser."""
    mode = draw(st.integers(0, 4))
    if mode == 0:  # arbitrary text with the characters a query parser cares about
        return draw(st.binary(max_size=80).map(_query_chars))
    if mode == 1:
        return draw(any_text())
    pairs = draw(raw_pairs(groups, extra_keys))
    encodable = [(k, v) for k, v in pairs if _utf8(k) and _utf8(v)]
    # mode 2: hand-written, key=value joined by & and not escaped; else properly encoded
    q = "&".join(f"{k}={v}" for k, v in encodable) if mode == 2 else urllib.parse.urlencode(encodable)
    head = draw(st.sampled_from(["", "?", "http://localhost:8501/fit?", "https://x.example/compare/?a&", " "]))
    tail = draw(st.sampled_from(["", "#frag", "#a=1&n=3", " \n"]))
    return head + q + tail


def _query_chars(b: bytes) -> str:
    return "".join(QUERY_CHARS[x % len(QUERY_CHARS)] for x in b)


def _utf8(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
