"""ServerBanner: says, above the timeline, why the server is not running, and offers a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from visualizer.app import palette
from visualizer.model.timeline import BarKind


class ServerBanner(QFrame):
    """Hidden while the server is fine; otherwise the error and its last log lines."""

    restart_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("serverBanner")
        self.setStyleSheet(
            f"#serverBanner {{ background: {palette.ERROR_BACKGROUND}; "
            f"border: 1px solid {palette.BAR_COLOURS[BarKind.FAILED]}; }}"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setFont(palette.FONTS.base())
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restart = QPushButton("Restart server")
        self.restart.clicked.connect(self.restart_requested)
        row = QHBoxLayout(self)
        row.addWidget(self.message, 1)
        row.addWidget(self.restart, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_error(self, error: str) -> None:
        headline, _, log = error.partition("\n")
        tail = "\n".join(log.splitlines()[-6:])
        self.message.setText(
            f"{headline[:1].upper()}{headline[1:]}." + (f"\n{tail}" if tail else "")
        )
        self.message.setToolTip(error)
        self.show()
