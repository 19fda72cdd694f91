"""ServerBanner: says, above the timeline, why the server is not running, and offers a restart.

For the user's app that failed, it keeps what the dialog said once it is closed: the
headline, the end of their traceback, Retry, and the way back to the built-in styles.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from visualizer.app import palette
from visualizer.app.app_failure_dialog import headline
from visualizer.model.timeline import BarKind
from visualizer.runner.session import AppFailure

#: Lines of a log or a traceback the banner shows; the tooltip holds all of it.
TAIL_LINES = 6


class ServerBanner(QFrame):
    """Hidden while the server is fine; otherwise the error and its last log lines."""

    restart_requested = Signal()
    styles_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("serverBanner")
        self.setStyleSheet(
            f"#serverBanner {{ background: {palette.ERROR_BACKGROUND}; "
            f"border: 1px solid {palette.BAR_COLOURS[BarKind.FAILED]}; }}"
            # The banner's ground is light in either theme: so is its text's.
            "#serverBanner QLabel { color: #1A1A1A; }"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setFont(palette.FONTS.base())
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restart = QPushButton("Restart server")
        self.restart.clicked.connect(self.restart_requested)
        self.styles = QPushButton("Built-in styles")
        self.styles.setToolTip("Serve the built-in styles instead of your app")
        self.styles.clicked.connect(self.styles_requested)
        buttons = QVBoxLayout()
        buttons.addWidget(self.restart)
        buttons.addWidget(self.styles)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.addWidget(self.message, 1)
        row.addLayout(buttons)
        self.hide()

    def show_error(self, error: str) -> None:
        headline_text, _, log = error.partition("\n")
        tail = "\n".join(log.splitlines()[-TAIL_LINES:])
        self._show(
            f"{headline_text[:1].upper()}{headline_text[1:]}." + (f"\n{tail}" if tail else ""),
            error,
            app=False,
        )

    def show_app_failure(self, failure: AppFailure, app: str) -> None:
        """The user's app failed: what and where, in their code; Retry after a fix."""
        lines = failure.user_traceback.rstrip().splitlines()
        tail = "\n".join(lines[-TAIL_LINES:])
        # The traceback ends with the error the message repeats: one of the two is enough.
        text = f"{headline(failure, app)}." + (f"\n{tail}" if tail else f"\n{failure.message}")
        self._show(text, f"{failure.message}\n\n{failure.user_traceback}".strip(), app=True)

    def _show(self, text: str, tip: str, app: bool) -> None:
        self.message.setText(text)
        self.message.setToolTip(tip)
        self.restart.setText("Retry" if app else "Restart server")
        self.restart.setToolTip("Start the server again with your code as it is now" if app else "")
        self.styles.setVisible(app)
        self.show()
