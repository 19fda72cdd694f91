"""RequestForm: one request to the user's app, composed from its routes.

A picker lists the app's routes (its own first, FastAPI's documentation routes
last); the chosen route gets a field per path, query and header parameter, filled
with the app's OpenAPI example where it gives one, a headers box (an auth token)
and a JSON body editor filled with the route's body example. ``request()`` turns
what is typed into a PlannedRequest, or a PlanError that says what is wrong.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from visualizer.app import palette
from visualizer.model.request_plan import MAX_WEIGHT, PlanError, PlannedRequest
from visualizer.model.route_requests import (
    BODY_METHODS,
    body_text,
    parameter_fields,
    picker_label,
    picker_order,
    planned_request,
)

#: Rows of the form before the parameters: the route picker.
_FIRST_PARAMETER_ROW = 1
NO_ROUTES = "(no routes yet)"


class RequestForm(QWidget):
    """Route picker, parameter fields, headers, body and weight; Add puts it in the plan."""

    #: The route chosen (a dict of server.route_table), or None when there is none.
    route_changed = Signal(object)
    add_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[dict[str, Any]] = []
        self.route_box = QComboBox()
        self.route_box.setToolTip("The route of your app to send requests to; its code is in Code")
        self.route_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.route_box.setMinimumContentsLength(10)
        self.inputs: dict[tuple[str, str], QLineEdit] = {}
        self.headers = QPlainTextEdit()
        self.headers.setPlaceholderText("Authorization: Bearer …  (one header a line)")
        self.headers.setToolTip("Headers sent with the request, one 'Name: value' a line")
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText('{"item": 1}  (JSON; empty for no body)')
        self.body.setToolTip("The JSON body, sent as application/json; empty for none")
        self.weight = QSpinBox()
        self.weight.setRange(1, MAX_WEIGHT)
        self.weight.setToolTip(
            f"How often this request is sent against the others of the plan (1 to {MAX_WEIGHT:,})"
        )
        self.add_button = QPushButton("&Add to Plan")
        self.add_button.setToolTip("Add this request to the plan (Ctrl+Enter)")
        self.add_button.clicked.connect(self.add_requested)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.add_requested)

        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight)
        weight_row.addStretch(1)
        weight_row.addWidget(self.add_button)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A narrow dock puts a field under its label rather than cutting it off.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # Mnemonics other than the menus' (Alt+R is Run, Alt+H is Help).
        self.form.addRow("R&oute", self.route_box)
        self.form.addRow("H&eaders", self.headers)
        self.form.addRow("&Body", self.body)
        weight_label = QLabel("&Weight")
        weight_label.setBuddy(self.weight)  # a row of a layout has no buddy of its own
        self.form.addRow(weight_label, weight_row)
        self.route_box.currentIndexChanged.connect(self._on_route)
        self.restyle()
        self.set_routes([])

    def restyle(self) -> None:
        code = palette.FONTS.code()
        for editor, lines in ((self.headers, 2), (self.body, 4)):
            editor.setFont(code)
            editor.setFixedHeight(round(editor.fontMetrics().lineSpacing() * (lines + 0.8)) + 8)

    # -- the routes ---------------------------------------------------------------------------

    def set_routes(self, routes: list[dict[str, Any]]) -> None:
        """The app's routes; the route chosen before stays chosen if the app still has it."""
        before = self.route()
        self.routes = list(routes)
        self.route_box.blockSignals(True)
        self.route_box.clear()
        for index in picker_order(self.routes):
            route = self.routes[index]
            self.route_box.addItem(picker_label(route), index)
            self.route_box.setItemData(
                self.route_box.count() - 1, _route_tip(route), Qt.ItemDataRole.ToolTipRole
            )
        if not self.routes:
            self.route_box.addItem(NO_ROUTES, -1)
        self.route_box.blockSignals(False)
        self.route_box.setEnabled(bool(self.routes))
        self.add_button.setEnabled(bool(self.routes))
        if before is None or not self.select_route(str(before["label"])):
            self._on_route()

    def select_route(self, label: str) -> bool:
        """Choose the route named ``label``; False if the app has none of that name."""
        for row in range(self.route_box.count()):
            index = self.route_box.itemData(row)
            if 0 <= index < len(self.routes) and self.routes[index]["label"] == label:
                if row == self.route_box.currentIndex():
                    self._on_route()
                else:
                    self.route_box.setCurrentIndex(row)
                return True
        return False

    def route(self) -> dict[str, Any] | None:
        index = self.route_box.currentData()
        if isinstance(index, int) and 0 <= index < len(self.routes):
            return self.routes[index]
        return None

    # -- the request ----------------------------------------------------------------------

    def request(self) -> PlannedRequest:
        """The request the fields describe; PlanError if they do not make one."""
        route = self.route()
        if route is None:
            raise PlanError("choose a route first: the app has none yet")
        values = {key: box.text() for key, box in self.inputs.items()}
        return planned_request(
            route,
            values,
            self.headers.toPlainText(),
            self.body.toPlainText(),
            self.weight.value(),
        )

    def _on_route(self) -> None:
        route = self.route()
        self._show_parameters(route)
        self.body.setPlainText(body_text(route) if route else "")
        self.weight.setValue(1)  # a weight is the request's, not the form's
        takes_body = route is not None and (
            route.get("method") in BODY_METHODS or route.get("body_example") is not None
        )
        self.form.setRowVisible(self.body, takes_body)
        self.route_changed.emit(route)

    def _show_parameters(self, route: dict[str, Any] | None) -> None:
        for _ in self.inputs:
            self.form.removeRow(_FIRST_PARAMETER_ROW)
        self.inputs = {}
        if route is None:
            return
        for row, field in enumerate(parameter_fields(route), _FIRST_PARAMETER_ROW):
            box = QLineEdit(field.example)
            need = "required" if field.required else "optional"
            box.setPlaceholderText(need)
            box.setToolTip(f"{field.where} parameter {field.name} of {route['label']} ({need})")
            box.setObjectName(f"{field.where}:{field.name}")
            self.form.insertRow(row, f"{field.name} ({field.where})", box)
            self.inputs[(field.where, field.name)] = box


def _route_tip(route: dict[str, Any]) -> str:
    endpoint = route.get("endpoint") or {}
    if not endpoint:
        return str(route["label"])
    return f"{route['label']}: {endpoint.get('kind', '')} {endpoint.get('name', '')}".strip()
