"""How the window fits the screen it is on: a 1024 x 768 projector as well as a 4K monitor.

The window opens at the default size or at the screen's available area, whichever is
smaller (``QT_SCALE_FACTOR=2`` on a 1080p screen leaves 960 x 540 of it), and when it
is narrow the summary folds onto the run settings as a second tab, so the timeline
keeps most of the width.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

#: The size of the window on a screen with room for it.
DEFAULT_SIZE = (1600, 900)
#: Narrower than this, two dock columns would leave the timeline too little room.
FOLD_BELOW_PX = 1400
#: The screen height that presentation mode's font scale (palette.PRESENTATION_SCALE) is for.
PRESENTATION_HEIGHT_PX = 1080


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen that windows may use (no panels, no task bar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def screen_area(window: QMainWindow) -> QRect:
    """The whole of the window's screen: what presentation mode fills."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.geometry()


def presentation_scale(screen_height: int, full_scale: float) -> float:
    """The font scale that makes text the same share of the screen's height on any projector.

    The back row reads a letter by its share of the projected picture, not by its
    pixels: a scale of 1.8 on 1080 lines is 1.2 on 720, where 1.8 left room for a few lanes.
    Never below the window's own 1.0: a 1080p screen at scale 2 has 540 lines, where a
    comparison's fifteen lanes need every pixel.
    """
    share = min(screen_height / PRESENTATION_HEIGHT_PX, 1.0)
    return max(1.0, full_scale * share)


def opening_size(available: QSize) -> QSize:
    """The default size, shrunk to ``available`` where the screen is smaller."""
    return QSize(DEFAULT_SIZE[0], DEFAULT_SIZE[1]).boundedTo(available)


class DockFolding:
    """Puts the right dock under the left one as a tab in narrow windows, and back when wide."""

    def __init__(self, window: QMainWindow, left: QDockWidget, right: QDockWidget) -> None:
        self.window = window
        self.left = left
        self.right = right

    @property
    def folded(self) -> bool:
        """Whether the right dock is a tab of the left one now.

        Read from the layout, never remembered: ``restoreState`` of a layout saved on a
        wide screen puts the docks apart again behind our back, and a remembered "folded"
        then kept them apart on a 1024 px projector, where the window grew to 1139 px.
        """
        return self.right in self.window.tabifiedDockWidgets(self.left)

    def fit(self, width: int) -> None:
        """Fold or unfold for a window ``width`` pixels wide."""
        if self.left.isFloating() or self.right.isFloating():
            return  # the user arranged them by hand: theirs to keep
        if self.left.isHidden() or self.right.isHidden():
            return  # a hidden dock is never listed as a tab: it would be folded on every resize
        fold = width < FOLD_BELOW_PX
        if fold == self.folded:
            return
        if fold:
            self.window.tabifyDockWidget(self.left, self.right)
            self.left.raise_()  # the settings first: a run starts there
        else:
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.right)
