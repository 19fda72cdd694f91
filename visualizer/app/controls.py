"""RunControls: the settings of the next run, in fields that cannot hold a bad value.

Every number is a spin box limited to the range of ``visualizer.model.settings.RANGES``
and its tooltip names that range, so out-of-range input is impossible rather than
reported after the fact.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.app import palette
from visualizer.app.code_view import StyleCodeView
from visualizer.app.style_picker import fill_style_box
from visualizer.model.settings import RANGES, RunSettings

#: Field label and what the number means, per setting.
_FIELDS: dict[str, tuple[str, str]] = {
    "concurrency": ("Concurrency (C)", "requests in flight at once"),
    "requests": ("Requests (N)", "requests in the run"),
    "work_ms": ("Work per request (W)", "work of one request"),
    "pool": ("Threadpool size (P)", "AnyIO's default is 40"),
    "timeout_s": ("Client timeout", "a request slower than this fails"),
    "fail_every": ("Fail every n-th", "every n-th request raises, a 500; 0 for none"),
    "stack_ms": ("Name lines after", "a loop slice or worker run this long names its line"),
}


def _describe(name: str) -> tuple[str, str]:
    """Label and meaning of a setting; one added to the model later still gets a field."""
    return _FIELDS.get(name, (name.replace("_", " ").capitalize(), name.replace("_", " ")))


class RunControls(QWidget):
    """Style and every numeric setting; Run and Stop buttons bound to the window's actions."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.style_box = QComboBox()
        fill_style_box(self.style_box)
        self.style_box.setToolTip("The endpoint the requests go to; its code is shown below")
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {
            name: _spin_box(name) for name in RANGES
        }
        self.run_button = QPushButton()
        self.stop_button = QPushButton()
        self.code_view = StyleCodeView()
        # The code view loads FastAPI; it waits until the window has shown once.
        self._code_wanted = False

        form = QFormLayout()
        form.addRow(_label("Style"), self.style_box)
        for name, box in self.fields.items():
            form.addRow(_label(_describe(name)[0]), box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.code_view, 1)

        self.style_box.currentTextChanged.connect(self._on_style)
        for box in self.fields.values():
            box.valueChanged.connect(self.changed)

    def settings(self) -> RunSettings:
        """The settings the fields show; always valid, the boxes see to that."""
        values = {name: box.value() for name, box in self.fields.items()}
        return RunSettings(style=self.style_box.currentText(), **values)  # type: ignore[arg-type]

    def set_settings(self, settings: RunSettings) -> None:
        self.style_box.setCurrentText(settings.style)
        for name, box in self.fields.items():
            box.setValue(getattr(settings, name))

    def show_code(self) -> None:
        """Show the chosen style's code, now and whenever the style changes."""
        self._code_wanted = True
        self.code_view.show_style(self.style_box.currentText())

    def set_editable(self, editable: bool) -> None:
        """Fields are read-only while a run uses them."""
        self.style_box.setEnabled(editable)
        for box in self.fields.values():
            box.setReadOnly(not editable)
            box.setButtonSymbols(
                QAbstractSpinBox.ButtonSymbols.UpDownArrows
                if editable
                else QAbstractSpinBox.ButtonSymbols.NoButtons
            )

    def _on_style(self, name: str) -> None:
        if self._code_wanted:
            self.code_view.show_style(name)
        self.changed.emit()


def _spin_box(name: str) -> QSpinBox | QDoubleSpinBox:
    allowed = RANGES[name]
    box: QSpinBox | QDoubleSpinBox
    if allowed.integer:
        box = QSpinBox()
        box.setRange(int(allowed.low), int(allowed.high))
        box.setGroupSeparatorShown(True)
    else:
        box = QDoubleSpinBox()
        box.setDecimals(1)
        box.setRange(allowed.low, allowed.high)
    if allowed.unit:
        box.setSuffix(f" {allowed.unit}")
    box.setAccelerated(True)
    box.setKeyboardTracking(False)
    box.setFont(palette.FONTS.base())
    label, meaning = _describe(name)
    box.setToolTip(f"{label}: {meaning}. Allowed: {allowed.describe()}.")
    box.setObjectName(name)
    return box


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(palette.FONTS.base())
    return label
