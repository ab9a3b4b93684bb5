"""Page entry: Lessons."""

from ui.common import guarded
from ui.presets import lessons_page

guarded(lessons_page)()
