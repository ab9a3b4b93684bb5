"""Translations: `t(text)` returns the text in the session's language (English is the key).

Chinese texts live in ui/zh.py. In Chinese, a text without a translation is recorded in
MISSING (the tests fail on it) and shown in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from playground.settings import Settings, param

from .zh import ZH

LANGS = {"en": "English", "zh": "中文"}  # the languages: code -> its own name (a new one: here and its catalogue)
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


@dataclass(frozen=True)
class AppSettings(Settings):
    """Settings of the whole app, kept in every page's URL."""

    lang: str = param("en", "Language", "Language of the whole app.", choices=tuple(LANGS))
    present: bool = param(False, "Presentation mode", "Larger text and markers for a projector; controls collapsed.")
