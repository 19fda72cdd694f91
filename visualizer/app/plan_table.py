"""PlanTable: the requests of the plan, one a row, with a weight each can be given."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from visualizer.model.request_plan import (
    MAX_REQUESTS_IN_PLAN,
    MAX_WEIGHT,
    PlanError,
    PlannedRequest,
)

_REQUEST, _WEIGHT = 0, 1


class PlanTable(QTableWidget):
    """Request and weight columns; the weight is a spin box that cannot leave its range."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__(0, 2)
        self.setHorizontalHeaderLabels(["Request", "Weight"])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(_REQUEST, QHeaderView.ResizeMode.Stretch)
        # Wide enough for the spin box in it, arrows and all: sized to its header's
        # word, the arrows were cut off and the weight looked like a broken field.
        header.setSectionResizeMode(_WEIGHT, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(_WEIGHT, max(header.sectionSizeHint(_WEIGHT), _weight_width()))
        self.setToolTip("The requests a run sends, mixed by weight; none: record what arrives")
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)

    def sizeHint(self) -> QSize:
        """Room for a few rows: the panel around it scrolls to its preferred height (a
        word-wrapped label makes it ask for that), and Qt's 192 px hid the buttons below
        on a 768 px screen. The table still grows into what is free."""
        hint = super().sizeHint()
        rows = 3 * self.verticalHeader().defaultSectionSize()
        return QSize(hint.width(), self.horizontalHeader().sizeHint().height() + rows + 4)

    def requests(self) -> list[PlannedRequest]:
        """Each row's request with the weight its spin box shows."""
        planned = []
        for row in range(self.rowCount()):
            item = self.item(row, _REQUEST)
            assert item is not None  # every row gets its item in _append
            request = item.data(Qt.ItemDataRole.UserRole)
            planned.append(replace(request, weight=self._weight_box(row).value()))
        return planned

    def set_requests(self, requests: list[PlannedRequest]) -> None:
        self.setRowCount(0)
        for request in requests:
            self._append(request)
        self.changed.emit()

    def add(self, request: PlannedRequest) -> None:
        """Add a row; PlanError if the plan is full."""
        if self.rowCount() >= MAX_REQUESTS_IN_PLAN:
            raise PlanError(
                f"a plan holds at most {MAX_REQUESTS_IN_PLAN} requests: weights give the mix"
            )
        self._append(request)
        self.selectRow(self.rowCount() - 1)
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.selectedIndexes()}, reverse=True)
        for row in rows:
            self.removeRow(row)
        if rows:
            self.changed.emit()

    def _append(self, request: PlannedRequest) -> None:
        row = self.rowCount()
        self.insertRow(row)
        item = QTableWidgetItem(request.label)
        item.setData(Qt.ItemDataRole.UserRole, request)
        item.setToolTip(_describe(request))
        self.setItem(row, _REQUEST, item)
        weight = _weight_box()
        weight.setValue(request.weight)
        weight.setToolTip(f"How often {request.label} is sent against the others")
        weight.valueChanged.connect(self.changed)
        self.setCellWidget(row, _WEIGHT, weight)

    def _weight_box(self, row: int) -> QSpinBox:
        box = self.cellWidget(row, _WEIGHT)
        assert isinstance(box, QSpinBox)
        return box


def _weight_box() -> QSpinBox:
    weight = QSpinBox()
    weight.setRange(1, MAX_WEIGHT)
    weight.setFrame(False)
    return weight


def _weight_width() -> int:
    """What a weight's spin box needs, at the largest weight, in this style and font."""
    box = _weight_box()
    box.setValue(MAX_WEIGHT)
    return box.sizeHint().width() + 4


def _describe(request: PlannedRequest) -> str:
    """The whole request for a tooltip: the row shows only its first line."""
    lines = [f"<b>{html.escape(request.label)}</b>"]
    lines += [f"{html.escape(name)}: {html.escape(value)}" for name, value in request.headers]
    if request.body is not None:
        body = request.body if len(request.body) <= 400 else request.body[:400] + "…"
        lines.append(f"<pre>{html.escape(body)}</pre>")
    return "<br>".join(lines)
