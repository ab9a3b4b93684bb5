"""Every user-visible string has a Chinese translation; a missing one fails here."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import playground
import ui
from playground.settings import Settings

ROOT = Path(__file__).parents[1]


def _import_all() -> None:
    for pkg in (playground, ui):
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if not m.name.endswith("__main__"):
                importlib.import_module(m.name)


def _subclasses(cls: type) -> list[type]:
    out = []
    for c in cls.__subclasses__():
        out += [c, *_subclasses(c)]
    return out


def _t_literals() -> set[str]:
    """First arguments of every t("...") call in the UI code."""
    out = set()
    for f in [*ROOT.glob("ui/*.py"), *ROOT.glob("views/*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                a = node.args[0]
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    out.add(a.value)
    return out


MESSAGE_NAMES = ("why", "note", "reason", "message")
NOT_SHOWN = ("codegen.py",)  # its `why` strings are comments of the generated script, never passed through t()
MESSAGE_CALLS = ("UploadError", "Text")  # playground/io.py: the UI shows t(e.template, **e.params)


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _package_messages() -> set[str]:
    """Verdict reasons, notes and upload messages the package returns, which the UI passes through t()."""
    out = set()
    for f in ROOT.glob("playground/**/*.py"):
        if f.name in NOT_SHOWN:
            continue
        src = f.read_text(encoding="utf-8")
        # \b: not stop_reason = "diverged" (an internal code, never shown)
        out |= set(re.findall(r'\b(?:why|note|reason|message) = "([^"]+)"', src))
        for node in ast.walk(ast.parse(src)):
            # why = "..." / res.note = "..." (also strings split over several lines, which the regex misses)
            if isinstance(node, ast.Assign | ast.AnnAssign) and (s := _str(node.value)) is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {getattr(tg, "id", None) or getattr(tg, "attr", None) for tg in targets}
                if names & set(MESSAGE_NAMES):
                    out.add(s)
            # UploadError("template", ...) and Text("template", {...}): their first argument is the key
            is_message = isinstance(node, ast.Call) and getattr(node.func, "id", None) in MESSAGE_CALLS
            if is_message and node.args and (s := _str(node.args[0])) is not None:
                out.add(s)
    return out


def user_strings() -> set[str]:
    """Everything the app shows in words."""
    _import_all()
    from ui.common import VERDICT_TITLE
    from ui.presets import PRESETS, STAGES
    from ui.widgets import CHOICE_NAMES

    texts = _t_literals() | _package_messages() | set(VERDICT_TITLE.values())
    texts |= set(CHOICE_NAMES.values())  # "中文" too: the language box formats every choice with t()
    texts |= {p.title for p in PRESETS} | {p.text for p in PRESETS}
    texts |= {p.claim.see for p in PRESETS if p.claim} | {s.title for s in STAGES}  # the Lessons page shows both
    for cls in _subclasses(Settings):
        for spec, _ in cls.specs().values():
            texts |= {spec.label, spec.help}
            texts |= {CHOICE_NAMES.get(o, o) for o in spec.choices or ()}  # what the widget formats with t()
    return texts


def test_every_string_has_a_chinese_translation() -> None:
    from ui.zh import ZH

    missing = sorted(s for s in user_strings() if s not in ZH)
    assert not missing, f"{len(missing)} strings lack a translation in ui/zh.py:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    from ui.zh import ZH

    for en, zh in ZH.items():
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), en


@pytest.mark.parametrize("text", ["Fit", "Training points"])
def test_t_translates_when_the_language_is_chinese(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import i18n

    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    assert i18n.t(text) == i18n.ZH[text] != text


# The Chinese title (st.title) each page shows, by its English text.
PAGE_TITLES = {
    "fit.py": "Fit: watch a model overfit",
    "compare.py": "Compare two models on the same data",
    "lessons.py": "Lessons",
    "classify.py": "Classify: where does the boundary go?",
    "capacity.py": "Capacity: error against model size",
    "bias_variance.py": "Bias and variance",
    "learning_curve.py": "Learning curves: error against the number of points",
    "double_descent.py": "Double descent",
}


# A link that reaches the network code paths cheaply: MLP on the Fit page, few epochs, early stopping.
ZH_LINK = {"lang": "zh", "family": "mlp", "epochs": "60", "early_stopping": "1", "patience": "5"}


def _clean_zh_page(at: AppTest, where: str) -> None:
    assert not at.exception, (where, at.exception)
    assert not [e.value for e in at.error], (where, [e.value for e in at.error])
    assert at.title, f"{where} shows no title"


def test_every_page_runs_in_chinese_without_a_missing_translation() -> None:
    """Every page in views/ runs with ?lang=zh: no exception, Chinese title, nothing recorded in MISSING.

    Then two lessons (Compare, and Classify's comparison view) open with their banner in Chinese.
    """
    from ui import i18n
    from ui.presets import PRESETS
    from ui.zh import ZH

    i18n.MISSING.clear()  # AppTest runs the script in this process: the app's t() fills this same set
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(ZH_LINK)
    at.run()
    _clean_zh_page(at, "first run")
    for view in sorted((ROOT / "views").glob("*.py")):
        at.switch_page(f"views/{view.name}").run()
        _clean_zh_page(at, view.name)
        title = at.title[0].value
        if view.name in PAGE_TITLES:
            assert title == ZH[PAGE_TITLES[view.name]], (view.name, title)
        else:  # a page added since: its title must at least be a translation
            assert title in ZH.values(), (view.name, title)
    for page in ("compare", "classify"):
        p = next((p for p in PRESETS if p.page == page), None)
        if p is None:
            continue
        at.switch_page("views/lessons.py").run()
        at.button(key=f"lesson_{p.id}").click().run()
        _clean_zh_page(at, f"lesson {p.id}")
        assert any(ZH[p.title] in i.value for i in at.info), f"lesson {p.id}: no Chinese banner"
    assert not i18n.MISSING, f"shown in English on a Chinese page: {sorted(i18n.MISSING)}"
