"""ServerSetupLine: one line of the Run panel saying how the server runs, when it is not
the usual one process on schedviz's own Python: "Server: 2 worker processes on one
socket, python3.13". A link puts it back to one process.

A line, not a spin box a setting: the panel must fit a 960x540 screen, and how the server
runs is chosen less often than what a run sends (the command line's --workers and
--python, Run > Compare…); a run of another setup restarts the server.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from visualizer.app import palette
from visualizer.model.server_setup import ServerSetup

RESET_LINK = "reset"


class ServerSetupLine(QLabel):
    """The server's setup in words, and a link back to one process on this Python."""

    #: The user asked for the usual setup: one process, schedviz's Python.
    reset = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFont(palette.FONTS.base())
        self.setWordWrap(True)
        self.setToolTip(
            "How the server runs the next run: set with --workers and --python, or by "
            "Run > Compare…; a run of another setup restarts the server"
        )
        self.linkActivated.connect(lambda _: self.reset.emit())
        self.show_setup(ServerSetup())

    def show_setup(self, setup: ServerSetup) -> None:
        self.setText(
            f"Server: {html.escape(setup.describe())} "
            f"(<a href='{RESET_LINK}'>one process, this Python</a>)"
        )
