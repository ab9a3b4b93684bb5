"""Charts kept across reruns (ui/plot.py): the first run draws Streamlit's charts and sends plotly.js once, later
runs draw the same figures into keyed elements that the browser redraws in place."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.charts import STABLE, chart_specs


def _app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60)


def _parts(at: AppTest) -> tuple[int, list[str], int]:
    """Streamlit's own charts, the kept charts' keys, and how many plotly.js loaders this run sent."""
    bidi = at.get("bidi_component")
    keys = [c.proto.id for c in bidi if c.proto.component_name == STABLE]
    return len(at.get("plotly_chart")), keys, sum(c.proto.component_name == "playground_plotlyjs" for c in bidi)


def test_first_run_sends_plotly_once_then_charts_are_kept_with_the_same_figures() -> None:
    at = _app().run()
    own, kept, loaders = _parts(at)
    assert (own, kept, loaders) == (2, [], 1), "first run: Streamlit's charts, and plotly.js at the end"
    first = chart_specs(at)
    at.run()
    own, kept, loaders = _parts(at)
    assert (own, len(kept), loaders) == (0, 2, 0), "later runs: kept charts, plotly.js not sent again"
    assert chart_specs(at) == first, "the same settings give the same figures, whichever element draws them"
    ids = kept
    at.slider(key="degree").set_value(7).run()
    assert _parts(at)[1] == ids, "a changed figure keeps its element's identity"
    assert chart_specs(at)[0] != first[0]
    assert "degree 7 fit" in json.dumps(json.loads(chart_specs(at)[0])["data"])


def test_every_page_draws_kept_charts_after_its_first_run() -> None:
    at = _app().run()
    for view in ("compare", "classify", "capacity", "bias_variance", "learning_curve", "double_descent"):
        at.switch_page(f"views/{view}.py").run()
        own, kept, _ = _parts(at)
        assert own == 0 and kept, f"{view}: {own} of Streamlit's charts, {len(kept)} kept"
        assert not at.exception, at.exception
