"""Page entry: Bias and variance."""

from ui.sweep_pages import bias_variance_page

bias_variance_page()
