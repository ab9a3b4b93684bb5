"""Page entry: Classify."""

from ui.classify_page import page

page()
