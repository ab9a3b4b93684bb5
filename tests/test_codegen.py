"""Show the code: generated scripts run standalone and print fit()'s numbers; so do the API snippets; no injection."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import os
import runpy
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from playground.classify import FEATURES, ClassSettings, accuracy, class_data, fit_classifier
from playground.codegen import (
    FEATURE_SOURCE,
    SAMPLER_SOURCE,
    TRUTH_SOURCE,
    api_snippet,
    api_snippet_classify,
    lightning_script_classify,
    lit,
    plain,
    torch_script,
    torch_script_classify,
)
from playground.data import CLASS_SETS, TRUTHS, make_data
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import FitResult, fit

MLP = ModelSettings(family="mlp")

# name -> (data, model, training, the stop reason fit() must report: each case tests what its name claims)
CASES: dict[str, tuple[DataSettings, ModelSettings, TrainSettings, str]] = {
    "poly": (DataSettings(), ModelSettings(degree=5), TrainSettings(), "closed form"),
    "poly_ridge_grid": (
        DataSettings(n=30, truth="step", x_mode="grid", seed=4),
        ModelSettings(degree=12, ridge=0.01),
        TrainSettings(),
        "closed form",
    ),
    "poly_min_norm": (
        DataSettings(n=8, truth="abs", noise=0.1, seed=3),
        ModelSettings(degree=20),
        TrainSettings(),
        "closed form",
    ),
    "mlp_default": (DataSettings(), MLP, TrainSettings(epochs=200), "finished"),
    "mlp_minibatch_dropout_momentum": (
        DataSettings(n=30, truth="cubic", seed=1),
        MLP.changed(layers=2, width=16, activation="relu", dropout=0.2),
        TrainSettings(optimizer="momentum", lr=0.05, epochs=60, batch_size=8, weight_decay=0.01, init_seed=3),
        "finished",
    ),
    "mlp_full_batch_dropout_sgd": (
        DataSettings(n=25, truth="linear", noise=0.2),
        MLP.changed(width=32, activation="gelu", dropout=0.3),
        TrainSettings(optimizer="sgd", lr=0.1, epochs=80, weight_decay=0.001, init_seed=7),
        "finished",
    ),
    "mlp_early_stop": (
        DataSettings(n=12, noise=0.5, seed=2),
        MLP.changed(width=128, layers=2, activation="sigmoid"),
        TrainSettings(lr=0.05, epochs=1000, early_stopping=True, patience=20, batch_size=50),  # batch > n: full
        "early stop",
    ),
    "mlp_diverged": (
        DataSettings(),
        MLP.changed(width=32),
        TrainSettings(optimizer="sgd", lr=10.0, epochs=300),
        "diverged",
    ),
}

CLASS_CASES: dict[str, tuple[ClassSettings, ModelSettings, TrainSettings, str]] = {
    "cls_moons": (ClassSettings(cn=120), ModelSettings(), TrainSettings(epochs=100), "finished"),
    "cls_logistic_features": (  # hidden=0: the model's activation and dropout must be ignored, as the app does
        ClassSettings(cset="circles", hidden=0, features=("x2^2", "x1^2")),
        ModelSettings(dropout=0.3, activation="relu"),
        TrainSettings(epochs=50, optimizer="sgd", lr=0.5),
        "finished",
    ),
    "cls_spiral_everything": (
        ClassSettings(
            cset="spiral", cn=200, cnoise=0.1, hidden=2, cwidth=32, features=("x1", "x2", "sin x1", "x1*x2"), cseed=5
        ),
        ModelSettings(activation="relu", dropout=0.2),
        TrainSettings("momentum", 0.05, 300, 16, 1e-3, True, 10, "auto", 2),
        "early stop",
    ),
    "cls_course_held_back_test": (  # the course notebook's 70/15/15 split: the script scores the test points too
        ClassSettings(cset="course", cn=100, cval=0.15, ctest=0.15, hidden=1, cwidth=5),
        ModelSettings(activation="sigmoid"),
        TrainSettings(epochs=100),
        "finished",
    ),
    "cls_xor_full_batch_dropout": (
        ClassSettings(cset="xor", cn=60, cval=0.5, hidden=1, cwidth=8),
        ModelSettings(dropout=0.5, activation="gelu"),
        TrainSettings(epochs=40, init_seed=9),
        "finished",
    ),
}

DRIVER = """\
import contextlib, importlib.util, io, json, runpy, sys
assert importlib.util.find_spec("playground") is None, "playground is importable: not a standalone run"
out = {}
for name, path in json.loads(sys.argv[1]).items():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(path, run_name="__main__")
    out[name] = buf.getvalue()
print(json.dumps(out))
"""


def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (the scripts must not see the package), on one OpenMP thread."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OMP_NUM_THREADS"] = "1"  # fit() here runs on one thread too: the same rounding on both sides
    return env


def printed(stdout: str) -> dict[str, float]:
    """The `name=value` lines a script prints, as floats."""
    pairs = (line.split("=", 1) for line in stdout.splitlines() if "=" in line and " " not in line)
    return {k: float(v) for k, v in pairs}


def run_here(path: Path) -> str:
    """Run a file as __main__ in this process and return what it printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(str(path), run_name="__main__")
    return buf.getvalue()


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """fit() on one thread, as the app (configure_threads) and the generated scripts do."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _check_reason(name: str, r: FitResult, reason: str) -> FitResult:
    assert r.stop_reason == reason, f"{name}: the case does not exercise {reason!r} (got {r.stop_reason!r})"
    return r


@pytest.fixture(scope="module")
def expected(one_thread: None) -> dict[str, FitResult]:
    """fit()'s (and fit_classifier()'s) result for every case."""
    out = {name: _check_reason(name, fit(make_data(ds), ms, ts), why) for name, (ds, ms, ts, why) in CASES.items()}
    for name, (cs, ms, ts, why) in CLASS_CASES.items():
        out[name] = _check_reason(name, fit_classifier(cs, ms, ts), why)
    return out


def _write(tmp: Path, make: Callable[..., str], make_classify: Callable[..., str]) -> dict[str, Path]:
    files = {}
    for name, (a, ms, ts, _) in CASES.items():
        files[name] = tmp / f"{name}.py"
        files[name].write_text(make(a, ms, ts))
    for name, (a, ms, ts, _) in CLASS_CASES.items():
        files[name] = tmp / f"{name}.py"
        files[name].write_text(make_classify(a, ms, ts))
    return files


@pytest.fixture(scope="module")
def script_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Stdout of every generated script, run in one fresh interpreter without this package on its path."""
    tmp = tmp_path_factory.mktemp("scripts")
    files = _write(tmp, torch_script, torch_script_classify)
    (tmp / "driver.py").write_text(DRIVER)
    args = [sys.executable, str(tmp / "driver.py"), json.dumps({k: str(v) for k, v in files.items()})]
    proc = subprocess.run(args, cwd=tmp, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def api_output(tmp_path_factory: pytest.TempPathFactory, one_thread: None) -> dict[str, str]:
    """Stdout of every API snippet, run in this process (where the package is importable: no second torch import)."""
    files = _write(tmp_path_factory.mktemp("api"), api_snippet, api_snippet_classify)
    return {name: run_here(path) for name, path in files.items()}


ALL = [*CASES, *CLASS_CASES]


@pytest.mark.parametrize("name", ALL)
def test_script_reproduces_fit(name: str, script_output: dict[str, str], expected: dict[str, FitResult]) -> None:
    got, r = printed(script_output[name]), expected[name]
    if name in CLASS_CASES:
        assert got["train_ce"] == pytest.approx(r.train_metric, rel=1e-6)
        assert got["val_ce"] == pytest.approx(r.val_metric, rel=1e-6)
        # k/n in float32, summed in another order by the engine: equal to 1e-6, far below one point's 1/n
        assert got["train_acc"] == pytest.approx(r.train_accuracy, abs=1e-6)
        assert got["val_acc"] == pytest.approx(r.val_accuracy, abs=1e-6)
        cs = CLASS_CASES[name][0]
        if cs.ctest > 0:  # the held-back test points: the same points, the same model, the same accuracy
            d = class_data(cs)
            assert got["test_acc"] == pytest.approx(accuracy(d.y_test, r.predict(d.x_test)), abs=1e-6)
        else:
            assert "test_acc" not in got
    else:
        rel = 1e-9 if CASES[name][1].family == "poly" else 1e-6
        assert got["train_mse"] == pytest.approx(r.train_metric, rel=rel)
        assert got["val_mse"] == pytest.approx(r.val_metric, rel=rel)


@pytest.mark.parametrize("name", ALL)
def test_api_snippet_reproduces_fit(name: str, api_output: dict[str, str], expected: dict[str, FitResult]) -> None:
    got, r = printed(api_output[name]), expected[name]
    keys = ("train_ce", "val_ce") if name in CLASS_CASES else ("train_mse", "val_mse")
    assert (got[keys[0]], got[keys[1]]) == (r.train_metric, r.val_metric)  # the same code path: the same bits


def test_script_runs_as_a_plain_file_outside_the_repo(tmp_path: Path) -> None:
    path = tmp_path / "overfit.py"
    path.write_text(torch_script(DataSettings(n=10), MLP.changed(width=8), TrainSettings(epochs=5)))
    proc = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(printed(proc.stdout)) == {"train_mse", "val_mse"}


def _scripts() -> Iterator[tuple[str, str]]:
    for name, (ds, ms, ts, _) in CASES.items():
        yield name, torch_script(ds, ms, ts)
    for name, (cs, ms, ts, _) in CLASS_CASES.items():
        yield name, torch_script_classify(cs, ms, ts)


def test_scripts_import_only_numpy_torch_and_the_standard_library() -> None:
    for name, src in _scripts():
        tree = ast.parse(src)
        mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        mods |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert mods <= {"copy", "math", "numpy", "torch"}, name


def test_only_active_options_appear() -> None:
    bare = torch_script(DataSettings(), MLP, TrainSettings(epochs=10))
    for absent in (
        "Dropout",
        "WEIGHT_DECAY",
        "PATIENCE",
        "randperm",
        "BATCH_SIZE",
        "momentum",
        "torch.manual_seed",
    ):
        assert absent not in bare
    busy = torch_script(
        DataSettings(),
        MLP.changed(dropout=0.1),
        TrainSettings(optimizer="momentum", batch_size=4, weight_decay=0.1, early_stopping=True, epochs=10),
    )
    for present in (
        "nn.Dropout(0.1)",
        "WEIGHT_DECAY = 0.1",
        "PATIENCE = 100",
        "randperm",
        "BATCH_SIZE = 4",
        "momentum=0.9",
        "fused=True",
    ):
        assert present in busy
    poly = torch_script(DataSettings(), ModelSettings(degree=4), TrainSettings())
    assert "RIDGE" not in poly and "import math" not in poly and "optimizer" not in poly
    assert "RIDGE = 0.5" in torch_script(DataSettings(), ModelSettings(degree=4, ridge=0.5), TrainSettings())
    logistic = torch_script_classify(ClassSettings(hidden=0), ModelSettings(dropout=0.5), TrainSettings())
    assert "Dropout" not in logistic and "Tanh" not in logistic and "nn.Linear(2, 1)" in logistic


def test_api_snippets_list_only_non_default_settings_that_matter() -> None:
    s = api_snippet(DataSettings(n=30), ModelSettings(degree=7, width=8), TrainSettings(epochs=5))
    assert "DataSettings(n=30)" in s and "ModelSettings(degree=7)" in s  # width and epochs do not touch a polynomial
    assert "TrainSettings" not in s
    s = api_snippet(DataSettings(), MLP.changed(degree=9), TrainSettings(patience=7, device="cpu"))
    assert 'ModelSettings(family="mlp")' in s and "patience" not in s and 'device="cpu"' in s
    s = api_snippet(DataSettings(), MLP, TrainSettings(patience=7, early_stopping=True))
    assert "TrainSettings(early_stopping=True, patience=7)" in s
    assert len([line for line in s.splitlines() if line and not line.startswith("from ")]) == 3
    s = api_snippet_classify(ClassSettings(hidden=0, features=("x1^2",)), ModelSettings(dropout=0.2), TrainSettings())
    assert 'ClassSettings(hidden=0, features=("x1^2",))' in s and "ModelSettings()" in s


@pytest.mark.parametrize("truth", sorted(TRUTHS))
def test_truth_sources_match_the_registry_bit_for_bit(truth: str) -> None:
    x = np.random.default_rng(0).uniform(-1.0, 1.0, 1000)
    x[:3] = (-1.0, 0.0, 1.0)
    got = eval(TRUTH_SOURCE[truth], {"np": np, "x": x})  # our own constant source, not user input
    np.testing.assert_array_equal(np.broadcast_to(got, x.shape), TRUTHS[truth](x))


@pytest.mark.parametrize("name", sorted(CLASS_SETS))
def test_sampler_sources_match_the_registry_bit_for_bit(name: str) -> None:
    scope: dict[str, Any] = {"np": np}
    exec(f"def sample(n, noise, rng):\n{SAMPLER_SOURCE[name]}", scope)  # our own constant source
    for seed, noise in ((0, 0.0), (1, 0.3)):
        x, y = scope["sample"](50, noise, np.random.default_rng(seed))
        x0, y0 = CLASS_SETS[name](50, noise, np.random.default_rng(seed))
        np.testing.assert_array_equal(x, x0)
        np.testing.assert_array_equal(y, y0)


def test_feature_sources_match_the_registry_bit_for_bit() -> None:
    assert list(FEATURE_SOURCE) == list(FEATURES)  # the same names in the same column order
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(100, 2)))
    for name, src in FEATURE_SOURCE.items():
        assert torch.equal(eval(src, {"torch": torch, "x": x}), FEATURES[name](x)), name


class EvilInt(int):
    def __repr__(self) -> str:
        return "__import__('os').system('echo pwned')"


class EvilStr(str):
    def __repr__(self) -> str:
        return "__import__('os')"


def forced(s: Any, **kw: Any) -> Any:
    """A frozen settings object with fields forced past validation, as an attacker would try."""
    for k, v in kw.items():
        object.__setattr__(s, k, v)
    return s


@pytest.mark.parametrize(
    "ds,ms,ts",
    [
        (forced(DataSettings(), seed=EvilInt(3)), MLP, TrainSettings()),
        (forced(DataSettings(), truth="sine'); import os; ('"), MLP, TrainSettings()),
        (forced(DataSettings(), truth=EvilStr("sine")), MLP, TrainSettings()),
        (DataSettings(), forced(ModelSettings(), dropout=float("nan")), TrainSettings()),
        (DataSettings(), MLP, forced(TrainSettings(), lr=1e9)),
        (DataSettings(), MLP, forced(TrainSettings(), optimizer="adam(__import__('os'))")),
        (DataSettings(), MLP, forced(TrainSettings(), early_stopping=1)),
        (DataSettings(), MLP, forced(TrainSettings(), epochs=10.5)),
    ],
)
def test_forced_bad_values_are_refused(ds: Any, ms: Any, ts: Any) -> None:
    with pytest.raises(ValueError):
        torch_script(ds, ms, ts)
    with pytest.raises(ValueError):
        api_snippet(ds, ms, ts)


@pytest.mark.parametrize(
    "bad",
    [{"features": ("x1", "__import__('os')")}, {"features": (EvilStr("x1"),)}, {"cset": "moons\nimport os"}],
)
def test_forced_bad_class_settings_are_refused(bad: dict[str, Any]) -> None:
    cs = forced(ClassSettings(), **bad)
    with pytest.raises(ValueError):
        torch_script_classify(cs, ModelSettings(), TrainSettings())
    with pytest.raises(ValueError):
        api_snippet_classify(cs, ModelSettings(), TrainSettings())


def test_only_the_declared_settings_classes_are_accepted() -> None:
    with pytest.raises(TypeError):
        plain(ModelSettings(), DataSettings)
    assert lit("sin x1") == '"sin x1"' and lit("a'b") == repr("a'b") and lit(("x1",)) == '("x1",)'


def test_generated_code_is_lint_and_format_clean(tmp_path: Path) -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")
    extreme = (  # every option on, at its widest: the longest lines the generator writes
        DataSettings(truth="cubic", n=500, noise=0.05, n_val=2000, x_mode="grid", seed=2**31 - 1),
        MLP.changed(layers=4, width=256, activation="sigmoid", dropout=0.35),
        TrainSettings("momentum", 1e-5, 5000, 500, 1e-4, True, 2000, "cpu", 2**31 - 1),
    )
    wide = ClassSettings("spiral", 1000, 0.95, 0.85, 2**31 - 1, 4, 128, tuple(FEATURES))
    for name, src in _scripts():
        (tmp_path / f"{name}.py").write_text(src)
    for name, (ds, ms, ts, _) in CASES.items():
        (tmp_path / f"{name}_api.py").write_text(api_snippet(ds, ms, ts))
    for name, (cs, ms, ts, _) in CLASS_CASES.items():
        (tmp_path / f"{name}_api.py").write_text(api_snippet_classify(cs, ms, ts))
    (tmp_path / "extreme.py").write_text(torch_script(*extreme))
    (tmp_path / "extreme_api.py").write_text(api_snippet(*extreme))
    (tmp_path / "wide.py").write_text(torch_script_classify(wide, extreme[1], extreme[2]))
    (tmp_path / "wide_api.py").write_text(api_snippet_classify(wide, extreme[1], extreme[2]))
    (tmp_path / "wide_lightning.py").write_text(lightning_script_classify(wide, extreme[1], extreme[2]))
    for name, (cs, ms, ts, _) in CLASS_CASES.items():
        (tmp_path / f"{name}_lightning.py").write_text(lightning_script_classify(cs, ms, ts))
    ruff, opts = [sys.executable, "-m", "ruff"], ["--isolated", "--line-length", "120"]
    lint = subprocess.run(
        [*ruff, "check", *opts, "--select", "E,F,W,I,B,UP,SIM", str(tmp_path)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = subprocess.run([*ruff, "format", "--check", "--diff", *opts, str(tmp_path)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout[-3000:] + fmt.stderr[-3000:]


# --- the PyTorch Lightning variant of Classify's script ----------------------------------


@pytest.fixture(scope="module")
def lightning_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Stdout of the Lightning script of every Classify case, run as the plain scripts are (a fresh interpreter)."""
    if importlib.util.find_spec("lightning") is None:
        pytest.skip("lightning is a development requirement (requirements-dev.txt)")
    tmp = tmp_path_factory.mktemp("lightning")
    files = {}
    for name, (cs, ms, ts, _) in CLASS_CASES.items():
        files[name] = tmp / f"{name}.py"
        files[name].write_text(lightning_script_classify(cs, ms, ts))
    (tmp / "driver.py").write_text(DRIVER)
    args = [sys.executable, str(tmp / "driver.py"), json.dumps({k: str(v) for k, v in files.items()})]
    proc = subprocess.run(args, cwd=tmp, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def _status(stdout: str) -> str:
    """The script's "<stop reason> at epoch <e>, best validation loss at epoch <b>" line."""
    return next(line for line in stdout.splitlines() if ", best validation loss at epoch " in line)


@pytest.mark.parametrize("name", CLASS_CASES)
def test_lightning_script_reproduces_the_page_and_the_plain_script(
    name: str, lightning_output: dict[str, str], script_output: dict[str, str], expected: dict[str, FitResult]
) -> None:
    got, loop, r = printed(lightning_output[name]), printed(script_output[name]), expected[name]
    # The same operations in the same order as the plain loop (batches, masks, fused step): the same bits.
    assert got == loop and _status(lightning_output[name]) == _status(script_output[name])
    # Against the page, the plain script's tolerance (the page may train on its numpy engine, float32 rounding).
    assert got["train_ce"] == pytest.approx(r.train_metric, rel=1e-6)
    assert got["val_ce"] == pytest.approx(r.val_metric, rel=1e-6)
    assert got["train_acc"] == pytest.approx(r.train_accuracy, abs=1e-6)
    assert got["val_acc"] == pytest.approx(r.val_accuracy, abs=1e-6)
    assert f"at epoch {len(r.val_loss) - 1}, best validation loss at epoch {r.best_epoch}" in _status(
        lightning_output[name]
    )
