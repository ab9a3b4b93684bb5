"""Overfitting Playground: the Streamlit entry point (multipage via st.navigation).

Each page is a file in views/ (so AppTest can switch to it) that calls one function in ui/.
Icons are Streamlit's Material symbols: they ship with Streamlit and need no emoji font on the client.
"""

import streamlit as st

from playground.device import configure_threads
from ui import presets
from ui.chrome import app_chrome, present_toggle
from ui.common import freeze_startup_heap
from ui.i18n import t
from ui.plot import load_plotly

st.set_page_config(page_title="Overfitting Playground", page_icon=":material/show_chart:", layout="wide")
configure_threads()
freeze_startup_heap()
app_chrome()
presets.from_url()

pages = {
    "fit": st.Page("views/fit.py", title=t("Fit"), icon=":material/show_chart:", url_path="fit-page", default=True),
    "compare": st.Page("views/compare.py", title=t("Compare"), icon=":material/compare_arrows:", url_path="compare"),
    "lessons": st.Page("views/lessons.py", title=t("Lessons"), icon=":material/school:", url_path="lessons"),
    "classify": st.Page("views/classify.py", title=t("Classify"), icon=":material/scatter_plot:", url_path="classify"),
    "capacity": st.Page(
        "views/capacity.py", title=t("Capacity curve"), icon=":material/trending_down:", url_path="capacity"
    ),
    "bias-variance": st.Page(
        "views/bias_variance.py",
        title=t("Bias and variance"),
        icon=":material/stacked_line_chart:",
        url_path="bias-variance",
    ),
    "learning-curve": st.Page(
        "views/learning_curve.py", title=t("Learning curve"), icon=":material/timeline:", url_path="learning-curve"
    ),
    "double-descent": st.Page(
        "views/double_descent.py", title=t("Double descent"), icon=":material/ssid_chart:", url_path="double-descent"
    ),
    "challenge": st.Page(
        "views/challenge.py", title=t("Class challenge"), icon=":material/emoji_events:", url_path="challenge"
    ),
}


def _fit_alias() -> None:
    """/fit (a hand-typed or old link) opens the Fit page, which lives at the root, with the link's settings."""
    st.switch_page(pages["fit"], query_params=st.query_params.to_dict())


alias = st.Page(_fit_alias, title=t("Fit"), url_path="fit", visibility="hidden")
pg = st.navigation([*pages.values(), alias])
here = next((k for k, p in pages.items() if p is pg), "fit")  # the default page's url_path is ""
goto = st.session_state.pop("_goto", None)  # a lesson was chosen: open its page
if goto and goto != here:
    st.switch_page(pages[goto])
presets.banner(here)
pg.run()
present_toggle()
load_plotly()  # last: the first run's charts do not wait for it
