"""Page entry: Double descent."""

from ui.sweep_pages import double_descent_page

double_descent_page()
