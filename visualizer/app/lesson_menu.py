"""LessonMenu: the shipped lessons, a lesson file of one's own, and how to give them.

A lesson file that cannot be given is refused in a message box that names its line
and key (a LessonError's text), never with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from visualizer.app.actions import make_action
from visualizer.app.lesson_player import LessonPlayer
from visualizer.model.lesson import Lesson, LessonError
from visualizer.model.lesson_library import shipped_lessons

if TYPE_CHECKING:
    from visualizer.app.main_window import MainWindow

LESSON_FILTER = "schedviz lessons (*.toml);;All files (*)"


class LessonMenu:
    """Builds the menu and starts the lessons chosen in it."""

    def __init__(self, window: MainWindow, player: LessonPlayer) -> None:
        self.window = window
        self.player = player
        self.open_action = make_action(window, "&Open Lesson File…", self.open_file)
        self.recorded_action = make_action(
            window,
            "Use &Recorded Runs",
            self._use_recordings,
            None,
            "Play each step's recorded run instead of running it live",
        )
        self.recorded_action.setCheckable(True)
        self.end_action = make_action(window, "&End Lesson", player.end)
        self.lesson_actions: list[QAction] = []

    def build(self, menu: QMenu) -> None:
        for path in shipped_lessons():
            try:
                lesson = Lesson.read(path)
            except LessonError as error:  # a broken copy: say so where it would be chosen
                action = menu.addAction(f"{path.stem} (cannot be given)")
                action.setToolTip(str(error))
                action.setEnabled(False)
                continue
            action = make_action(self.window, lesson.title, self._starter(path), None, lesson.about)
            menu.addAction(action)
            self.lesson_actions.append(action)
        menu.addSeparator()
        menu.addActions([self.open_action, self.recorded_action, self.end_action])
        menu.setToolTipsVisible(True)
        self.update_actions()

    def update_actions(self) -> None:
        self.end_action.setEnabled(self.player.active)

    def open_file(self, path: str | Path | None = None) -> Lesson | None:
        """Lessons > Open Lesson File…; the lesson started, or None if it could not be."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "", LESSON_FILTER)
            if not chosen:
                return None
            path = chosen
        return self.start(Path(path))

    def start(self, path: Path) -> Lesson | None:
        try:
            lesson = Lesson.read(path)
        except LessonError as error:
            QMessageBox.warning(self.window, "Cannot give this lesson", str(error))
            return None
        self.player.start(lesson)
        return lesson

    def _starter(self, path: Path) -> Callable[[], object]:
        return lambda: self.start(path)

    def _use_recordings(self, on: bool) -> None:
        self.player.use_recordings = on
