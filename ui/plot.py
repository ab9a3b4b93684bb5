"""Charts that stay mounted: one Plotly element per key, updated in place with `Plotly.react` on every rerun.

Streamlit 1.67 gives a `st.plotly_chart` a new identity whenever its figure changes, so every slider move
unmounts and rebuilds every chart. A keyed `st.components.v2` element keeps its identity; its script hands the
new figure to `Plotly.react`, which redraws only what changed and keeps the old chart on screen until the new one
is drawn. plotly.js (the copy the plotly package ships) is a static file (`server.enableStaticServing`) that the
first chart's script loads with a script tag, so the browser caches it, compiled, across visits: a page opens
without parsing plotly.js from scratch. Where that file cannot be written, plotly.js is sent once per session by a
second component at the end of the session's first run, whose charts are Streamlit's own.
`PLAYGROUND_STABLE=0` turns kept charts off (the benchmarks' baseline).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import streamlit as st

from playground.figures.common import plotly_js
from playground.figures.playback import PLAYER_JS

STABLE = os.environ.get("PLAYGROUND_STABLE", "1") == "1"
LOADED = "_plotly_js_sent"  # session key: plotly.js went out with this session's first run
STATIC = Path(__file__).resolve().parent.parent / "static"  # Streamlit serves it at app/static/ (next to app.py)
log = logging.getLogger(__name__)

# Draws a figure into a div that lives as long as the element: Plotly.react diffs it against what is drawn.
CHART_JS = (
    PLAYER_JS
    + r"""
// plotly.js from its static file (one script tag per page, cached by the browser), else sent by the loader
function whenPlotly(f, src, tries = 0) {
  if (window.Plotly) return f(window.Plotly);
  if (src && !window.__pgPlotly) {
    const s = (window.__pgPlotly = document.createElement('script'));
    s.src = src;
    s.onerror = () => { s.failed = true; console.error('plotly.js did not load from ' + src); };
    document.head.appendChild(s);
  }
  if (src ? !window.__pgPlotly.failed : tries < 400) setTimeout(() => whenPlotly(f, src, tries + 1), 25);
}
// Streamlit's look for its own charts (its front end applies its theme, the figure does not carry it): the app's
// font, 12 px faded labels, 16 px titles, no vertical grid or zero lines. A figure's own settings win.
const FAINT = 'rgba(49, 51, 63, 0.6)', GRID = 'rgba(49, 51, 63, 0.1)', BODY = '"Source Sans", sans-serif';
const AXIS = {
  x: {showgrid: false, zeroline: false, gridcolor: GRID, zerolinecolor: GRID, tickcolor: GRID,
      tickfont: {color: FAINT, size: 12}, title: {font: {color: FAINT, size: 14}}},
  y: {zerolinecolor: GRID, gridcolor: GRID, tickcolor: GRID,
      tickfont: {color: FAINT, size: 12}, title: {font: {color: FAINT, size: 14}}},
};
const THEME = {
  font: {family: BODY, size: 12, color: FAINT},
  title: {font: {family: BODY, size: 16, color: '#31333F', weight: 600}},
  legend: {font: {size: 12, color: '#31333F'}, bordercolor: 'rgba(0,0,0,0)', borderwidth: 0},
  hoverlabel: {font: {family: BODY, size: 12}},
  margin: {pad: 8},
};
const plain = v => v !== null && typeof v === 'object' && !Array.isArray(v);
function merge(d, v) {
  if (!plain(d) || !plain(v)) return v === undefined ? d : v;
  const out = {...d};
  for (const k of Object.keys(v)) out[k] = merge(d[k], v[k]);
  return out;
}
function themed(L) {
  const out = merge(THEME, L);
  for (const k of Object.keys(L)) if (/^[xy]axis\d*$/.test(k)) out[k] = merge(AXIS[k[0]], L[k]);
  if (!L.xaxis) out.xaxis = AXIS.x;
  if (!L.yaxis) out.yaxis = AXIS.y;
  return out;
}
export default function (c) {
  const root = c.parentElement, slot = c.data.slot;
  // A live frame is a new element each time (a run's frames cannot share a key); its slot's graph moves into it,
  // still drawn, and Plotly.react redraws what changed: no frame is ever blank.
  const slots = (window.__pgSlots = window.__pgSlots || {});
  let gd = slot ? slots[slot] : root.querySelector('div.pg-chart');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'pg-chart';
    gd.style.width = '100%';
    if (slot) slots[slot] = gd;
  }
  if (gd.parentNode !== root) root.appendChild(gd);
  const fig = JSON.parse(c.data.fig);
  const seq = (gd.__pgSeq || 0) + 1;
  gd.__pgSeq = seq;
  window.__pgDrawing = (window.__pgDrawing || 0) + 1;  // charts asked for and not yet drawn (tests wait on 0)
  const done = () => { window.__pgDrawing -= 1; };
  whenPlotly(P => {
    if (gd.__pgSeq !== seq) return done();  // a newer figure arrived while plotly.js loaded
    gd.__pbWired = false;  // a new playback figure is wired again (its frames, its Step button)
    P.react(gd, {data: fig.data, layout: themed(fig.layout), frames: fig.frames || [], config: c.data.config})
      .then(() => { if (fig.layout.meta && fig.layout.meta.playback) window.__pbWire(false, null); })
      .finally(done);
  }, c.data.src);
}
"""
)

_CHART = st.components.v2.component("playground_chart", js=CHART_JS, isolate_styles=False)


@functools.cache
def _loader() -> Any:
    return st.components.v2.component(
        "playground_plotlyjs", js="if (!window.Plotly) {\n" + plotly_js() + "\n}\nexport default function () {}"
    )


@functools.cache
def _static_src() -> str | None:
    """The URL path of plotly.js as a static file, written next to app.py once per version; None where the app
    does not serve static files or the folder is read-only (then plotly.js goes out through a component)."""
    if not st.get_option("server.enableStaticServing"):
        return None
    js = plotly_js()
    name = f"plotly-{hashlib.sha1(js.encode()).hexdigest()[:12]}.min.js"  # a new version is a new URL
    try:
        if not (STATIC / name).exists():
            STATIC.mkdir(exist_ok=True)
            tmp = STATIC / f".{name}.{os.getpid()}"
            tmp.write_text(js, encoding="utf-8")
            tmp.replace(STATIC / name)  # atomic: another server process never reads half a file
    except OSError:
        log.warning("cannot write %s: plotly.js goes out over the websocket", STATIC / name, exc_info=True)
        return None
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base + '/' if base else ''}app/static/{name}"


def ready() -> bool:
    """Whether charts can draw in kept elements now: plotly.js is a static file, or this session was sent it."""
    return _static_src() is not None or bool(st.session_state.get(LOADED))


def kept() -> bool:
    """Whether this run draws kept charts (until plotly.js has gone out, charts are Streamlit's own)."""
    return STABLE and ready()


def load_plotly() -> None:
    """Send plotly.js once per session, at the end of a run: the page opens on Streamlit's charts, not waiting
    for 4.8 MB, and keeps window.Plotly after this element is gone. A run that stopped early sends it later."""
    if not ready():  # static plotly.js: nothing to send
        _loader()(key="plotlyjs", height=0)
        st.session_state[LOADED] = True


def stable_chart(spec: str, key: str, config: dict[str, Any], where: Any = None, slot: str | None = None) -> None:
    """Mount (or update in place) the chart `key` with a figure's JSON; `slot` names a live frame's graph."""
    with where or st.container():
        _CHART(key=key, data={"fig": spec, "config": config, "slot": slot, "src": _static_src()})
