"""Page entry: Compare."""

from ui.compare_page import page

page()
