"""Overfitting Playground: the Streamlit entry point (multipage via st.navigation)."""

import streamlit as st

from playground.device import configure_threads
from ui import compare_page, fit_page
from ui.i18n import t

st.set_page_config(page_title="Overfitting Playground", page_icon="📈", layout="wide")
configure_threads()

pages = [
    st.Page(fit_page.page, title=t("Fit"), icon="📈", url_path="fit", default=True),
    st.Page(compare_page.page, title=t("Compare"), icon="⚖️", url_path="compare"),
]
st.navigation(pages).run()
