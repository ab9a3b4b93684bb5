"""Page entry: Learning curve."""

from ui.sweep_pages import learning_page

learning_page()
