"""Page entry: Class challenge."""

from ui.challenge_page import page

page()
