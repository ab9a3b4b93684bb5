"""Show the code in 中文: every comment and docstring of the generated scripts is Chinese; the code is the same."""

from __future__ import annotations

import ast
import io
import itertools
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from playground.classify import ClassSettings
from playground.codegen import lightning_script_classify, torch_script, torch_script_classify
from playground.data import CLASS_SETS, TRUTHS
from playground.settings import DataSettings, ModelSettings, TrainSettings
from ui import code_zh
from ui.code_zh import KEEP, localize

CJK = re.compile(r"[\u4e00-\u9fff]")


def _scripts() -> list[str]:
    """Scripts for every truth, class set and option that changes their comments."""
    out = []
    for truth, fam, es, bs, do, xm, ridge in itertools.product(
        sorted(TRUTHS), ("poly", "mlp"), (False, True), (0, 5), (0.0, 0.3), ("uniform", "grid"), (0.0, 0.1)
    ):
        ms = ModelSettings(family=fam, dropout=do, ridge=ridge, layers=1 + es)
        ts = TrainSettings(early_stopping=es, batch_size=bs, weight_decay=0.01 * es, optimizer="sgd" if bs else "adam")
        out.append(torch_script(DataSettings(truth=truth, x_mode=xm), ms, ts))
    for cset, hidden, feats, es, bs, do in itertools.product(
        sorted(CLASS_SETS), (0, 1, 2), (("x1", "x2"), ("x1", "x2", "x1^2")), (False, True), (0, 10), (0.0, 0.3)
    ):
        cs = ClassSettings(cset=cset, hidden=hidden, features=feats)
        out.append(
            torch_script_classify(cs, ModelSettings(dropout=do), TrainSettings(early_stopping=es, batch_size=bs))
        )
    held = ClassSettings(cset="course", cn=100, cval=0.15, ctest=0.15, hidden=1, cwidth=5)  # a held-back test set
    out.append(torch_script_classify(held, ModelSettings(activation="sigmoid"), TrainSettings()))
    out.append(torch_script(DataSettings(), ModelSettings(family="mlp"), TrainSettings(l1=0.001)))
    for hidden, es, bs, do in itertools.product((0, 2), (False, True), (0, 10), (0.0, 0.3)):  # Lightning's variant
        ts = TrainSettings(early_stopping=es, batch_size=bs, l1=0.001 * es)
        out.append(lightning_script_classify(ClassSettings(hidden=hidden), ModelSettings(dropout=do), ts))
    out.append(lightning_script_classify(held, ModelSettings(activation="sigmoid"), TrainSettings()))
    shaped = ClassSettings(net="4,2")  # a width per hidden layer
    out.append(torch_script_classify(shaped, ModelSettings(activation="linear"), TrainSettings(l1=0.001)))
    out.append(lightning_script_classify(shaped, ModelSettings(), TrainSettings()))
    return out


SCRIPTS = _scripts()


def _words(src: str) -> list[str]:
    """Every comment and docstring line of a script."""
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            out.append(tok.string[1:].strip())
        elif tok.type == tokenize.STRING and tok.string.startswith('"""'):
            out += [ln.strip() for ln in tok.string.strip('"').splitlines() if ln.strip()]
    return out


def _code(src: str) -> str:
    """The script's syntax tree without its docstrings: what runs."""
    tree = ast.parse(src)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            node.body = body[1:]  # type: ignore[attr-defined]
    return ast.dump(tree)


def test_every_comment_and_docstring_is_chinese() -> None:
    missing = {w for src in SCRIPTS for w in _words(localize(src)) if not CJK.search(w) and w not in KEEP}
    assert not missing, sorted(missing)[:20]


def test_the_code_is_unchanged() -> None:
    for src in SCRIPTS[:: max(1, len(SCRIPTS) // 40)]:
        zh = localize(src)
        assert zh != src and _code(zh) == _code(src)


def test_every_catalogue_entry_is_used() -> None:
    """No stale translations: each exact text and each pattern occurs in some script."""
    flat = [" ".join(src.split()) for src in SCRIPTS]  # a sentence may run over two lines of a docstring
    stale = [k for k in code_zh.EXACT if not any(k in f for f in flat)]
    assert not stale, stale
    unused = [p.pattern for p, _, _ in code_zh.PATTERNS if not any(p.search(f) for f in flat)]
    assert not unused, unused


def test_chinese_scripts_are_lint_and_format_clean(tmp_path: Path) -> None:
    for i, src in enumerate(SCRIPTS[:: max(1, len(SCRIPTS) // 30)]):
        (tmp_path / f"s{i}.py").write_text(localize(src), encoding="utf-8")
    opts = ["--isolated", "--line-length", "120"]
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*ruff, "check", *opts, "--select", "E,F,W,I,B,UP,SIM", str(tmp_path)], capture_output=True)
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = subprocess.run([*ruff, "format", "--check", *opts, str(tmp_path)], capture_output=True)
    assert fmt.returncode == 0, fmt.stdout[-3000:]


@pytest.mark.parametrize("text", ["", "x1", "not in the catalogue at all"])
def test_translate_keeps_code_and_reports_unknown_text(text: str) -> None:
    assert code_zh.translate(text) == (None if " " in text else text)
