"""Show the code on Classify: a third tab with the PyTorch Lightning script, in both languages; Fit has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[1] / "app.py")


def _page(view: str | None, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"epochs": "20", "lang": lang})
    at.run()
    if view:
        at.switch_page(view)
        at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_classify_shows_the_lightning_script_as_a_third_tab(lang: str) -> None:
    at = _page("views/classify.py", lang)
    assert "PyTorch Lightning" in [tab.label for tab in at.tabs]  # the same name in both languages
    code = [c.value for c in at.code if "L.Trainer(" in c.value]
    assert len(code) == 1 and "class Classifier(L.LightningModule):" in code[0]
    assert ("由 PyTorch Lightning 运行训练循环" in code[0]) == (lang == "zh")  # comments in the page's language


def test_the_fit_page_has_no_lightning_tab() -> None:
    at = _page(None, "en")
    assert "PyTorch Lightning" not in [tab.label for tab in at.tabs]
