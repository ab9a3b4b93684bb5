"""The charts an AppTest run shows, whichever element draws them (Streamlit's own or ui/plot's stable one)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

STABLE = "playground_chart"


def chart_specs(at: AppTest) -> list[str]:
    """Every chart's figure JSON, in page order (a run draws all its charts with one kind of element)."""
    own = [c.proto.spec for c in at.get("plotly_chart")]
    stable = [json.loads(c.proto.json)["fig"] for c in at.get("bidi_component") if c.proto.component_name == STABLE]
    return own + stable


def figures(at: AppTest) -> list[dict[str, Any]]:
    """Every chart's figure as a dict."""
    return [json.loads(s) for s in chart_specs(at)]
