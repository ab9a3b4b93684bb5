"""Overfitting Playground: the Streamlit entry point (multipage via st.navigation).

Each page is a file in views/ (so AppTest can switch to it) that calls one function in ui/.
"""

import streamlit as st

from playground.device import configure_threads
from ui import presets
from ui.chrome import app_chrome, present_toggle
from ui.common import freeze_startup_heap
from ui.i18n import t

st.set_page_config(page_title="Overfitting Playground", page_icon="📈", layout="wide")
configure_threads()
freeze_startup_heap()
app_chrome()
presets.from_url()

pages = {
    "fit": st.Page("views/fit.py", title=t("Fit"), icon="📈", url_path="fit", default=True),
    "compare": st.Page("views/compare.py", title=t("Compare"), icon="⚖️", url_path="compare"),
    "lessons": st.Page("views/lessons.py", title=t("Lessons"), icon="🎓", url_path="lessons"),
    "classify": st.Page("views/classify.py", title=t("Classify"), icon="🎯", url_path="classify"),
    "capacity": st.Page("views/capacity.py", title=t("Capacity curve"), icon="📉", url_path="capacity"),
    "bias-variance": st.Page(
        "views/bias_variance.py", title=t("Bias and variance"), icon="🎲", url_path="bias-variance"
    ),
    "learning-curve": st.Page(
        "views/learning_curve.py", title=t("Learning curve"), icon="📚", url_path="learning-curve"
    ),
    "double-descent": st.Page(
        "views/double_descent.py", title=t("Double descent"), icon="〰️", url_path="double-descent"
    ),
}
pg = st.navigation(list(pages.values()))
here = next(k for k, p in pages.items() if p is pg)  # the default page's url_path is ""
goto = st.session_state.pop("_goto", None)  # a lesson was chosen: open its page
if goto and goto != here:
    st.switch_page(pages[goto])
presets.banner(here)
pg.run()
present_toggle()
