"""ServerSetupLine: a few words beside Run saying how the server runs the next run, when
it is not the usual one process on schedviz's own Python: "2 processes · py313 ·
reset". The link puts it back to one process; the tooltip says it whole.

Not a spin box, nor a row of its own: the Run panel must fit a 960x540 screen, and how
the server runs is chosen less often than what a run sends (the command line's
--workers and --python, Run > Compare…); a run of another setup restarts the server.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSizePolicy

from visualizer.app import palette
from visualizer.model.server_setup import ServerSetup

RESET_LINK = "reset"
#: Interpreter file names that say nothing by themselves: their environment's name does.
_PLAIN_NAMES = ("python", "python3")


class ServerSetupLine(QLabel):
    """The server's setup in a few words, and a link back to one process on this Python."""

    #: The user asked for the usual setup: one process, schedviz's Python.
    reset = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFont(palette.FONTS.base())
        # Never wider than the room beside the buttons: the tooltip has the whole of it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.linkActivated.connect(lambda _: self.reset.emit())
        self.show_setup(ServerSetup())

    def show_setup(self, setup: ServerSetup) -> None:
        words = []
        if setup.workers > 1:
            words.append(f"{setup.workers} processes")
        if setup.python:
            words.append(short_python(setup.python))
        words.append(f"<a href='{RESET_LINK}'>reset</a>")
        self.setText(" · ".join(html.escape(w) if "<a " not in w else w for w in words))
        self.setToolTip(
            f"The server runs the next run as: {setup.describe()}. Set with --workers and "
            "--python, or by Run > Compare…; a run of another setup restarts the server. "
            "Reset: one process, on the Python that runs schedviz."
        )


def short_python(python: str) -> str:
    """``python3.13``; for a venv's plain ``python``, the venv's name (``venv-3.13``)."""
    path = Path(python)
    if path.name in _PLAIN_NAMES and len(path.parts) >= 3:
        return path.parent.parent.name
    return path.name
