"""Translations: `t(text)` returns the text in the session's language (English is the key)."""

from __future__ import annotations

from typing import Any

import streamlit as st

LANGS = ("en", "zh")
ZH: dict[str, str] = {}


def lang() -> str:
    """The session's language code."""
    return st.session_state.get("v:lang", "en")


def t(text: str, **kw: Any) -> str:
    """Translate `text` (then format it with kw)."""
    out = ZH.get(text, text) if lang() == "zh" else text
    return out.format(**kw) if kw else out
