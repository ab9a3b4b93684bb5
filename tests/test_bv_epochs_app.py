"""AppTest of the Bias and variance page's view against epochs, in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.charts import chart_specs, figures
from ui.zh import ZH

ROOT = Path(__file__).parents[1]
SMALL = {"bve_view": "epochs", "bve_r": "4", "bve_width": "8", "bve_epochs": "60"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_epochs_view_draws_its_decomposition_from_a_link(lang: str) -> None:
    from ui import i18n

    i18n.MISSING.clear()
    at = AppTest.from_file(str(ROOT / "views/bias_variance.py"), default_timeout=120)
    at.query_params.update(SMALL)
    at.session_state["v:lang"] = lang  # the app's chrome sets it from ?lang=; here the page runs alone
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    figs = figures(at)
    assert len(figs) == 1 and len(at.metric) == 4
    fig = figs[0]
    assert fig["layout"]["xaxis"]["type"] == "log"
    title = "Bias² + variance + noise during training"
    assert fig["layout"]["title"]["text"] == (ZH[title] if lang == "zh" else title)
    assert at.query_params["bve_view"] == ["epochs"] or at.query_params["bve_view"] == "epochs"
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_the_capacity_view_stays_the_default() -> None:
    at = AppTest.from_file(str(ROOT / "views/bias_variance.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert len(chart_specs(at)) == 2 and len(at.metric) == 5
