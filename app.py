"""Overfitting Playground: the Streamlit entry point (multipage via st.navigation).

Each page is a file in views/ (so AppTest can switch to it) that calls one function in ui/.
"""

import streamlit as st

from playground.device import configure_threads
from ui.chrome import app_chrome, present_toggle
from ui.i18n import t

st.set_page_config(page_title="Overfitting Playground", page_icon="📈", layout="wide")
configure_threads()
app_chrome()

pages = [
    st.Page("views/fit.py", title=t("Fit"), icon="📈", url_path="fit", default=True),
    st.Page("views/compare.py", title=t("Compare"), icon="⚖️", url_path="compare"),
]
st.navigation(pages).run()
present_toggle()
