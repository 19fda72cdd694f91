"""AppTargetDialog: File > Open App…, the user's ASGI app as uvicorn takes it.

``module:attribute``, the folder it is imported from (a folder picker), whether the
attribute is a factory, and an optional fixed port (for a passive run the user sends
their own requests to). What is typed is checked as the command line checks it; the
dialog stays open with the reason until it is right.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.error_label import ErrorLabel
from visualizer.app.server_target import PORTS, ServerTarget
from visualizer.model.settings import AppTarget, SettingError


class AppTargetDialog(QDialog):
    """Asks for module:attribute, folder, factory and port; ``target()`` once accepted."""

    def __init__(self, current: ServerTarget | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open your app")
        app = current.app if current is not None else None
        self.spec = QLineEdit(app.target if app else "")
        self.spec.setPlaceholderText("main:app")
        self.spec.setToolTip(
            "Your ASGI app as uvicorn takes it: module:attribute (main:app, shop.api:app)"
        )
        self.folder = QLineEdit(app.app_dir if app else str(Path.cwd()))
        self.folder.setToolTip("The folder your module is imported from (uvicorn's --app-dir)")
        self.choose = QPushButton("Choose…")
        self.choose.setToolTip("Pick the folder of your project")
        self.choose.clicked.connect(self._choose_folder)
        self.factory = QCheckBox("module:attribute is a function that makes the app")
        self.factory.setToolTip("uvicorn's --factory")
        self.factory.setChecked(bool(app and app.factory))
        self.port = QSpinBox()
        self.port.setRange(0, PORTS[1])
        self.port.setSpecialValueText("any free port")
        self.port.setValue(current.port if current is not None else 0)
        self.port.setToolTip(
            "A fixed port of 127.0.0.1, to send your own requests to (a recording); "
            "'any free port' otherwise"
        )
        self.error = ErrorLabel()

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)
        form = QFormLayout()
        form.addRow("&App (module:attr)", self.spec)
        folder_label = QLabel("&Folder")
        folder_label.setBuddy(self.folder)  # a row of a layout has no buddy of its own
        form.addRow(folder_label, folder_row)
        form.addRow("", self.factory)
        form.addRow("&Port", self.port)
        hint = QLabel(
            "Your app runs in this Python environment, in a server process of its own; "
            "its lifespan runs before the first request."
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open App")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def target(self) -> ServerTarget:
        """What the fields say; SettingError names what is wrong."""
        folder = Path(self.folder.text().strip() or ".").expanduser()
        if not folder.is_dir():
            raise SettingError(f"folder {self.folder.text()!r} is not a folder")
        app = AppTarget(self.spec.text().strip(), str(folder.resolve()), self.factory.isChecked())
        return ServerTarget(app, self.port.value())

    def accept(self) -> None:
        try:
            self.target()
        except SettingError as error:
            self.error.show_error(str(error))
            return
        super().accept()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder of your app", self.folder.text())
        if chosen:
            self.folder.setText(chosen)
