"""Charts kept across reruns (ui/plot.py): keyed elements that the browser redraws in place, plotly.js loaded from
a static file (or, where none can be written, sent once after a first run of Streamlit's own charts)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from playground.figures.common import plotly_js
from tests.charts import STABLE, chart_specs
from ui import plot


def _app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=60)


def _parts(at: AppTest) -> tuple[int, list[str], int]:
    """Streamlit's own charts, the kept charts' keys, and how many plotly.js loaders this run sent."""
    bidi = at.get("bidi_component")
    keys = [c.proto.id for c in bidi if c.proto.component_name == STABLE]
    return len(at.get("plotly_chart")), keys, sum(c.proto.component_name == "playground_plotlyjs" for c in bidi)


def test_charts_are_kept_from_the_first_run_and_load_plotly_from_its_static_file() -> None:
    at = _app().run()
    own, kept, loaders = _parts(at)
    assert (own, len(kept), loaders) == (0, 2, 0), "static plotly.js: kept charts at once, nothing sent"
    src = {json.loads(c.proto.json)["src"] for c in at.get("bidi_component") if c.proto.component_name == STABLE}
    assert len(src) == 1 and (url := src.pop()).startswith("/app/static/plotly-")
    assert (plot.STATIC / url.rsplit("/", 1)[1]).read_text(encoding="utf-8") == plotly_js()
    first, ids = chart_specs(at), kept
    at.slider(key="degree").set_value(7).run()
    assert _parts(at)[1] == ids, "a changed figure keeps its element's identity"
    assert chart_specs(at)[0] != first[0]
    assert "degree 7 fit" in json.dumps(json.loads(chart_specs(at)[0])["data"])


def test_without_static_files_the_first_run_sends_plotly_once_then_charts_are_kept(monkeypatch) -> None:
    monkeypatch.setattr(plot, "_static_src", lambda: None)
    at = _app().run()
    own, kept, loaders = _parts(at)
    assert (own, kept, loaders) == (2, [], 1), "first run: Streamlit's charts, and plotly.js at the end"
    first = chart_specs(at)
    at.run()
    own, kept, loaders = _parts(at)
    assert (own, len(kept), loaders) == (0, 2, 0), "later runs: kept charts, plotly.js not sent again"
    assert chart_specs(at) == first, "the same settings give the same figures, whichever element draws them"


def test_a_static_folder_that_cannot_be_written_falls_back_to_sending_plotly(monkeypatch, tmp_path) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(plot, "STATIC", tmp_path / "file" / "static")  # a folder inside a file: mkdir fails
    assert plot._static_src.__wrapped__() is None
    monkeypatch.setattr(plot, "STATIC", tmp_path / "static")
    url = plot._static_src.__wrapped__()
    assert url is not None and (tmp_path / "static" / url.rsplit("/", 1)[1]).read_text("utf-8") == plotly_js()
    assert [p.name for p in (tmp_path / "static").iterdir()] == [url.rsplit("/", 1)[1]], "no temporary file left"


def test_every_page_draws_kept_charts_after_its_first_run() -> None:
    at = _app().run()
    for view in ("compare", "classify", "capacity", "bias_variance", "learning_curve", "double_descent"):
        at.switch_page(f"views/{view}.py").run()
        own, kept, _ = _parts(at)
        assert own == 0 and kept, f"{view}: {own} of Streamlit's charts, {len(kept)} kept"
        assert not at.exception, at.exception
