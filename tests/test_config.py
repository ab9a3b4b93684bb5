"""The production settings in .streamlit/config.toml and the process tuning the app does at start."""

from __future__ import annotations

import gc
import tomllib
from pathlib import Path

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_viewers_never_see_error_details_or_developer_tools() -> None:
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["toolbarMode"] == "viewer"


def test_uploads_capped_and_xsrf_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert 1 <= CONFIG["server"]["maxUploadSize"] <= 10


def test_no_file_watcher_and_no_collection_after_every_rerun() -> None:
    """Both cost a shared server CPU on every rerun (the load test measured ~0.15 s per rerun for the GC)."""
    assert CONFIG["server"]["fileWatcherType"] == "none" and CONFIG["server"]["runOnSave"] is False
    assert CONFIG["runner"]["postScriptGC"] is False


def test_startup_heap_is_frozen_once() -> None:
    from ui.common import freeze_startup_heap

    freeze_startup_heap.cache_clear()
    gc.unfreeze()
    try:
        freeze_startup_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # torch, plotly and streamlit are imported: a big heap the collector now skips
        [object() for _ in range(10)]
        freeze_startup_heap()  # a later rerun: nothing more is frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
