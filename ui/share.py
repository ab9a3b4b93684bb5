"""Show the code and export: the current view as a PyTorch script, API lines, CSV, weights, HTML."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from playground.data import Dataset
from playground.figures import Figure, to_html
from playground.io import (
    MAX_UPLOAD_MB,
    UploadError,
    UploadInfo,
    data_csv,
    read_points_csv,
    state_dict_bytes,
    table_csv,
)
from playground.train import FitResult

from .code_zh import localize
from .i18n import lang, t


def code_expander(script: str, snippet: str, key: str, lightning: str | None = None) -> None:
    """The current settings as a standalone PyTorch script, as three lines of the package's API and (given) as a
    PyTorch Lightning script: a LightningModule and a Trainer run the same loop."""
    if lang() == "zh":  # the comments and docstrings in Chinese; the code is the same
        script = localize(script)
        lightning = localize(lightning) if lightning else lightning
    with st.expander(t("Show the code")):
        st.caption(
            t("The same numbers as this page, from a standalone PyTorch script with the training loop written out.")
        )
        names = [t("PyTorch script"), t("Package API")] + ([t("PyTorch Lightning")] if lightning else [])
        tab1, tab2, *tab3 = st.tabs(names)
        if lightning:
            with tab3[0]:
                st.caption(
                    t(
                        "The same loop, run by PyTorch Lightning's Trainer (pip install lightning): the same "
                        "initial weights, batches and dropout masks, so the same numbers as the plain script."
                    )
                )
                _code(lightning, t("Download the script"), "overfitting_playground_lightning.py", f"dl_lightning_{key}")
        with tab1:
            _code(script, t("Download the script"), "overfitting_playground.py", f"dl_script_{key}")
        with tab2:
            _code(snippet, t("Download the lines"), "overfitting_api.py", f"dl_api_{key}")


def _code(text: str, label: str, file_name: str, key: str) -> None:
    """Python source with its copy button (st.code has one) and a download button."""
    st.code(text, language="python")
    st.download_button(label, text, file_name=file_name, mime="text/x-python", key=key)


@dataclass(frozen=True)
class Upload:
    """A user's points that passed every check."""

    data: Dataset
    info: UploadInfo
    digest: str


@st.cache_data(max_entries=16, show_spinner=False)
def _read(raw: bytes, task: str) -> tuple[Dataset, UploadInfo]:
    return read_points_csv(raw, task)  # errors are raised, not cached


def upload_section(task: str) -> Upload | None:
    """An uploader for the user's own CSV; a bad file becomes a clear message, never a traceback."""
    cols = "x,y" if task == "regression" else "x1,x2,label"
    with st.sidebar.expander(t("Your own data (CSV)")):
        f = st.file_uploader(
            t("Upload a CSV"),
            type=["csv", "txt"],
            key=f"upload_{task}",
            max_upload_size=MAX_UPLOAD_MB,  # the uploader states the limit and refuses a larger file itself
            help=t(
                "A header row with columns {cols}, then one point per row; an optional split column says train or val. At most {mb} MB.",
                cols=cols,
                mb=MAX_UPLOAD_MB,
            ),
        )
        if f is None:
            return None
        raw = f.getvalue()
        try:
            data, info = _read(raw, task)
        except UploadError as e:
            st.error(t(e.template, **e.params))
            return None
        st.success(t("Using your {n} points; the link cannot carry them.", n=info.rows))
        for note in info.notes:
            st.info(t(note.template, **note.params))
    return Upload(data, info, hashlib.sha256(raw).hexdigest())


def export_expander(
    data: Dataset, res: FitResult, figs: dict[str, Figure], history: Callable[[], str] | None, key: str
) -> None:
    """Download the data, the loss history, the trained weights and the figures.

    Every file is made when its button is pressed (a callable), not on every rerun of a shared server.
    """
    with st.expander(t("Export")):
        c = st.columns(4)
        c[0].download_button(t("Data (CSV)"), lambda: data_csv(data), "data.csv", "text/csv", key=f"dl_data_{key}")
        if history is not None:
            c[1].download_button(t("Loss history (CSV)"), history, "history.csv", "text/csv", key=f"dl_hist_{key}")
        c[2].download_button(
            t("Trained weights (state_dict)"),
            lambda: state_dict_bytes(res.model),
            "model.pt",
            "application/octet-stream",
            key=f"dl_pt_{key}",
            help=t("Load with torch.load(path, weights_only=True) into a network of the same shape."),
        )
        for i, (name, fig) in enumerate(figs.items()):
            c[3].download_button(
                t("Figure: {name} (HTML)", name=name),
                lambda fig=fig: to_html(fig),
                f"{name}.html",
                "text/html",
                key=f"dl_fig_{key}_{i}",
            )


def table_export(columns: dict[str, object], name: str) -> None:
    """Download the numbers behind a sweep's chart as CSV."""
    with st.expander(t("Export")):
        csv = lambda: table_csv(columns)  # noqa: E731  made when pressed
        st.download_button(t("Sweep results (CSV)"), csv, f"{name}.csv", "text/csv", key=f"dl_{name}")
