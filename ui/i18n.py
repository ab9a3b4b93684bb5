"""Translations: `t(text)` returns the text in the session's language (English is the key).

Chinese texts live in ui/zh.py. In Chinese, a text without a translation is recorded in
MISSING (the tests fail on it) and shown in English.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from .zh import ZH

LANGS = ("en", "zh")
MISSING: set[str] = set()


def lang() -> str:
    """The session's language code."""
    return st.session_state.get("lang", st.session_state.get("v:lang", "en"))


def t(text: str, **kw: Any) -> str:
    """Translate `text` (then format it with kw)."""
    if lang() == "zh":
        out = ZH.get(text)
        if out is None:
            MISSING.add(text)
            out = text
    else:
        out = text
    return out.format(**kw) if kw else out


def labels(*names: str) -> dict[str, str]:
    """Translated legend names for figure builders: {"train": t("train"), ...} by English text."""
    return {n: t(n) for n in names}
