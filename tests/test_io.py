"""Export and import: CSV round trips, safe weights loading, and every malformed upload rejected in plain words."""

import ast
import builtins
import csv
import io
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import playground.io as io_module
from playground.data import make_classes, make_data
from playground.io import (
    UploadError,
    data_csv,
    history_csv,
    load_poly,
    load_state_dict_bytes,
    read_points_csv,
    state_dict_bytes,
    table_csv,
)
from playground.models import MLP, build_mlp
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit


def _reg(n: int = 10, header: str = "x,y") -> bytes:
    """A valid regression file of n points with x in [-1, 1]."""
    rows = [f"{-1 + 2 * i / max(1, n - 1)!r},{0.1 * i!r}" for i in range(n)]
    return ("\n".join([header, *rows]) + "\n").encode()


def _cls(n: int = 10, header: str = "x1,x2,label") -> bytes:
    """A valid classification file of n points, labels alternating."""
    rows = [f"{0.1 * i},{-0.1 * i},{i % 2}" for i in range(n)]
    return ("\n".join([header, *rows]) + "\n").encode()


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


class Custom:
    """An arbitrary class: its instances must never be loadable as weights."""

    def __init__(self) -> None:
        self.payload = [1, 2, 3]


class Exploit:
    """Unpickling this runs code (writes a marker file): the attack weights_only=True must stop."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (builtins.exec, (f"open({self.path!r}, 'w').close()",))


# --- export, then import ----------------------------------------------------------------


@pytest.mark.parametrize("s", [DataSettings(n=7), DataSettings(n=50, noise=1.5, x_mode="grid", seed=3)])
def test_regression_export_then_import_gives_the_same_points(s) -> None:
    ds = make_data(s)
    back, info = read_points_csv(data_csv(ds).encode(), "regression")
    for a, b in [(ds.x, back.x), (ds.y, back.y), (ds.x_val, back.x_val), (ds.y_val, back.y_val)]:
        assert a.dtype == b.dtype == torch.float64 and torch.equal(a, b)
    assert info.split == "column" and info.scale == (None,) and info.notes == ()
    assert math.isnan(back.noise) and back.truth == "upload" and back.task == "regression"


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "blobs", "linear"])
def test_classification_export_then_import_gives_the_same_points(name) -> None:
    ds = make_classes(name, 120, 0.3, 0.3, 5)
    back, info = read_points_csv(data_csv(ds).encode(), "classification")
    for a, b in [(ds.x, back.x), (ds.y, back.y), (ds.x_val, back.x_val), (ds.y_val, back.y_val)]:
        assert a.shape == b.shape and torch.equal(a.double(), b)
    assert back.task == "classification" and info.scale == (None, None)


def test_exported_data_has_the_documented_columns() -> None:
    reg = _parse(data_csv(make_data(DataSettings(n=5, n_val=10))))
    assert reg[0] == ["split", "x", "y"] and [r[0] for r in reg[1:]] == ["train"] * 5 + ["val"] * 10
    cls = _parse(data_csv(make_classes("xor", 20, 0.1, 0.3, 0)))
    assert cls[0] == ["split", "x1", "x2", "label"] and {r[3] for r in cls[1:]} == {"0", "1"}


def test_automatic_split_is_70_30_deterministic_and_loses_no_point() -> None:
    raw = _reg(20)
    a, ia = read_points_csv(raw, "regression")
    b, _ = read_points_csv(raw, "regression")
    assert (ia.n_train, ia.n_val, ia.split) == (14, 6, "random") and "at random" in str(ia.notes[0])
    assert torch.equal(a.x, b.x) and torch.equal(a.x_val, b.x_val)
    want = {-1 + 2 * i / 19: 0.1 * i for i in range(20)}  # x -> y, as _reg writes them
    got = dict(zip(torch.cat([a.x, a.x_val]).tolist(), torch.cat([a.y, a.y_val]).tolist(), strict=True))
    assert got == want  # every point once, each y still with its own x


def test_x_outside_minus_one_one_is_rescaled_and_the_note_says_so() -> None:
    raw = b"x,y\n" + b"".join(f"{10 * i},{i}\n".encode() for i in range(11))
    ds, info = read_points_csv(raw, "regression")
    allx = torch.cat([ds.x, ds.x_val])
    assert allx.min() == -1 and allx.max() == 1
    assert info.scale == ((0.0, 100.0),) and any("rescaled from [0, 100]" in str(n) for n in info.notes)
    np.testing.assert_allclose(info.original(ds.x.numpy()), 10 * ds.y.numpy())  # y was 1/10 of the original x
    assert torch.equal(torch.cat([ds.y, ds.y_val]).sort().values, torch.arange(11.0, dtype=torch.float64))


def test_far_away_class_coordinates_are_rescaled_per_axis() -> None:
    raw = b"x1,x2,label\n" + b"".join(f"{100 * i},{0.1 * i},{i % 2}\n".encode() for i in range(10))
    ds, info = read_points_csv(raw, "classification")
    pts = torch.cat([ds.x, ds.x_val])
    assert pts[:, 0].min() == -2 and pts[:, 0].max() == 2 and pts[:, 1].max() == pytest.approx(0.9)
    assert info.scale[1] is None and info.scale[0] == (0.0, 900.0) and "x1 was rescaled" in str(info.notes[-1])
    np.testing.assert_allclose(info.original(np.array([-2.0, 2.0])), [0.0, 900.0])


@pytest.mark.parametrize(
    "raw",
    [
        b" X , Y \n" + _reg(8).split(b"\n", 1)[1],  # case and spaces in the header
        b"\xef\xbb\xbf" + _reg(8),  # Excel's UTF-8 byte-order mark
        _reg(8).replace(b"\n", b"\r\n"),  # Windows line ends
        _reg(8).replace(b",", b";"),  # semicolons
        _reg(8).replace(b",", b"\t"),  # tabs
        b"y,x\n" + b"".join(f"{0.1 * i},{-1 + 2 * i / 7}\n".encode() for i in range(8)),  # columns in another order
        b"x,y\n\n" + _reg(8).split(b"\n", 1)[1] + b"\n\n  \n",  # blank lines
        b'"x","y"\n' + b"".join(f'"{-1 + 2 * i / 7}","{0.1 * i}"\n'.encode() for i in range(8)),  # quoted cells
    ],
    ids=["case-spaces", "bom", "crlf", "semicolon", "tab", "order", "blank-lines", "quoted"],
)
def test_friendly_variations_of_a_regression_file_are_accepted(raw) -> None:
    ds, info = read_points_csv(raw, "regression")
    assert info.rows == 8 and ds.n + len(ds.y_val) == 8
    got = sorted(zip(torch.cat([ds.x, ds.x_val]).tolist(), torch.cat([ds.y, ds.y_val]).tolist(), strict=True))
    want = [(-1 + 2 * i / 7, 0.1 * i) for i in range(8)]
    np.testing.assert_allclose(got, want)


def test_labels_may_be_written_as_floats_and_the_split_column_is_read() -> None:
    raw = b"split,x1,x2,label\n" + b"".join(
        f"{'VAL' if i >= 6 else 'train'},{i},{-i},{float(i % 2)}\n".encode() for i in range(9)
    )
    ds, info = read_points_csv(raw, "classification")
    assert (info.n_train, info.n_val, info.split) == (6, 3, "column")
    assert ds.y.tolist() == [0, 1, 0, 1, 0, 1] and ds.x_val[:, 0].tolist() == [6, 7, 8]


def test_history_csv_has_one_row_per_epoch_with_exact_losses() -> None:
    d = make_data(DataSettings(n=10))
    res = fit(d, ModelSettings(family="mlp", width=8), TrainSettings(epochs=12))
    rows = _parse(history_csv(res))
    assert rows[0] == ["epoch", "train_loss", "val_loss"] and len(rows) == 14
    assert [float(r[1]) for r in rows[1:]] == res.train_loss and [float(r[2]) for r in rows[1:]] == res.val_loss
    assert [int(r[0]) for r in rows[1:]] == list(range(13))


def test_history_csv_adds_accuracy_for_classifiers_and_is_empty_for_a_polynomial() -> None:
    d = make_classes("moons", 60, 0.1, 0.3, 0)
    res = fit(d, ModelSettings(family="mlp", width=8), TrainSettings(epochs=5))
    rows = _parse(history_csv(res))
    assert rows[0] == ["epoch", "train_loss", "val_loss", "train_acc", "val_acc"]
    assert [float(r[4]) for r in rows[1:]] == res.val_acc
    assert history_csv(fit(make_data(DataSettings()), ModelSettings())) == "epoch,train_loss,val_loss\n"


def test_table_csv_writes_named_columns_and_refuses_ragged_ones() -> None:
    text = table_csv({"degree": np.arange(3), "val_mse": torch.tensor([0.5, 0.25, 1e-30], dtype=torch.float64)})
    assert _parse(text) == [["degree", "val_mse"], ["0", "0.5"], ["1", "0.25"], ["2", "1e-30"]]
    with pytest.raises(ValueError, match="differ in length"):
        table_csv({"a": [1, 2], "b": [1]})


# --- weights ------------------------------------------------------------------------------


def test_mlp_weights_round_trip_into_a_fresh_network_gives_identical_predictions() -> None:
    d = make_data(DataSettings(n=15))
    ms = ModelSettings(family="mlp", width=16, layers=2)
    res = fit(d, ms, TrainSettings(epochs=40), device="cpu")
    fresh = build_mlp(ms, 1, seed=99)
    assert isinstance(fresh, MLP)
    x = torch.linspace(-1, 1, 50).reshape(-1, 1)
    with torch.no_grad():
        assert not torch.equal(fresh(x), res.model(x))  # so the equality below means the weights travelled
        fresh.load_state_dict(load_state_dict_bytes(state_dict_bytes(res.model)))
        assert torch.equal(fresh(x), res.model(x))


def test_polynomial_weights_round_trip() -> None:
    d = make_data(DataSettings(n=15))
    res = fit(d, ModelSettings(degree=5))
    state = load_state_dict_bytes(state_dict_bytes(res.model))
    assert set(state) == {"coef"}
    p = load_poly(state)
    assert torch.equal(p(d.x_val), res.model(d.x_val))


def _torch_saved(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "raw",
    [
        pickle.dumps(Custom()),
        _torch_saved(Custom()),
        _torch_saved({"w": Custom()}),
        _torch_saved([torch.zeros(2)]),  # loads safely, but is not a table of named tensors
        _torch_saved({"w": 3}),
        b"not a weights file",
        b"",
    ],
    ids=["pickle-object", "torch-object", "object-in-dict", "list", "non-tensor", "garbage", "empty"],
)
def test_loading_weights_refuses_anything_but_named_tensors(raw) -> None:
    with pytest.raises(UploadError, match="weights"):
        load_state_dict_bytes(raw)


def test_a_malicious_pickle_is_refused_without_running_its_code(tmp_path) -> None:
    marker = tmp_path / "pwned"
    raw = pickle.dumps(Exploit(str(marker)))
    pickle.loads(raw)  # the payload really does run code under a plain unpickler...
    assert marker.exists()
    marker.unlink()
    with pytest.raises(UploadError, match="refused for safety"):
        load_state_dict_bytes(raw)
    assert not marker.exists()  # ...and not under ours


def test_oversized_weights_are_refused_before_loading() -> None:
    with pytest.raises(UploadError, match="too large"):
        load_state_dict_bytes(state_dict_bytes(MLP()), max_bytes=100)


def test_load_poly_refuses_network_weights() -> None:
    with pytest.raises(UploadError, match="polynomial"):
        load_poly(load_state_dict_bytes(state_dict_bytes(MLP())))


# --- malformed uploads ------------------------------------------------------------------

REG_ROWS = _reg(10).split(b"\n", 1)[1]
CLS_ROWS = _cls(10).split(b"\n", 1)[1]
MALFORMED = [
    # (id, raw, task, key words that must all appear in the message, keyword arguments)
    ("empty", b"", "regression", ["empty"], {}),
    ("blank", b"  \n\n\t\n", "regression", ["empty"], {}),
    ("too-large", _reg(200), "regression", ["too large", "limit"], {"max_bytes": 500}),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "regression", ["binary"], {}),
    ("excel", b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 20, "regression", ["excel", "csv utf-8"], {}),
    ("utf16", "x,y\n1,2\n".encode("utf-16"), "regression", ["utf-16"], {}),
    ("latin1", "x,y,é\n".encode("latin-1") + REG_ROWS, "regression", ["not utf-8"], {}),
    ("control-char", b"x,y\n1,\x072\n" + REG_ROWS, "regression", ["control characters"], {}),
    ("header-only", b"x,y\n", "regression", ["no points"], {}),
    ("no-header", REG_ROWS, "regression", ["first row", "header"], {}),
    ("missing-column", b"x\n" + b"1\n" * 10, "regression", ["missing column y"], {}),
    ("unknown-column", b"x,y,z\n" + b"1,2,3\n" * 10, "regression", ["unexpected column 'z'", "allowed"], {}),
    ("duplicate-column", b"x,x,y\n" + b"1,2,3\n" * 10, "regression", ["'x' appears twice"], {}),
    ("duplicate-by-case", b"x,y,Y\n" + b"1,2,3\n" * 10, "regression", ["'y' appears twice"], {}),
    ("unnamed-column", b"x,,y\n" + b"1,2,3\n" * 10, "regression", ["column 2", "no name"], {}),
    ("classification-file", _cls(10), "regression", ["classification", "expects regression"], {}),
    ("regression-file", _reg(10), "classification", ["regression", "expects classification"], {}),
    (
        "too-many-values",
        b"x,y\n" + REG_ROWS + b"0.5,1,7\n",
        "regression",
        ["line 12", "wrong number of values: 3 instead of 2"],
        {},
    ),
    ("too-few-values", b"x,y\n0.5\n" + REG_ROWS, "regression", ["line 2", "1 instead of 2"], {}),
    ("not-a-number", b"x,y\n" + REG_ROWS + b"0.5,abc\n", "regression", ["line 12", "'abc' is not a number"], {}),
    ("empty-cell", b"x,y\n" + REG_ROWS + b"0.5,\n", "regression", ["line 12", "'y' value is empty"], {}),
    ("decimal-comma", b"x;y\n" + REG_ROWS.replace(b",", b";") + b"0,5;1\n", "regression", ["decimal comma"], {}),
    ("nan", b"x,y\n" + REG_ROWS + b"0.5,NaN\n", "regression", ["line 12", "not a finite number"], {}),
    ("infinity", b"x,y\n-inf,1\n" + REG_ROWS, "regression", ["line 2", "not a finite number"], {}),
    ("huge-number", b"x,y\n" + REG_ROWS + b"0.5,1e300\n", "regression", ["too large"], {}),
    ("overflow", b"x,y\n" + REG_ROWS + b"0.5,1e999\n", "regression", ["too large"], {}),
    ("unicode-digits", "x,y\n0.5,١٢\n".encode() + REG_ROWS, "regression", ["not a number"], {}),
    ("underscore-number", b"x,y\n0.5,1_000\n" + REG_ROWS, "regression", ["not a number"], {}),
    ("too-few-rows", _reg(4), "regression", ["too few points: 4 in the file", "at least 7"], {}),
    (
        "too-few-train",
        b"split,x,y\ntrain,0,1\ntrain,1,2\nval,2,3\n",
        "regression",
        ["too few training points: 2 marked 'train'", "at least 5"],
        {},
    ),
    ("no-val", b"split,x,y\n" + b"".join(f"train,{i},{i}\n".encode() for i in range(8)), "regression", ["no row"], {}),
    ("bad-split", b"split,x,y\n" + b"test,1,2\n" * 8, "regression", ["'train' or 'val'", "'test'"], {}),
    ("too-many-rows", _reg(30), "regression", ["30 rows", "limit is 10"], {"max_rows": 10}),
    ("all-x-equal", b"x,y\n" + b"".join(f"3,{i}\n".encode() for i in range(10)), "regression", ["all x"], {}),
    ("label-2", b"x1,x2,label\n" + CLS_ROWS + b"1,1,2\n", "classification", ["line 12", "0 or 1"], {}),
    ("label-word", b"x1,x2,label\n" + CLS_ROWS + b"1,1,yes\n", "classification", ["'yes' is not a number"], {}),
    ("label-half", b"x1,x2,label\n" + CLS_ROWS + b"1,1,0.5\n", "classification", ["'0.5' must be 0 or 1"], {}),
    (
        "one-class",
        b"x1,x2,label\n" + b"".join(f"{i},{i},1\n".encode() for i in range(10)),
        "classification",
        ["both classes"],
        {},
    ),
    ("stray-quote", b'x,y\n"0.5"x,1\n' + REG_ROWS, "regression", ["not valid csv", "quote"], {}),
    ("multiline-cell", b'x,y\n"0.5\n",1\n' + REG_ROWS, "regression", ["spans several lines"], {}),
]


@pytest.mark.parametrize(("raw", "task", "words", "kw"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_upload_is_rejected_with_a_clear_message(raw, task, words, kw) -> None:
    with pytest.raises(UploadError) as e:
        read_points_csv(raw, task, **kw)
    msg = str(e.value)
    for w in words:
        assert w.lower() in msg.lower(), f"{w!r} not in {msg!r}"
    assert msg[0].isupper() and msg.endswith((".", ")")) and len(msg) < 250  # a sentence, not a traceback
    assert e.value.template.format(**e.value.params) == msg  # the UI can translate the template instead


def test_every_message_for_students_is_one_literal_template() -> None:
    """Translators (and an i18n test) can collect them from the source: no f-strings, no built-up text."""
    tree = ast.parse(Path(io_module.__file__).read_text(encoding="utf-8"))
    calls = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) in ("UploadError", "Text")
    ]
    assert len(calls) > 25
    for c in calls:
        assert c.args and isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str), ast.unparse(c)


def test_at_least_twenty_kinds_of_malformed_upload_are_checked() -> None:
    assert len({m[0] for m in MALFORMED}) >= 20


def test_upload_error_is_a_value_error_and_the_task_is_checked() -> None:
    assert issubclass(UploadError, ValueError)
    with pytest.raises(ValueError, match="task"):
        read_points_csv(_reg(), "images")


# --- fuzzing: whatever the bytes, the only failure is UploadError -------------------------

CELLS = st.sampled_from(
    ["x", "y", "X", " x1", "x2", "label", "split", "train", "val", "0", "1", "-1", "2.5", "1e3", "nan", "", '"', "a"]
)
LINES = st.lists(CELLS, min_size=0, max_size=4).map(lambda c: ",".join(c))
HEADERS = ["x,y", "x1,x2,label", "split,x,y", "split,x1,x2,label", "y,x", "label,x2,x1"]
VALUES = {
    "x": st.floats(-1e4, 1e4).map(repr) | st.sampled_from(["0", "1", "-0.5", "2"]),
    "split": st.sampled_from(["train", "train", "val", "VAL "]),
    "label": st.sampled_from(["0", "1", "1.0", "0.0"]),
}
ODD = st.sampled_from(["", "nan", "abc", '"', "1,5", "1e999", "2", "test"])


@st.composite
def csv_like(draw: st.DrawFn) -> tuple[bytes, str]:
    """A header over rows of its width, often all valid: reaches splits, classes and rescaling, not only headers."""
    header = draw(LINES) if draw(st.integers(0, 9)) == 9 else draw(st.sampled_from(HEADERS))
    cols = [c.strip().lower() for c in header.split(",")]
    task = "classification" if "label" in cols else "regression"
    if draw(st.integers(0, 9)) == 9:
        task = "regression" if task == "classification" else "classification"
    wild = draw(st.booleans())  # half the files carry some damage, the other half none
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        if wild and draw(st.integers(0, 19)) == 0:
            rows.append(draw(LINES))
            continue
        cells = [draw(ODD if wild and draw(st.integers(0, 49)) == 0 else VALUES.get(c, VALUES["x"])) for c in cols]
        rows.append(",".join(cells))
    return "\n".join([header, *rows]).encode(), task


def _accepted_or_upload_error(raw: bytes, task: str) -> None:
    try:
        ds, info = read_points_csv(raw, task)
    except UploadError as e:
        assert str(e)
        return
    assert ds.n >= 5 and len(ds.y_val) >= 1 and info.n_train + info.n_val == info.rows
    for t in (ds.x, ds.y, ds.x_val, ds.y_val):
        assert t.dtype == torch.float64 and torch.isfinite(t).all()
    if task == "regression":  # whatever the file's x, the models' domain [-1, 1] holds every point
        assert ds.x.ndim == 1 and -1 <= torch.cat([ds.x, ds.x_val]).min() <= torch.cat([ds.x, ds.x_val]).max() <= 1
    else:
        assert ds.x.shape[1] == 2 and set(ds.y.tolist()) == {0.0, 1.0} and set(ds.y_val.tolist()) <= {0.0, 1.0}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=3000), task=st.sampled_from(["regression", "classification"]))
def test_arbitrary_bytes_raise_nothing_but_upload_error(raw, task) -> None:
    _accepted_or_upload_error(raw, task)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=csv_like())
def test_csv_like_text_raises_nothing_but_upload_error(case) -> None:
    _accepted_or_upload_error(*case)
