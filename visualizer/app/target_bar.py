"""TargetBar: the top of the Run panel, what the server hosts: the styles or your app.

Two choices in one combo, the built-in styles and the app last opened, and an
"Open App…" button for another app. Choosing never restarts anything itself: it
asks, and the window (visualizer.app.hosting) switches the server and says so back
through :meth:`show_target`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from visualizer.app import palette
from visualizer.app.server_target import ServerTarget

STYLES_TEXT = "Built-in styles"
NO_APP_TEXT = "Your app…"
_STYLES, _APP = 0, 1


class TargetBar(QWidget):
    """A combo of the two targets and a button to open another app."""

    #: A ServerTarget the user chose from the combo.
    target_chosen = Signal(object)
    #: The user wants to name an app (module:attr, folder, …).
    open_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.current = ServerTarget()
        self.last_app: ServerTarget | None = None
        self.box = QComboBox()
        self.box.addItems([STYLES_TEXT, NO_APP_TEXT])
        self.box.setToolTip(
            "What the server hosts: the built-in styles, or your own FastAPI app. "
            "Changing it restarts the server."
        )
        self.box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.box.setMinimumContentsLength(12)
        self.open_button = QPushButton("Open App…")
        self.open_button.setToolTip("Host your own ASGI app: module:attr and its folder")
        label = QLabel("&Target")
        label.setFont(palette.FONTS.base())
        label.setBuddy(self.box)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.box, 1)
        row.addWidget(self.open_button)
        self.box.activated.connect(self._on_activated)
        self.open_button.clicked.connect(self.open_requested)

    def show_target(self, target: ServerTarget, last_app: ServerTarget | None) -> None:
        """Show what the server hosts now, and the app to go back to."""
        self.current = target
        self.last_app = target if target.is_app else (last_app or self.last_app)
        app = self.last_app.app if self.last_app is not None else None
        # The app's module:attr alone: a narrow dock has no room for more.
        self.box.setItemText(_APP, app.target if app else NO_APP_TEXT)
        self.box.setItemData(
            _APP, f"Your app, from {app.app_dir}" if app else "", Qt.ItemDataRole.ToolTipRole
        )
        self.box.setCurrentIndex(_APP if target.is_app else _STYLES)

    def _on_activated(self, index: int) -> None:
        if (index == _APP) == self.current.is_app:
            return  # chosen again: nothing changes
        if index == _STYLES:
            self.target_chosen.emit(ServerTarget())
        elif self.last_app is not None:
            self.target_chosen.emit(self.last_app)
        else:
            self.box.setCurrentIndex(_STYLES)  # until an app is named
            self.open_requested.emit()
