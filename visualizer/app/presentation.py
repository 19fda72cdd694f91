"""Presentation mode and themes: what the app looks like on a projector.

Presentation mode goes full screen, scales every font (``palette.FONTS.scale``, to
the same share of the screen's height on every projector),
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
from visualizer.app.screen_fit import presentation_scale, screen_area
from visualizer.app.style_picker import fill_style_box


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
        # setColor(role) sets every group alike, so a disabled Run button looked as
        # ready as an enabled one: dim the disabled text to halfway into the panel.
        dimmed = _mix(text, panel, 0.6)
        for role in (
            QPalette.ColorRole.WindowText,
            QPalette.ColorRole.Text,
            QPalette.ColorRole.ButtonText,
        ):
            colours.setColor(QPalette.ColorGroup.Disabled, role, dimmed)
    else:
        colours = app.style().standardPalette()
    app.setPalette(colours)


def _mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1.0 - share_of_b
    return QColor(
        round(a.red() * keep + b.red() * share_of_b),
        round(a.green() * keep + b.green() * share_of_b),
        round(a.blue() * keep + b.blue() * share_of_b),
    )


class PresentationMode:
    """Enters and leaves presentation mode for one window; ``toolbar`` is its compact toolbar."""

    def __init__(self, window: QMainWindow, style_box: QComboBox, docks: list[QDockWidget]) -> None:
        self.window = window
        self.docks = docks
        self.active = False
        self._saved_state = QByteArray()
        self._was_maximized = False
        self.style_box = QComboBox()
        fill_style_box(self.style_box)
        self.style_box.setCurrentText(style_box.currentText())
        # Either picker changes both: the compact one is the settings dock's stand-in.
        self.style_box.currentTextChanged.connect(style_box.setCurrentText)
        style_box.currentTextChanged.connect(self.style_box.setCurrentText)
        self.toolbar = QToolBar("Presentation")
        self.toolbar.setObjectName("presentationToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        self.style_action = self.toolbar.addWidget(self.style_box)
        self.toolbar.hide()

    def show_style_box(self, visible: bool) -> None:
        """The style picker, for the built-in styles only (an app has no styles)."""
        self.style_action.setVisible(visible)

    def enter(self) -> None:
        if self.active:
            return
        self.active = True
        self._saved_state = self.window.saveState()
        self._was_maximized = self.window.isMaximized()
        screen = screen_area(self.window)
        palette.FONTS.scale = presentation_scale(screen.height(), palette.PRESENTATION_SCALE)
        for toolbar in self.window.findChildren(QToolBar):
            toolbar.setVisible(toolbar is self.toolbar)
        for dock in self.docks:
            dock.hide()
        self._restyle_toolbar()
        # The window's minimum size is still the docks' until the layout runs, in a later
        # turn of the event loop: run it now, or a screen smaller than the normal window
        # (512x384 at scale 2 on a 1024x768 projector) cannot be taken below.
        if (layout := self.window.layout()) is not None:
            layout.activate()
        # Without a window manager (a bare X server, a kiosk) full screen is only a
        # request: take the screen's size first, so the room sees every lane anyway.
        # (Setting the geometry after showFullScreen would clear the full-screen state.)
        self.window.setGeometry(screen)
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
