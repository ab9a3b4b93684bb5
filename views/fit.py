"""Page entry: Fit."""

from ui.fit_page import page

page()
