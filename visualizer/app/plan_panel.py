"""PlanPanel: the load plan of a run of the user's app, made in the window.

The request form composes one request from a route; Add checks it (its JSON body,
its headers, and that a route of the app takes it, as Starlette's router would) and
puts it in the plan's table. The plan is saved and opened as the small TOML file
``schedviz run --plan`` reads. A refusal is said in the panel, in the words of the
PlanError, never as a traceback. An empty plan is a recording: the run takes
whatever arrives.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.error_label import ErrorLabel
from visualizer.app.plan_table import PlanTable
from visualizer.app.request_form import RequestForm
from visualizer.model.request_plan import PlanError, RequestPlan
from visualizer.model.route_match import check_plan, route_of

PLAN_FILTER = "schedviz plans (*.toml);;All files (*)"
EMPTY_PLAN = "Plan: empty, so Record takes whatever arrives (curl, a browser, your tests)"


class PlanPanel(QWidget):
    """The request form, the plan's table, Remove / Open / Save, and what went wrong."""

    #: The plan changed (a request added, removed, reweighted, opened).
    changed = Signal()
    #: The route the form shows (a dict of server.route_table), or None.
    route_changed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[dict[str, Any]] = []
        self.subject = "your app"
        self.path: Path | None = None
        self.form = RequestForm()
        self.table = PlanTable()
        self.error = ErrorLabel()
        self.heading = QLabel(EMPTY_PLAN)
        self.heading.setWordWrap(True)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setToolTip("Remove the selected requests from the plan (Delete)")
        # Delete removes rows only while the table has focus: elsewhere it edits text.
        remove_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.table.remove_selected)
        self.open_button = QPushButton("Open Plan…")
        self.open_button.setToolTip("Open a plan saved as TOML (schedviz run --plan reads it too)")
        self.save_button = QPushButton("Save Plan…")
        self.save_button.setToolTip("Save the plan as TOML, for schedviz run --plan")

        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.form.add_requested.connect(self.add)
        self.form.route_changed.connect(self.route_changed)
        self.table.changed.connect(self._on_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.remove_button.clicked.connect(self.table.remove_selected)
        self.open_button.clicked.connect(lambda: self.open_plan())
        self.save_button.clicked.connect(lambda: self.save_plan())
        self._update_buttons()

    # -- the app and the plan ---------------------------------------------------------------

    def set_routes(self, routes: list[dict[str, Any]], subject: str) -> None:
        """The routes of the app the server hosts now; the plan is checked against them."""
        self.routes = list(routes)
        self.subject = subject
        self.form.set_routes(self.routes)
        requests = self.table.requests()
        if requests and self.routes:
            # The form shows the plan's first route: what a run would send first.
            with contextlib.suppress(PlanError):  # said by check() below
                self.form.select_route(route_of(requests[0], self.routes, subject))
        self.check()

    def plan(self) -> RequestPlan | None:
        """The plan the table holds; None when it is empty (a recording)."""
        requests = self.table.requests()
        return RequestPlan(tuple(requests)) if requests else None

    def set_plan(self, plan: RequestPlan | None) -> None:
        self.table.set_requests(list(plan.requests) if plan is not None else [])
        self.check()

    def check(self) -> bool:
        """Say in the panel which planned request no route of the app takes, if one."""
        if not self.routes:
            self.error.clear_error()
            return True
        try:
            check_plan(self.table.requests(), self.routes, self.subject)
        except PlanError as error:
            self.error.show_error(str(error))
            return False
        self.error.clear_error()
        return True

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def add(self) -> None:
        """The form's request into the plan, if a route of the app takes it."""
        try:
            request = self.form.request()
            if self.routes:
                route_of(request, self.routes, self.subject)
            self.error.clear_error()  # before the table's change checks the whole plan
            self.table.add(request)
        except PlanError as error:
            self.error.show_error(str(error))

    def set_editable(self, editable: bool) -> None:
        """The plan is read-only while a run sends it."""
        for widget in (self.form, self.table, self.open_button):
            widget.setEnabled(editable)
        self._update_buttons()

    # -- files ------------------------------------------------------------------------------

    def open_plan(self, path: str | Path | None = None) -> RequestPlan | None:
        if path is None:
            start = str(self.path.parent) if self.path else ""
            chosen, _ = QFileDialog.getOpenFileName(self, "Open plan", start, PLAN_FILTER)
            if not chosen:
                return None
            path = chosen
        try:
            plan = RequestPlan.read(path)
        except PlanError as error:
            self.error.show_error(str(error))
            return None
        self.path = Path(path)
        self.set_plan(plan)
        return plan

    def save_plan(self, path: str | Path | None = None) -> Path | None:
        plan = self.plan()
        if plan is None:
            self.error.show_error("the plan is empty: add a request before saving it")
            return None
        if path is None:
            default = str(self.path) if self.path else "plan.toml"
            chosen, _ = QFileDialog.getSaveFileName(self, "Save plan", default, PLAN_FILTER)
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        try:
            target.write_text(plan.to_toml(), encoding="utf-8")
        except OSError as error:
            self.error.show_error(f"plan {str(target)!r} cannot be written: {error.strerror}")
            return None
        self.path = target
        self.error.clear_error()
        return target

    def _on_changed(self) -> None:
        count = self.table.rowCount()
        self.heading.setText(
            EMPTY_PLAN
            if count == 0
            # Rows, not requests: N says how many are sent, mixed by these weights.
            else f"Plan: {count} kind{'s' if count != 1 else ''} of request; a run sends N "
            "of them, mixed by weight"
        )
        self._update_buttons()
        self.check()
        self.changed.emit()

    def _update_buttons(self) -> None:
        editable = self.table.isEnabled()
        self.remove_button.setEnabled(editable and bool(self.table.selectedIndexes()))
        self.save_button.setEnabled(self.table.rowCount() > 0)
