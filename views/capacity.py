"""Page entry: Capacity curve."""

from ui.sweep_pages import capacity_page

capacity_page()
