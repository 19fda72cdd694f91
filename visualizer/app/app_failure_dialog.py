"""AppFailureDialog: the user's app could not be served; their error, their traceback.

The message is theirs (a module not found, an attribute missing, not an ASGI app,
their code raising on import, a failing lifespan, a port in use), the traceback in
the details is their code's own (ours is left out by the server). Retry imports
their code again, in a new server: the user may have fixed it meanwhile.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QTextEdit, QWidget

from visualizer.app import palette
from visualizer.runner.session import AppFailure

#: What went wrong, per stage of server.protocol.FailedFrame, before its message.
HEADLINES = {
    "spec": "{app} is not an app schedviz can look for",
    "app dir": "The folder of {app} is not there",
    "module": "The module of {app} cannot be found",
    "attribute": "{app} names nothing in its module",
    "import": "Your code raised an error while {app} was imported",
    "factory": "The factory {app} failed",
    "not asgi": "{app} is not an ASGI app",
    "lifespan": "The lifespan of {app} failed at startup",
    "port": "The port asked for {app} cannot be used",
}
WHAT_NOW = (
    "Fix it and press Retry: the server imports your code again. "
    "Change App… names another app, folder or port."
)


def headline(failure: AppFailure, app: str) -> str:
    return HEADLINES.get(failure.stage, "{app} could not be served").format(app=app)


def _detail(failure: AppFailure) -> str:
    """The failure's message without what the headline already says, as a sentence."""
    message = failure.message.removeprefix("the app's lifespan failed at startup: ")
    return message[:1].upper() + message[1:]


class AppFailureDialog(QMessageBox):
    """Retry, Change App…, Built-in Styles or Close; ``choice`` says which was pressed."""

    RETRY, CHANGE, STYLES, CLOSE = "retry", "change", "styles", "close"

    def __init__(self, failure: AppFailure, app: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Your app could not be served")
        self.setText(headline(failure, app))
        self.setInformativeText(f"{_detail(failure)}\n\n{WHAT_NOW}")
        if failure.user_traceback:
            self.setDetailedText(failure.user_traceback)
            for details in self.findChildren(QTextEdit):
                # A traceback is read by its indentation: code's font, and room for it.
                details.setFont(palette.FONTS.code())
                details.setMinimumWidth(560)
        self.choices: dict[str, QPushButton] = {
            self.RETRY: self.addButton("&Retry", QMessageBox.ButtonRole.AcceptRole),
            self.CHANGE: self.addButton("&Change App…", QMessageBox.ButtonRole.ActionRole),
            self.STYLES: self.addButton("Built-in &Styles", QMessageBox.ButtonRole.ActionRole),
            self.CLOSE: self.addButton(QMessageBox.StandardButton.Close),
        }
        self.choices[self.RETRY].setToolTip("Start the server again with your code as it is now")
        self.choices[self.STYLES].setToolTip("Go back to the built-in styles")
        self.setDefaultButton(self.choices[self.RETRY])
        self.setEscapeButton(self.choices[self.CLOSE])

    @property
    def choice(self) -> str:
        clicked = self.clickedButton()
        return next((name for name, b in self.choices.items() if b is clicked), self.CLOSE)
