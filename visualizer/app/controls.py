"""RunControls: the settings of the next run, in fields that cannot hold a bad value.

Every number is a spin box limited to the range of ``visualizer.model.settings.RANGES``
and its tooltip names that range, so out-of-range input is impossible rather than
reported after the fact.

At the top, what the server hosts (TargetBar): the built-in styles, with a style to
choose and the code below; or the user's app, with its load plan (PlanPanel) and the
code of the route chosen, as tabs. The numbers that only the styles have (work per
request, fail every n-th) are hidden for an app; those a recording does not use
(concurrency, requests, client timeout) are disabled while the plan is empty.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from visualizer.app import palette
from visualizer.app.code_view import StyleCodeView
from visualizer.app.plan_panel import PlanPanel
from visualizer.app.server_setup_line import ServerSetupLine
from visualizer.app.server_target import ServerTarget
from visualizer.app.style_picker import fill_style_box
from visualizer.app.target_bar import TargetBar
from visualizer.model.held_source import HeldSource
from visualizer.model.server_setup import SETUP_FIELDS, ServerSetup
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
#: The numbers only the built-in styles have: hidden while the server hosts an app.
STYLE_ONLY = ("work_ms", "fail_every")
#: The numbers of the client: a recording sends nothing, so they do not apply.
CLIENT_ONLY = ("concurrency", "requests", "timeout_s")
ROUTES_LATER = "Your app's routes and their code appear here once it has started."
PASSIVE_TIP = "A recording sends nothing: it takes whatever arrives. Add a request to the plan."


def _describe(name: str) -> tuple[str, str]:
    """Label and meaning of a setting; one added to the model later still gets a field."""
    return _FIELDS.get(name, (name.replace("_", " ").capitalize(), name.replace("_", " ")))


class RunControls(QWidget):
    """Target, style or plan, every numeric setting; Run and Stop bound to the window's actions."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.target = ServerTarget()
        self.target_bar = TargetBar()
        self.style_box = QComboBox()
        fill_style_box(self.style_box)
        self.style_box.setToolTip("The endpoint the requests go to; its code is shown below")
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {
            # How the server runs is no spin box: a line under the target says it while it
            # is not the usual one process (ServerSetupLine). It comes from the command line
            # or a comparison; a run of another setup restarts the server (hosting).
            name: _spin_box(name)
            for name in RANGES
            if name not in SETUP_FIELDS
        }
        self.server_setup = ServerSetup()
        self.setup_line = ServerSetupLine()
        self.run_button = QPushButton()
        self.stop_button = QPushButton()
        self.code_view = StyleCodeView()
        self.plan_panel = PlanPanel()
        # The plan scrolls on its own when a route has many parameters (a 768 px screen).
        self.plan_scroll = QScrollArea()
        self.plan_scroll.setWidget(self.plan_panel)
        self.plan_scroll.setWidgetResizable(True)
        self.plan_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # The styles have only the code: no tab bar for one tab.
        self.tabs.setTabBarAutoHide(True)
        self.tabs.addTab(self.code_view, "&Code")
        # The code view loads FastAPI; it waits until the window has shown once.
        self._code_wanted = False

        self.form = QFormLayout()
        # The whole width: an app's module:attr is longer than any style's name.
        self.form.addRow(self.target_bar)
        self.form.addRow(_label("Style"), self.style_box)
        for name, box in self.fields.items():
            self.form.addRow(_label(_describe(name)[0]), box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        # Beside the buttons, not a row of its own: a row more would not fit 960x540.
        buttons.addWidget(self.setup_line, 1)
        self.setup_line.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)

        self.style_box.currentTextChanged.connect(self._on_style)
        for box in self.fields.values():
            box.valueChanged.connect(self.changed)
        self.plan_panel.changed.connect(self._on_plan_changed)
        self.plan_panel.route_changed.connect(self._show_route_code)
        self.setup_line.reset.connect(lambda: self.set_server_setup(ServerSetup()))

    # -- the target ------------------------------------------------------------------------------

    def set_target(self, target: ServerTarget, last_app: ServerTarget | None = None) -> None:
        """Show the fields of what the server hosts; its routes come later (set_routes)."""
        self.target = target
        self.target_bar.show_target(target, last_app)
        app = target.app is not None
        self.form.setRowVisible(self.style_box, not app)
        for name in STYLE_ONLY:
            self.form.setRowVisible(self.fields[name], not app)
        has_plan_tab = self.tabs.indexOf(self.plan_scroll) >= 0
        if app and not has_plan_tab:
            self.tabs.insertTab(0, self.plan_scroll, "Re&quests")
            self.tabs.setCurrentIndex(0)
        elif not app and has_plan_tab:
            self.tabs.removeTab(self.tabs.indexOf(self.plan_scroll))
        self.plan_panel.set_routes([], target.describe())
        self._update_passive()
        if self._code_wanted:
            self.show_code()
        self.changed.emit()

    def set_routes(self, routes: list[dict[str, Any]]) -> None:
        """The routes of the app the server hosts, from its hello."""
        if self.target.app is not None:
            self.plan_panel.set_routes(routes, self.target.app.target)

    @property
    def passive(self) -> bool:
        """A run of the user's app with nothing planned: it records what arrives."""
        return self.target.app is not None and self.plan_panel.plan() is None

    # -- settings ------------------------------------------------------------------------------

    def settings(self) -> RunSettings:
        """The next run: of a style, or of the app with its plan; the boxes keep it valid."""
        if self.target.app is None:
            return self.style_settings()
        values = {name: box.value() for name, box in self.fields.items() if name not in STYLE_ONLY}
        return RunSettings(
            style="",
            app=self.target.app,
            plan=self.plan_panel.plan(),
            **values,  # type: ignore[arg-type]
            **self.server_setup.settings(),
        )

    def style_settings(self) -> RunSettings:
        """The settings a run of the chosen style would have (what the app remembers)."""
        values = {name: box.value() for name, box in self.fields.items()}
        return RunSettings(
            style=self.style_box.currentText(),
            **values,  # type: ignore[arg-type]
            **self.server_setup.settings(),
        )

    def set_server_setup(self, setup: ServerSetup) -> None:
        """How the next run's server runs; said under the target unless it is the usual."""
        if setup == self.server_setup:
            return
        self.server_setup = setup
        self.setup_line.show_setup(setup)
        self.setup_line.setVisible(setup != ServerSetup())
        self.changed.emit()

    def set_settings(self, settings: RunSettings) -> None:
        """Show a run's settings: the numbers, and its style, or its plan if the server
        hosts its app (another app's plan would not fit this one's routes)."""
        if settings.app is None:
            self.style_box.setCurrentText(settings.style)
        elif self._hosts(settings) and settings.plan != self.plan_panel.plan():
            self.plan_panel.set_plan(settings.plan)
        for name, box in self.fields.items():
            if settings.app is None or name not in STYLE_ONLY:
                box.setValue(getattr(settings, name))
        self.set_server_setup(ServerSetup.of(settings))

    def show_plan_error(self, message: str) -> None:
        """A plan refused at Run: said in the plan's tab, brought to the front."""
        self.tabs.setCurrentWidget(self.plan_scroll)
        self.plan_panel.show_error(message)

    def _hosts(self, settings: RunSettings) -> bool:
        """Whether ``settings`` are of the app the server hosts."""
        app = self.target.app
        return app is not None and settings.app is not None and settings.app.target == app.target

    # -- code ------------------------------------------------------------------------------------

    def restyle(self) -> None:
        self.code_view.restyle()
        self.plan_panel.form.restyle()

    def show_code(self) -> None:
        """Show the code of the chosen style or route, now and whenever it changes."""
        self._code_wanted = True
        if self.target.app is None:
            self.code_view.show_style(self.style_box.currentText())
        else:
            self._show_route_code(self.plan_panel.form.route())

    def show_held(self, held: HeldSource) -> None:
        """The line that held a clicked bar, in the Code tab, brought to the front."""
        self.tabs.setCurrentWidget(self.code_view)
        self.code_view.show_held(held)

    def set_editable(self, editable: bool) -> None:
        """Fields are read-only while a run uses them."""
        self.style_box.setEnabled(editable)
        self.target_bar.setEnabled(editable)
        self.setup_line.setEnabled(editable)
        self.plan_panel.set_editable(editable)
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

    def _on_plan_changed(self) -> None:
        self._update_passive()
        self.changed.emit()

    def _update_passive(self) -> None:
        passive = self.passive
        for name in CLIENT_ONLY:
            box = self.fields[name]
            box.setEnabled(not passive)
            label, meaning = _describe(name)
            tip = f"{label}: {meaning}. Allowed: {RANGES[name].describe()}."
            box.setToolTip(f"{tip}\n{PASSIVE_TIP}" if passive else tip)

    def _show_route_code(self, route: dict[str, Any] | None) -> None:
        if not self._code_wanted or self.target.app is None:
            return
        if route is None:
            self.code_view.show_note(ROUTES_LATER)
        else:
            self.code_view.show_routes([route], self.target.app.app_dir)


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
