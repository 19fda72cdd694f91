"""MainWindow: controls on the left, the timeline in the middle, the summary on the right.

Built in steps, as Qt's own examples are: actions, menus, toolbar, status bar,
then the saved geometry and layout. The embedded server is launched right after
the window first shows, so the window never waits for it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.app import palette
from visualizer.app.controls import RunControls
from visualizer.app.server_banner import ServerBanner
from visualizer.app.session_driver import SessionDriver
from visualizer.app.settings_store import SettingsStore
from visualizer.app.summary_panel import SummaryPanel
from visualizer.app.timeline_view import TimelineView
from visualizer.headless import RunResult
from visualizer.session import LiveRun, ServerError

DEFAULT_SIZE = (1600, 900)
_HEALTHY = ("starting", "running", "stopped")


class MainWindow(QMainWindow):
    """The schedviz desktop app: choose a style, run it, watch the loop and the workers."""

    #: Emitted with the RunResult when a run ends (the launcher's --run waits on it).
    run_done = Signal(object)

    def __init__(self, preset: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("schedviz: what FastAPI does with async def and def")
        self.store = SettingsStore()
        self.driver = SessionDriver()
        self.controls = RunControls()
        self.timeline = TimelineView()
        self.summary = SummaryPanel()
        self.banner = ServerBanner()
        self._shown_once = False

        self._create_central()
        self._create_docks()
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()
        self._connect()

        self.controls.set_settings(self.store.run_settings(preset))
        if (geometry := self.store.window_geometry()) is not None:
            self.restoreGeometry(geometry)
        if (state := self.store.window_state()) is not None:
            self.restoreState(state)
        self._update_actions()

    # -- building the window ----------------------------------------------------------------

    def _create_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.timeline, 1)
        self.setCentralWidget(central)

    def _create_docks(self) -> None:
        self.controls_dock = self._dock("Run", "controls", self.controls)
        self.summary_dock = self._dock("Summary", "summary", self.summary)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.summary_dock)
        self.reset_layout()

    def reset_layout(self) -> None:
        """The window's size and dock widths as on the first launch (and for screenshots)."""
        self.resize(*DEFAULT_SIZE)
        for dock in (self.controls_dock, self.summary_dock):
            dock.show()
        self.resizeDocks(
            [self.controls_dock, self.summary_dock], [440, 360], Qt.Orientation.Horizontal
        )

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}Dock")  # saveState() finds docks by name
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def _create_actions(self) -> None:
        self.run_action = self._action("&Run", self.start_run, "Ctrl+R", "Start a run (Ctrl+R)")
        self.stop_action = self._action(
            "&Stop", self.stop_run, ["Esc", "Ctrl+."], "Stop the run (Esc)"
        )
        self.restart_action = self._action("Restart &Server", self.restart_server)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.zoom_in_action = self._action(
            "Zoom &In", self.timeline.zoom_in, ["Ctrl+=", "Ctrl++"], "Zoom in on time (Ctrl+=)"
        )
        self.zoom_out_action = self._action(
            "Zoom &Out", self.timeline.zoom_out, "Ctrl+-", "Zoom out (Ctrl+-)"
        )
        self.whole_run_action = self._action(
            "&Whole Run", self.timeline.show_whole_run, "Ctrl+0", "Show every lane (Ctrl+0)"
        )
        self.follow_action = self._action(
            "&Follow Now", self.timeline.follow_now, "Ctrl+L", "Follow the live run (Ctrl+L)"
        )
        self.follow_action.setCheckable(True)
        self.follow_action.setChecked(True)
        self.pan_left_action = self._action("Pan &Left", self.timeline.pan_left, "Left")
        self.pan_right_action = self._action("Pan &Right", self.timeline.pan_right, "Right")
        for action in (self.pan_left_action, self.pan_right_action):
            # Arrow keys pan only while the timeline has focus; fields keep theirs.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.timeline.addAction(action)
        self.clear_highlight_action = self._action(
            "&Clear Highlight", lambda: self.timeline.highlight(None)
        )
        self.about_action = self._action("&About schedviz", self._show_about)

    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: str | list[str] | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, list):
            action.setShortcuts([QKeySequence(key) for key in shortcut])
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _create_menus(self) -> None:
        menus = self.menuBar()
        run_menu = menus.addMenu("&Run")
        run_menu.addActions([self.run_action, self.stop_action])
        run_menu.addSeparator()
        run_menu.addAction(self.restart_action)
        run_menu.addSeparator()
        run_menu.addAction(self.quit_action)
        view_menu = menus.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.whole_run_action])
        view_menu.addActions([self.follow_action, self.pan_left_action, self.pan_right_action])
        view_menu.addSeparator()
        view_menu.addAction(self.clear_highlight_action)
        view_menu.addAction(self._action("&Reset Layout", self.reset_layout))
        for dock in (self.controls_dock, self.summary_dock):
            view_menu.addAction(dock.toggleViewAction())
        menus.addMenu("&Help").addAction(self.about_action)

    def _create_toolbar(self) -> None:
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("runToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.run_action, self.stop_action])
        toolbar.addSeparator()
        toolbar.addActions([self.zoom_in_action, self.zoom_out_action, self.whole_run_action])
        toolbar.addAction(self.follow_action)
        self.controls.run_button.setText("Run  (Ctrl+R)")
        self.controls.stop_button.setText("Stop  (Esc)")
        self.controls.run_button.clicked.connect(self.run_action.trigger)
        self.controls.stop_button.clicked.connect(self.stop_action.trigger)

    def _create_status_bar(self) -> None:
        self.server_label = QLabel()
        self.progress_label = QLabel()
        self.elapsed_label = QLabel()
        for label in (self.server_label, self.progress_label, self.elapsed_label):
            label.setFont(palette.FONTS.base())
            label.setContentsMargins(12, 0, 12, 0)
            self.statusBar().addPermanentWidget(label)
        self._show_server_state(self.driver.server_state)

    def _connect(self) -> None:
        self.driver.server_state_changed.connect(self._show_server_state)
        self.driver.run_started.connect(self._on_run_started)
        self.driver.timeline_changed.connect(self.timeline.set_timeline)
        self.driver.timeline_changed.connect(lambda _: self._show_progress())
        self.driver.run_finished.connect(self._on_run_finished)
        self.banner.restart_requested.connect(self.restart_server)
        self.timeline.following_changed.connect(self.follow_action.setChecked)

    # -- lifecycle ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # After the first paint: the window is up before FastAPI is even imported.
            QTimer.singleShot(0, self._after_first_show)

    def _after_first_show(self) -> None:
        self.driver.launch_server()
        self.controls.show_code()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.store.save_run_settings(self.controls.settings())
        self.store.save_window(self.saveGeometry(), self.saveState())
        self.store.sync()
        self.driver.close()
        event.accept()

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self) -> None:
        if self.driver.live:
            return
        try:
            self.driver.start_run(self.controls.settings())
        except ServerError as error:
            self.statusBar().showMessage(f"Cannot run: {str(error).splitlines()[0]}", 5000)

    def stop_run(self) -> None:
        self.driver.stop_run()

    def restart_server(self) -> None:
        self.banner.hide()
        self.driver.launch_server()

    def _on_run_started(self, run: LiveRun) -> None:
        self.timeline.clear()
        self.controls.set_editable(False)
        self.summary.show_running(run.trace.settings.style)
        self._update_actions()
        self._show_progress()

    def _on_run_finished(self, result: RunResult) -> None:
        self.controls.set_editable(True)
        self.summary.show_result(result)
        self._update_actions()
        self._show_progress()
        self.statusBar().showMessage(f"Run {result.trace.ended}", 5000)
        self.run_done.emit(result)

    # -- status ---------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        live = self.driver.live
        self.run_action.setEnabled(not live and self.driver.session.server_running)
        self.stop_action.setEnabled(live)
        self.controls.run_button.setEnabled(self.run_action.isEnabled())
        self.controls.stop_button.setEnabled(live)

    def _show_server_state(self, state: str) -> None:
        if state in _HEALTHY:
            port = self.driver.session.hello.get("port")
            where = f" on port {port}" if state == "running" and port else ""
            self.server_label.setText(f"Server: {state}{where}")
            self.server_label.setToolTip("")
            self.banner.hide()
        else:
            self.server_label.setText(f"Server: failed ({state.splitlines()[0]})")
            self.server_label.setToolTip(state)
            self.banner.show_error(state)
        self._update_actions()

    def _show_progress(self) -> None:
        run = self.driver.run
        if run is None:
            self.progress_label.setText("No run yet")
            self.elapsed_label.setText("")
            return
        planned = run.trace.settings.requests
        self.progress_label.setText(
            f"{run.done_count:,} of {planned:,} done, {run.in_flight:,} in flight"
        )
        self.elapsed_label.setText(f"{self.driver.elapsed_s:,.2f} s")

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            "About schedviz",
            "schedviz runs a real uvicorn server in its own process, sends it real "
            "requests and draws what its event loop and threadpool workers did.",
        )
