"""Export (CSV text, weights bytes) and import (a student's CSV of points, saved weights), without any UI."""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .data import DOMAIN, Dataset
from .models import UNIT, PolyModel
from .train import FitResult

UPLOAD = "upload"  # Dataset.truth of uploaded points: there is no known truth function
COLUMNS = {"regression": ("x", "y"), "classification": ("x1", "x2", "label")}
SPLITS = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val"}
SPLIT_SEED = 20240501  # the automatic 70/30 split is the same every time a file is uploaded
VAL_SHARE = 0.3
MAX_ABS = 1e9  # beyond this, squared errors lose all precision (and 1e155² overflows): surely a typo
CLASS_BOX = 10.0  # the 2-D class sets stay well inside ±10 even at the largest noise; far outside is rescaled
CLASS_TARGET = 2.0
MAX_WEIGHTS_BYTES = 50_000_000
# The one limit on an uploaded CSV: the uploader states it and refuses a larger file; the parser checks it too.
MAX_UPLOAD_MB = 1
# Strict numbers only: float() also takes "1_000", "١٢" (Arabic-Indic digits) and "nan", which a CSV must not.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
DELIMITERS = (",", ";", "\t")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NEWLINE = re.compile(r"\r\n|\r|\n")  # not str.splitlines(): it also splits on \x85 and \u2028 inside cells


@dataclass(frozen=True)
class Text:
    """A sentence for the student: an English template (the translation key) and its values."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params)


class UploadError(ValueError):
    """A file a student uploaded cannot be used; the message says why in plain words.

    `template` and `params` let the UI translate it: t(e.template, **e.params).
    """

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template.format(**params))


# --- export -----------------------------------------------------------------------------


def _num(v: Any) -> str:
    """One cell: ints as ints, floats with repr (shortest text that reads back to the same float)."""
    if isinstance(v, torch.Tensor | np.generic):
        v = v.item()
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _write(header: Sequence[str], rows: Sequence[Sequence[Any]] | Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_num(v) for v in r])
    return buf.getvalue()


def data_csv(ds: Dataset) -> str:
    """The training and validation points as CSV: split,x,y (regression) or split,x1,x2,label."""
    parts = [("train", ds.x, ds.y), ("val", ds.x_val, ds.y_val)]
    if ds.task == "classification":
        labelled = [
            (s, float(p[0]), float(p[1]), int(lab))
            for s, x, y in parts
            for p, lab in zip(x.tolist(), y.tolist(), strict=True)
        ]
        return _write(("split", "x1", "x2", "label"), labelled)
    rows = [(s, float(a), float(b)) for s, x, y in parts for a, b in zip(x.tolist(), y.tolist(), strict=True)]
    return _write(("split", "x", "y"), rows)


def history_csv(res: FitResult) -> str:
    """Loss per epoch as CSV (plus accuracy for classifiers); a closed-form polynomial has only the header."""
    header = ["epoch", "train_loss", "val_loss"]
    cols: list[Sequence[float]] = [res.train_loss, res.val_loss]
    if res.train_acc:
        header += ["train_acc", "val_acc"]
        cols += [res.train_acc, res.val_acc]
    return _write(header, [(i, *vals) for i, vals in enumerate(zip(*cols, strict=True))])


def table_csv(columns: Mapping[str, Sequence[Any]]) -> str:
    """Equal-length named columns (a sweep's results) as CSV, in the mapping's order."""
    cols = {k: v.tolist() if hasattr(v, "tolist") else list(v) for k, v in columns.items()}
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns differ in length: {', '.join(f'{k}={len(v)}' for k, v in cols.items())}")
    return _write(list(cols), list(zip(*cols.values(), strict=True)))


def state_dict_bytes(model: nn.Module | PolyModel) -> bytes:
    """The model's weights as torch.save bytes (a polynomial: {"coef"}, plus "span" if not [-1, 1]); on the CPU."""
    if isinstance(model, PolyModel):  # the basis' x interval travels with the coefficients (uploads: their range)
        span = {} if model.span == UNIT else {"span": torch.tensor(model.span, dtype=torch.float64)}
        state = {"coef": model.coef, **span}
    else:
        state = model.state_dict()
    # CPU copies: weights trained on a GPU must load on a laptop without one.
    state = {k: v.detach().cpu().clone() for k, v in state.items()}
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def load_state_dict_bytes(b: bytes, *, max_bytes: int = MAX_WEIGHTS_BYTES) -> dict[str, torch.Tensor]:
    """Weights saved by `state_dict_bytes`, loaded safely: only tensors, never arbitrary pickled objects."""
    if len(b) > max_bytes:
        raise UploadError(
            "This weights file is too large ({size}; the limit is {limit}).", size=_size(len(b)), limit=_size(max_bytes)
        )
    try:
        with warnings.catch_warnings():  # torch warns about old pickle protocols; the error below says it all
            warnings.simplefilter("ignore")
            # weights_only=True: the unpickler refuses anything but tensors and plain containers, so a crafted
            # file cannot run code. Never fall back to weights_only=False.
            state = torch.load(io.BytesIO(b), map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError, RuntimeError (bad zip), EOFError...: all mean "not our file"
        raise UploadError(
            "This file is not model weights saved by the playground (it may hold other Python objects, "
            "which are refused for safety, or be damaged)."
        ) from e
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise UploadError("This file does not hold model weights (a table of named tensors).")
    return dict(state)


def load_poly(state: Mapping[str, torch.Tensor]) -> PolyModel:
    """A polynomial from weights saved by `state_dict_bytes`."""
    coef, span = state.get("coef"), state.get("span", torch.tensor(UNIT, dtype=torch.float64))  # no span: [-1, 1]
    lo, hi = span.double().flatten().tolist() if span.numel() == 2 else (math.nan, math.nan)
    shape_ok = coef is not None and coef.ndim == 1 and len(coef) > 0
    if not ({"coef"} <= set(state) <= {"coef", "span"} and shape_ok and math.isfinite(hi - lo) and lo < hi):
        raise UploadError("These weights are not a polynomial's coefficients.")
    assert coef is not None  # shape_ok checked it
    return PolyModel(coef.double(), (lo, hi))


# --- import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadInfo:
    """What `read_points_csv` did to a file, for the page to show and to undo for axis labels."""

    rows: int  # data rows read
    n_train: int
    n_val: int
    split: str  # "column" (the file's split column) or "random" (70/30 with a fixed seed)
    scale: tuple[tuple[float, float] | None, ...]  # per input column: original (lo, hi) if rescaled, else None
    target: tuple[float, float]  # the interval rescaled columns were mapped onto
    notes: tuple[Text, ...]  # plain-language sentences for the student (str() gives the English)

    def original(self, x: np.ndarray, column: int = 0) -> np.ndarray:
        """Undo the rescaling of input column `column` (identity when it was not rescaled)."""
        x = np.asarray(x, dtype=np.float64)
        s = self.scale[column]
        if s is None:
            return x
        (lo, hi), (a, b) = s, self.target
        return lo + (x - a) / (b - a) * (hi - lo)


def _range(lo: float, hi: float) -> dict[str, str]:
    return {"lo": f"{lo:g}", "hi": f"{hi:g}"}


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def _decode(raw: bytes) -> str:
    """Bytes -> text, or a message that names the likely cause (Excel workbook, UTF-16, binary)."""
    if raw[:4] == b"PK\x03\x04":
        raise UploadError(
            "This looks like an Excel workbook or a zip file, not a CSV file. "
            "In your spreadsheet, use 'Save as' and pick 'CSV UTF-8 (comma delimited)'."
        )
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise UploadError("This file is saved as UTF-16 text. Save it again as 'CSV UTF-8 (comma delimited)'.")
    if b"\x00" in raw:
        raise UploadError("This is a binary file, not a CSV text file. Upload a .csv file of numbers.")
    try:
        text = raw.decode("utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as e:
        raise UploadError(
            "This file is not UTF-8 text (unreadable byte at position {pos}). Save it as 'CSV UTF-8'.", pos=e.start
        ) from None
    if CONTROL.search(text):
        raise UploadError("This file contains control characters: it is not a plain CSV text file.")
    return text


def _rows(text: str, header_names: tuple[str, ...], max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header names (lower-cased) and (line number, cells) of every non-blank row."""
    lines = [(i, ln) for i, ln in enumerate(NEWLINE.split(text), start=1) if ln.strip()]
    if not lines:
        raise UploadError("The file is empty: it needs a header row and one row per point.")
    if len(lines) - 1 > max_rows:  # before parsing: a 1 MB file of "0,0" lines is 250,000 rows
        raise UploadError(
            "The file has {rows} rows of points; the limit is {limit}.",
            rows=f"{len(lines) - 1:,}",
            limit=f"{max_rows:,}",
        )
    first = lines[0][1]
    delim = next((d for d in DELIMITERS if d in first), ",")
    try:
        rows = list(csv.reader((ln for _, ln in lines), delimiter=delim, strict=True))
    except csv.Error as e:
        raise UploadError("The file is not valid CSV ({why}). Check for stray quote marks.", why=str(e)) from None
    if len(rows) != len(lines):  # a quoted cell spanning lines: the line numbers would lie
        raise UploadError("A quoted cell spans several lines. Each point must be on a line of its own.")
    header = [c.strip().lower() for c in rows[0]]
    if all(NUMBER.fullmatch(c) for c in header):
        raise UploadError(
            "The first row must be a header naming the columns ({want}), but it holds numbers: {row}.",
            want=",".join(header_names),
            row=first.strip()[:40],
        )
    data = [(lines[i][0], r) for i, r in enumerate(rows[1:], start=1)]
    if not data:
        raise UploadError("The file has a header but no points: add one row per point below it.")
    return header, data


def _columns(header: list[str], task: str) -> dict[str, int]:
    """Column name -> index, checking names against the task's expected columns."""
    want = COLUMNS[task]
    allowed = (*want, "split")
    if any(c == "" for c in header):
        raise UploadError(
            "Column {col} of the header has no name. Expected: {want}.", col=header.index("") + 1, want=",".join(want)
        )
    dup = next((c for i, c in enumerate(header) if c in header[:i]), None)
    if dup is not None:
        raise UploadError("The column '{col}' appears twice in the header. Each column name must be unique.", col=dup)
    other = next(t for t in COLUMNS if t != task)
    if set(COLUMNS[other]) <= set(header):
        raise UploadError(
            "These columns ({got}) are for {other} data, but this page expects {task} data with columns {want}.",
            got=",".join(COLUMNS[other]),
            other=other,
            task=task,
            want=",".join(want),
        )
    unknown = [c for c in header if c not in allowed]
    if unknown:
        raise UploadError(
            "Unexpected column '{col}'. The allowed columns are {allowed} (split is optional).",
            col=unknown[0][:30],
            allowed=", ".join(allowed),
        )
    missing = [c for c in want if c not in header]
    if missing:
        raise UploadError(
            "Missing column {cols}. The header must name the columns {want}.",
            cols=", ".join(missing),
            want=",".join(want),
        )
    return {c: header.index(c) for c in header}


def _number(cell: str, line: int, col: str) -> float:
    s = cell.strip()
    if not s:
        raise UploadError(
            "Line {line}: the '{col}' value is empty. Every point needs all its numbers.", line=line, col=col
        )
    if DECIMAL_COMMA.fullmatch(s):
        raise UploadError(
            "Line {line}: '{cell}' uses a decimal comma. Write decimals with a point, like 1.5.", line=line, cell=s
        )
    if not NUMBER.fullmatch(s):
        if s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise UploadError(
                "Line {line}: the '{col}' value '{cell}' is not a finite number (no NaN or infinity).",
                line=line,
                col=col,
                cell=s,
            )
        raise UploadError("Line {line}: the '{col}' value '{cell}' is not a number.", line=line, col=col, cell=s[:30])
    v = float(s)
    if not math.isfinite(v) or abs(v) > MAX_ABS:
        raise UploadError(
            "Line {line}: the '{col}' value {cell} is too large (the limit is ±{limit}).",
            line=line,
            col=col,
            cell=s[:30],
            limit=f"{MAX_ABS:.0e}",
        )
    return v


def _label(cell: str, line: int) -> float:
    v = _number(cell, line, "label")
    if v not in (0.0, 1.0):
        raise UploadError(
            "Line {line}: the label '{cell}' must be 0 or 1 (two classes).", line=line, cell=cell.strip()[:30]
        )
    return v


def _split_rows(data: list[tuple[int, list[str]]], cols: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of training and validation points: from the split column, else a fixed random 70/30."""
    n = len(data)
    if "split" in cols:
        val = np.zeros(n, dtype=bool)
        for i, (line, r) in enumerate(data):
            s = r[cols["split"]].strip().lower()
            if s not in SPLITS:
                raise UploadError("Line {line}: split must be 'train' or 'val', not '{cell}'.", line=line, cell=s[:20])
            val[i] = SPLITS[s] == "val"
        return np.flatnonzero(~val), np.flatnonzero(val)
    n_val = _n_val(n)
    perm = np.random.default_rng(SPLIT_SEED).permutation(n)
    val = np.zeros(n, dtype=bool)
    val[perm[:n_val]] = True
    return np.flatnonzero(~val), np.flatnonzero(val)


def _n_val(n: int) -> int:
    """Validation points of the automatic split of n rows (at least one)."""
    return max(1, round(VAL_SHARE * n))


def _rescale(v: np.ndarray, lo_hi: tuple[float, float]) -> np.ndarray:
    lo, hi = float(v.min()), float(v.max())
    a, b = lo_hi
    return a + (v - lo) / (hi - lo) * (b - a)


def read_points_csv(
    raw: bytes,
    task: str,
    *,
    max_bytes: int = MAX_UPLOAD_MB * 2**20,  # Streamlit's MB (the uploader's limit) is 2**20 bytes
    max_rows: int = 5000,
    min_rows: int = 5,
) -> tuple[Dataset, UploadInfo]:
    """A student's CSV of points as a Dataset (noise NaN, truth "upload") plus what was done to it.

    Regression files have columns x,y; classification files x1,x2,label (0 or 1). A `split` column
    (train/val) is optional, else 70/30 with a fixed seed. `min_rows` is the least number of training
    points. Any problem raises UploadError with a message for the student.
    """
    if task not in COLUMNS or min_rows < 1:
        raise ValueError(f"task must be one of {', '.join(COLUMNS)} and min_rows at least 1")
    if len(raw) > max_bytes:
        raise UploadError(
            "The file is too large ({size}); the limit is {limit}.", size=_size(len(raw)), limit=_size(max_bytes)
        )
    if not raw.strip():
        raise UploadError("The file is empty: it needs a header row and one row per point.")
    header, data = _rows(_decode(raw), COLUMNS[task], max_rows)
    cols = _columns(header, task)
    xs, ys = _values(header, data, cols, task)
    tr, va = _split_rows(data, cols)
    split = "column" if "split" in cols else "random"
    notes = _check_split(len(data), len(tr), len(va), split, min_rows)
    reg = task == "regression"
    scale = _scale_x(xs, notes) if reg else _scale_inputs(xs, ys[tr], COLUMNS[task][:-1], notes)  # in place
    t = torch.from_numpy
    x_all = xs[:, 0] if task == "regression" else xs
    ds = Dataset(
        t(x_all[tr].copy()),
        t(ys[tr].copy()),
        t(x_all[va].copy()),
        t(ys[va].copy()),
        math.nan,  # the noise level of real data is unknown
        UPLOAD,
        task=task,
    )
    target = DOMAIN if task == "regression" else (-CLASS_TARGET, CLASS_TARGET)
    info = UploadInfo(len(data), len(tr), len(va), split, tuple(scale), target, tuple(notes))
    return ds, info


def _values(
    header: list[str], data: list[tuple[int, list[str]]], cols: dict[str, int], task: str
) -> tuple[np.ndarray, np.ndarray]:
    """The inputs (R, d) and targets (R,) of the rows, each row checked to have one value per column."""
    for line, r in data:
        if len(r) != len(header):
            raise UploadError(
                "Line {line} has the wrong number of values: {got} instead of {want}, one per column of the header.",
                line=line,
                got=len(r),
                want=len(header),
            )
    inputs = COLUMNS[task][:-1]
    xs = np.array([[_number(r[cols[c]], line, c) for c in inputs] for line, r in data], dtype=np.float64)
    xs = xs.reshape(len(data), len(inputs))
    if task == "regression":
        ys = np.array([_number(r[cols["y"]], line, "y") for line, r in data], dtype=np.float64)
    else:
        ys = np.array([_label(r[cols["label"]], line) for line, r in data], dtype=np.float64)
    return xs, ys


def _check_split(rows: int, n_tr: int, n_va: int, split: str, min_rows: int) -> list[Text]:
    """Enough training points and some validation points, else UploadError; the note of a random split."""
    if n_tr < min_rows:
        if split == "column":
            raise UploadError(
                "Too few training points: {got} marked 'train', but at least {need} are needed.",
                got=n_tr,
                need=min_rows,
            )
        need = next(n for n in itertools.count(min_rows) if n - _n_val(n) >= min_rows)
        raise UploadError(
            "Too few points: {got} in the file, but at least {need} are needed ({train} to train on, the rest to validate).",
            got=rows,
            need=need,
            train=min_rows,
        )
    if n_va == 0:
        raise UploadError("No row is marked 'val': mark some rows 'val' to measure the validation error.")
    if split != "random":
        return []
    return [
        Text(
            "The points were split at random: {train} for training, {val} for validation.", {"train": n_tr, "val": n_va}
        )
    ]


def _scale_x(xs: np.ndarray, notes: list[Text]) -> list[tuple[float, float] | None]:
    """A regression file's x mapped onto [-1, 1] where it leaves it (in place, with a note): its old range."""
    x = xs[:, 0]
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        raise UploadError("All x values are equal ({x}): a curve needs points at different x.", x=f"{lo:g}")
    if DOMAIN[0] <= lo and hi <= DOMAIN[1]:
        return [None]
    # The polynomial basis (Legendre) and the plots work on [-1, 1]: map the whole file there at once,
    # training and validation together, so both splits share one scale.
    xs[:, 0] = _rescale(x, DOMAIN)
    notes.append(Text("x was rescaled from [{lo}, {hi}] to [-1, 1], where the models work.", _range(lo, hi)))
    return [(lo, hi)]


def _scale_inputs(
    xs: np.ndarray, y_train: np.ndarray, inputs: tuple[str, ...], notes: list[Text]
) -> list[tuple[float, float] | None]:
    """A class file's inputs brought into [-2, 2] where they leave the demo sets' box (in place, with notes)."""
    if len(np.unique(y_train)) < 2:
        raise UploadError(
            "Every training point has label {label}: a classifier needs both classes (0 and 1) to learn.",
            label=int(y_train[0]),
        )
    scale: list[tuple[float, float] | None] = []
    for j, c in enumerate(inputs):
        v = xs[:, j]
        lo, hi = float(v.min()), float(v.max())
        if lo >= -CLASS_BOX and hi <= CLASS_BOX:
            scale.append(None)
            continue
        if lo == hi:
            raise UploadError("All {col} values are equal ({v}); they carry no information.", col=c, v=f"{lo:g}")
        # Networks with tanh or sigmoid saturate on inputs in the hundreds; bring them near the demo sets.
        xs[:, j] = _rescale(v, (-CLASS_TARGET, CLASS_TARGET))
        scale.append((lo, hi))
        notes.append(
            Text(
                "{col} was rescaled from [{lo}, {hi}] to [-2, 2] so the network can learn.",
                {"col": c, **_range(lo, hi)},
            )
        )
    return scale
