"""CompareDialog: which two styles to run one after the other, with the same C, N, W and P."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from visualizer.app.style_picker import fill_style_box
from visualizer.model.settings import RunSettings

#: The classic pair: a blocking call in async def, and its fix.
DEFAULT_PAIR = ("async_blocking", "async_offload")


class CompareDialog(QDialog):
    """Two style pickers; the other settings are the run controls' own."""

    def __init__(self, settings: RunSettings, parent: QDialog | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare two styles")
        self.boxes = [QComboBox(), QComboBox()]
        form = QFormLayout()
        for box, label, default in zip(
            self.boxes, ("First (top)", "Second (bottom)"), DEFAULT_PAIR, strict=True
        ):
            fill_style_box(box)
            box.setCurrentText(default)
            form.addRow(label, box)
        same = QLabel(
            f"Both with concurrency {settings.concurrency}, {settings.requests:,} requests, "
            f"work {settings.work_ms:g} ms, pool {settings.pool}."
        )
        same.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Run both")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(same)
        layout.addWidget(buttons)

    def styles(self) -> tuple[str, str]:
        return (self.boxes[0].currentText(), self.boxes[1].currentText())
