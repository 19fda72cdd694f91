"""CompareDialog: which two runs to stack, one after the other, with the same C, N, W and P.

Three questions a comparison answers: two styles (a blocking call in async def against
its fix), one server process against N (uvicorn's --workers), and one interpreter
against another (a free-threaded build against the usual one). The last two run one
style on two servers: the window's server restarts between the runs.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.style_picker import fill_style_box
from visualizer.model.settings import RANGES, RunSettings
from visualizer.runner.interpreters import InterpreterError, check_interpreter, running_python

#: The classic pair: a blocking call in async def, and its fix.
DEFAULT_PAIR = ("async_blocking", "async_offload")
STYLES, PROCESSES, INTERPRETERS = "Two styles", "1 server process against N", "Two interpreters"


class CompareDialog(QDialog):
    """What differs between the two runs; the other settings are the run controls' own."""

    def __init__(self, settings: RunSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare two runs")
        self.settings = settings
        self.what = QComboBox()
        self.what.addItems([STYLES, PROCESSES, INTERPRETERS])
        self.what.setToolTip("What differs between the two runs; everything else is the same")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._styles_page())
        self.pages.addWidget(self._processes_page())
        self.pages.addWidget(self._interpreters_page())
        self.what.currentIndexChanged.connect(self._on_what)
        self.same = QLabel()
        self.same.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d55e00")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run both")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        top = QFormLayout()
        top.addRow("Compare", self.what)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addWidget(self.same)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._on_what(0)

    # -- pages -----------------------------------------------------------------------------

    def _styles_page(self) -> QWidget:
        self.boxes = [QComboBox(), QComboBox()]
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        for box, label, default in zip(
            self.boxes, ("First (top)", "Second (bottom)"), DEFAULT_PAIR, strict=True
        ):
            fill_style_box(box)
            box.setCurrentText(default)
            form.addRow(label, box)
        return page

    def _processes_page(self) -> QWidget:
        self.processes = QSpinBox()
        allowed = RANGES["workers"]
        self.processes.setRange(2, int(allowed.high))
        self.processes.setValue(max(self.settings.workers, 2))
        self.processes.setToolTip("Server processes of the second run, as uvicorn --workers N")
        self.reuse_port = QCheckBox("A socket of its own for each (SO_REUSEPORT)")
        self.reuse_port.setToolTip(
            "uvicorn --workers shares one socket: whichever process accepts first takes a "
            "connection, and may take nearly all. SO_REUSEPORT spreads them by a hash."
        )
        self.reuse_port.setChecked(self.settings.reuse_port)
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("First (top)", QLabel("1 server process"))
        form.addRow("Second (bottom)", self.processes)
        form.addRow("", self.reuse_port)
        return page

    def _interpreters_page(self) -> QWidget:
        self.pythons = [QLineEdit(self.settings.python), QLineEdit()]
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        for edit, label in zip(self.pythons, ("First (top)", "Second (bottom)"), strict=True):
            edit.setPlaceholderText(f"this Python ({running_python()})")
            edit.setToolTip(
                "The Python that runs the server (3.11+, with fastapi, uvicorn, anyio and "
                "httpx installed there); empty: the one running schedviz"
            )
            browse = QPushButton("Browse…")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            form.addRow(label, row)
        return page

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The server's Python", edit.text())
        if path:
            edit.setText(path)

    def _on_what(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.error.hide()
        s = self.settings
        numbers = (
            f"concurrency {s.concurrency}, {s.requests:,} requests, work {s.work_ms:g} ms, "
            f"pool {s.pool}"
        )
        if index == 0:
            self.same.setText(f"Both with {numbers}.")
        else:
            self.same.setText(f"Both {s.style}, with {numbers}.")

    # -- the answer --------------------------------------------------------------------------

    def _accept(self) -> None:
        """Refuse an interpreter that cannot run the server here, saying why, in the dialog."""
        if self.what.currentText() == INTERPRETERS:
            try:
                for edit in self.pythons:
                    if edit.text().strip():
                        check_interpreter(edit.text().strip())
            except InterpreterError as error:
                self.error.setText(str(error))
                self.error.show()
                return
        self.accept()

    def styles(self) -> tuple[str, str]:
        return (self.boxes[0].currentText(), self.boxes[1].currentText())

    def pair(self) -> tuple[RunSettings, RunSettings]:
        """The two runs' settings: the controls' own, but for what differs."""
        s = self.settings
        what = self.what.currentText()
        if what == PROCESSES:
            return replace(s, workers=1, reuse_port=False), replace(
                s, workers=self.processes.value(), reuse_port=self.reuse_port.isChecked()
            )
        if what == INTERPRETERS:
            first, second = (edit.text().strip() for edit in self.pythons)
            return replace(s, python=first), replace(s, python=second)
        top, bottom = self.styles()
        return replace(s, style=top), replace(s, style=bottom)
