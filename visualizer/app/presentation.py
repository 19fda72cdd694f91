"""Presentation mode and themes: what the app looks like on a projector.

Presentation mode goes full screen, scales every font (``palette.FONTS.scale``),
hides the settings dock and shows one compact toolbar: the style, Run, Stop,
Compare, Replay. Leaving it puts every dock and the window back as they were.
The dark theme is a choice of the user, remembered; the light one is the default
because projectors wash dark pictures out.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QDockWidget, QMainWindow, QToolBar

from visualizer.app import palette


def use_theme(dark: bool) -> None:
    """Switch the palette module and the application's widgets to the light or dark theme."""
    theme = palette.DARK if dark else palette.LIGHT
    palette.apply_theme(theme)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    colours = QPalette()
    if dark:
        base, text = QColor(theme.background), QColor(theme.text)
        panel = QColor(theme.resource_band)
        for role, colour in (
            (QPalette.ColorRole.Window, panel),
            (QPalette.ColorRole.Base, base),
            (QPalette.ColorRole.AlternateBase, panel),
            (QPalette.ColorRole.Button, panel),
            (QPalette.ColorRole.WindowText, text),
            (QPalette.ColorRole.Text, text),
            (QPalette.ColorRole.ButtonText, text),
            (QPalette.ColorRole.ToolTipBase, base),
            (QPalette.ColorRole.ToolTipText, text),
            (QPalette.ColorRole.Highlight, QColor("#0072B2")),
        ):
            colours.setColor(role, colour)
    else:
        colours = app.style().standardPalette()
    app.setPalette(colours)


class PresentationMode:
    """Enters and leaves presentation mode for one window; ``toolbar`` is its compact toolbar."""

    def __init__(self, window: QMainWindow, style_box: QComboBox, docks: list[QDockWidget]) -> None:
        self.window = window
        self.docks = docks
        self.active = False
        self._saved_state = QByteArray()
        self._was_maximized = False
        self.style_box = QComboBox()
        self.style_box.addItems([style_box.itemText(i) for i in range(style_box.count())])
        self.style_box.setCurrentText(style_box.currentText())
        # Either picker changes both: the compact one is the settings dock's stand-in.
        self.style_box.currentTextChanged.connect(style_box.setCurrentText)
        style_box.currentTextChanged.connect(self.style_box.setCurrentText)
        self.toolbar = QToolBar("Presentation")
        self.toolbar.setObjectName("presentationToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.toolbar.addWidget(self.style_box)
        self.toolbar.hide()

    def enter(self) -> None:
        if self.active:
            return
        self.active = True
        self._saved_state = self.window.saveState()
        self._was_maximized = self.window.isMaximized()
        palette.FONTS.scale = palette.PRESENTATION_SCALE
        for toolbar in self.window.findChildren(QToolBar):
            toolbar.setVisible(toolbar is self.toolbar)
        for dock in self.docks:
            dock.hide()
        self._restyle_toolbar()
        # Without a window manager (a bare X server, a kiosk) full screen is only a
        # request: take the screen's size first, so the room sees every lane anyway.
        # (Setting the geometry after showFullScreen would clear the full-screen state.)
        if (screen := self.window.screen()) is not None:
            self.window.setGeometry(screen.geometry())
        self.window.showFullScreen()

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        palette.FONTS.scale = 1.0
        self.toolbar.hide()
        self.window.restoreState(self._saved_state)
        self._restyle_toolbar()
        if self._was_maximized:
            self.window.showMaximized()
        else:
            self.window.showNormal()

    def _restyle_toolbar(self) -> None:
        font = palette.FONTS.base()
        self.toolbar.setFont(font)
        self.style_box.setFont(font)
