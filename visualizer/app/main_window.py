"""MainWindow: controls on the left, the timeline in the middle, the summary on the right.

Built in steps, as Qt's own examples are: actions, menus, toolbar, status bar,
then the saved geometry and layout. The embedded server is launched right after
the window first shows, so the window never waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.about import about_text
from visualizer.app.actions import make_action
from visualizer.app.compare_dialog import CompareDialog
from visualizer.app.comparison_runner import ComparisonRunner
from visualizer.app.comparison_view import ComparisonView
from visualizer.app.controls import RunControls
from visualizer.app.file_actions import RunFiles, example_files, example_title
from visualizer.app.presentation import PresentationMode, use_theme
from visualizer.app.replay_controller import ReplayController
from visualizer.app.screen_fit import DEFAULT_SIZE, DockFolding, available_area, opening_size
from visualizer.app.server_banner import ServerBanner
from visualizer.app.session_driver import SessionDriver
from visualizer.app.settings_store import SettingsStore
from visualizer.app.status_bar import STARTING, RunStatus
from visualizer.app.summary_panel import SummaryPanel
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import annotate
from visualizer.model.timeline import Timeline
from visualizer.runner.session import LimitError, LiveRun, ServerError, Session

__all__ = ["DEFAULT_SIZE", "MainWindow"]


class MainWindow(QMainWindow):
    """The schedviz desktop app: choose a style, run it, watch the loop and the workers."""

    #: Emitted with the RunResult when a run ends (the launcher's --run waits on it).
    run_done = Signal(object)

    def __init__(self, preset: dict[str, Any] | None = None, port: int = 0) -> None:
        super().__init__()
        self.setWindowTitle("schedviz: what FastAPI does with async def and def")
        self.store = SettingsStore()
        app = (preset or {}).get("app")
        self.driver = SessionDriver(Session(app=app, port=port))
        self.controls = RunControls()
        self.timeline = TimelineView()
        self.summary = SummaryPanel()
        self.banner = ServerBanner()
        self.comparison = ComparisonView()
        self.compare_runner = ComparisonRunner(self.driver)
        self.replay = ReplayController(self.timeline, self.comparison, self._shown_runs)
        self.files = RunFiles(self, self.show_opened)
        #: The single run shown, or the pair of a comparison; what Save and Export use.
        self.result: RunResult | None = None
        self.pair: tuple[RunResult, RunResult] | None = None
        self._shown_once = False
        self._fit_on_show = True

        self._create_central()
        self._create_docks()
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()
        self._connect()

        self.controls.set_settings(self.store.run_settings(preset))
        if app is not None:
            self.controls.serve_app(app, (preset or {}).get("plan"))
        if self.store.dark_theme():
            self.dark_action.setChecked(True)
            self.set_dark_theme(True)
        if (geometry := self.store.window_geometry()) is not None:
            self.restoreGeometry(geometry)
            # Remembered from a larger screen (or before a projector was plugged in).
            self.fit_screen()
        if (state := self.store.window_state()) is not None:
            self.restoreState(state)
            # The docks as they were on the screen the state was saved on.
            self.folding.fit(self.width())
        self._update_actions()

    # -- building the window ----------------------------------------------------------------

    def _create_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.banner)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.timeline)
        self.pages.addWidget(self.comparison)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.replay.bar)
        self.setCentralWidget(central)

    def _create_docks(self) -> None:
        self.controls_dock = self._dock("Run", "controls", self.controls)
        self.summary_dock = self._dock("Summary", "summary", self.summary)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.summary_dock)
        self.folding = DockFolding(self, self.controls_dock, self.summary_dock)
        self.reset_layout()
        self.presentation = PresentationMode(
            self, self.controls.style_box, [self.controls_dock, self.summary_dock]
        )
        self.addToolBar(self.presentation.toolbar)

    def reset_layout(self, size: QSize | None = None) -> None:
        """The window's size and dock widths as on the first launch (and for screenshots).

        ``size`` by default is the default size within the screen's available area.
        """
        wanted = size or opening_size(available_area(self).size())
        self.folding.fit(wanted.width())  # first: two dock columns may not fit in it
        self.resize(wanted)
        # A size asked for (a screenshot's) is kept; the default one keeps to the screen.
        self._fit_on_show = size is None
        if size is None:
            self.fit_screen()
        for dock in (self.controls_dock, self.summary_dock):
            dock.show()
        self.resizeDocks(
            [self.controls_dock, self.summary_dock], [440, 360], Qt.Orientation.Horizontal
        )

    def fit_screen(self) -> None:
        """Shrink and move the window, frame and title bar included, into the screen's free area."""
        area = available_area(self)
        frame = self.frameGeometry()
        # The decorations: none before the window first shows, known after.
        extra = frame.size() - self.size()
        size = self.size().boundedTo(area.size() - extra)
        self.folding.fit(size.width())
        self.resize(size)
        if not area.contains(self.frameGeometry()):
            self.move(area.topLeft())

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
        self.compare_action = self._action(
            "&Compare…", self.ask_compare, "Ctrl+Shift+R", "Run two styles, one above the other"
        )
        self.replay_action = self._action(
            "Re&play / Pause", self.replay.clock.toggle, "Ctrl+P", "Replay the run slowly (Ctrl+P)"
        )
        self.open_action = self._action("&Open…", lambda: self.files.open(), "Ctrl+O")
        self.save_action = self._action("&Save", lambda: self.files.save(self.result), "Ctrl+S")
        self.save_as_action = self._action(
            "Save &As…", lambda: self.files.save(self.result, ask=True), "Ctrl+Shift+S"
        )
        self.export_png_action = self._action(
            "Export &PNG…", lambda: self.files.export_png(self.picture()), "Ctrl+E"
        )
        self.export_svg_action = self._action(
            "Export S&VG…", lambda: self.files.export_svg(self.picture())
        )
        self.copy_picture_action = self._action(
            "&Copy Picture", lambda: self.files.copy_picture(self.picture()), "Ctrl+Shift+C"
        )
        self.export_csv_action = self._action(
            "Export Requests as CS&V…", lambda: self.files.export_csv(self.result)
        )
        self.presentation_action = self._action(
            "&Presentation Mode", self.toggle_presentation, "F11", "Full screen, large text (F11)"
        )
        self.presentation_action.setCheckable(True)
        # Esc leaves presentation mode when no run is live (while one is, Esc stops it).
        self.leave_presentation_action = self._action(
            "Leave Presentation", lambda: self.set_presentation(False), "Esc"
        )
        self.addAction(self.leave_presentation_action)
        self.dark_action = self._action("&Dark Theme", self.set_dark_theme)
        self.dark_action.setCheckable(True)

    def _action(self, text: str, slot: Any, *args: Any) -> QAction:
        return make_action(self, text, slot, *args)

    def _create_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.open_action)
        examples = file_menu.addMenu("&Examples")
        for path in example_files():
            examples.addAction(self._action(example_title(path), self._opener(path)))
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions([self.export_png_action, self.export_svg_action])
        file_menu.addActions([self.copy_picture_action, self.export_csv_action])
        run_menu = menus.addMenu("&Run")
        run_menu.addActions([self.run_action, self.stop_action, self.compare_action])
        run_menu.addAction(self.replay_action)
        run_menu.addSeparator()
        run_menu.addAction(self.restart_action)
        run_menu.addSeparator()
        run_menu.addAction(self.quit_action)
        view_menu = menus.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.whole_run_action])
        view_menu.addActions([self.follow_action, self.pan_left_action, self.pan_right_action])
        view_menu.addSeparator()
        view_menu.addAction(self.clear_highlight_action)
        view_menu.addActions([self.presentation_action, self.dark_action])
        view_menu.addAction(self._action("&Reset Layout", self.reset_layout))
        for dock in (self.controls_dock, self.summary_dock):
            view_menu.addAction(dock.toggleViewAction())
        menus.addMenu("&Help").addAction(self.about_action)

    def _create_toolbar(self) -> None:
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("runToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.run_action, self.stop_action, self.compare_action])
        toolbar.addSeparator()
        toolbar.addActions([self.zoom_in_action, self.zoom_out_action, self.whole_run_action])
        toolbar.addAction(self.follow_action)
        self.presentation.toolbar.addActions(
            [self.run_action, self.stop_action, self.compare_action, self.replay_action]
        )
        self.presentation.toolbar.addAction(self.presentation_action)
        self.controls.run_button.setText("Run  (Ctrl+R)")
        self.controls.stop_button.setText("Stop  (Esc)")
        self.controls.run_button.clicked.connect(self.run_action.trigger)
        self.controls.stop_button.clicked.connect(self.stop_action.trigger)

    def _create_status_bar(self) -> None:
        self.status = RunStatus(self.statusBar())
        self._show_server_state(self.driver.server_state)

    def _connect(self) -> None:
        self.driver.server_state_changed.connect(self._show_server_state)
        self.driver.run_started.connect(self._on_run_started)
        self.driver.timeline_changed.connect(self._on_live_timeline)
        self.compare_runner.timeline_changed.connect(self.comparison.set_timeline)
        self.compare_runner.run_finished.connect(self._on_pair_run_finished)
        self.compare_runner.finished.connect(self._on_pair_finished)
        self.compare_runner.failed.connect(lambda why: self.statusBar().showMessage(why, 5000))
        self.driver.timeline_changed.connect(lambda _: self._show_progress())
        self.driver.run_finished.connect(self._on_run_finished)
        self.banner.restart_requested.connect(self.restart_server)
        self.timeline.following_changed.connect(self.follow_action.setChecked)

    # -- lifecycle ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._fit_on_show and not self.isFullScreen():
                self.fit_screen()  # now that the frame's size is known
            # After the first paint: the window is up before FastAPI is even imported.
            QTimer.singleShot(0, self._after_first_show)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.folding.fit(event.size().width())

    def _after_first_show(self) -> None:
        self.driver.launch_server()
        self.controls.show_code()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.replay.clock.pause()
        self.set_presentation(False)  # the normal window's layout is the one to remember
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
        except LimitError as error:  # the machine cannot carry it: say which limit, and why
            QMessageBox.warning(self, "Cannot run", str(error))

    def stop_run(self) -> None:
        if self.compare_runner.active:
            self.compare_runner.cancel()
        self.driver.stop_run()

    def restart_server(self) -> None:
        self.banner.hide()
        self.driver.launch_server()

    def ask_compare(self) -> None:
        """Run > Compare…: choose two styles, then run them one after the other."""
        if self.driver.live:
            return
        dialog = CompareDialog(self.controls.settings())
        if dialog.exec():
            self.start_comparison(dialog.styles())

    def start_comparison(self, styles: tuple[str, str]) -> None:
        if self.driver.live:
            return
        self.replay.clock.pause()
        self.comparison.start(styles)
        self.pages.setCurrentWidget(self.comparison)
        self.compare_runner.start(self.controls.settings(), styles)

    def _on_live_timeline(self, timeline: Timeline) -> None:
        if not self.compare_runner.active:
            self.timeline.set_timeline(timeline)

    def _on_run_started(self, run: LiveRun) -> None:
        self.replay.disable()
        if not self.compare_runner.active:
            self.pages.setCurrentWidget(self.timeline)
            self.pair = None
        self.timeline.clear(f"Starting a run of {run.trace.settings.subject}…\n{STARTING}")
        # The Run panel describes the run on screen: a comparison's runs are of styles
        # other than the one the panel held.
        self.controls.set_settings(run.trace.settings)
        self.controls.set_editable(False)
        self.summary.show_running(run.trace.settings.subject)
        self._update_actions()
        self._show_progress()

    def _on_run_finished(self, result: RunResult) -> None:
        self.controls.set_editable(True)
        self.summary.show_result(result)
        self.result = result
        self.files.path = None
        if not self.compare_runner.active:
            following = self.timeline.following
            self.timeline.set_timeline(result.timeline, annotate(result.trace))
            if following:  # the run is over: all of it, not the last seconds a live view shows
                self.timeline.show_whole_run()
            self._load_replay()
        self._update_actions()
        self._show_progress()
        self.statusBar().showMessage(f"Run {result.trace.ended}", 5000)
        self.run_done.emit(result)

    def _on_pair_run_finished(self, slot: int, result: RunResult) -> None:
        self.comparison.set_timeline(slot, result.timeline, annotate(result.trace))
        self.comparison.set_result(slot, result)

    def _on_pair_finished(self, first: RunResult, second: RunResult) -> None:
        self.pair = (first, second)
        self.summary.show_results([first, second])
        self.status.show_shown("Compared", [first, second])
        self._load_replay()
        self._update_actions()

    def show_opened(self, result: RunResult, path: Path) -> None:
        """Show a run read from a file, as if it had just finished."""
        if self.driver.live:
            self.stop_run()
        self.pair = None
        self.result = result
        self.pages.setCurrentWidget(self.timeline)
        self.timeline.clear()
        self.timeline.set_timeline(result.timeline, result.marks)
        self.timeline.show_whole_run()
        self.summary.show_result(result)
        self.controls.set_settings(result.trace.settings)
        self.status.show_shown(f"Opened {path.name}:", [result])
        self._load_replay()
        self.statusBar().showMessage(f"Opened {path.name}", 5000)

    def _opener(self, path: Path) -> Callable[[], object]:
        return lambda: self.files.open(path)

    def picture(self) -> TimelinePicture | None:
        """What Export draws: the comparison if it is shown, else the last run."""
        if self.pages.currentWidget() is self.comparison:
            return TimelinePicture.of_comparison(*self.pair) if self.pair else None
        return TimelinePicture.of_run(self.result) if self.result else None

    # -- replay -----------------------------------------------------------------------------

    def _shown_runs(self) -> tuple[bool, list[RunResult]]:
        if self.pages.currentWidget() is self.comparison:
            return True, list(self.pair or ())
        return False, [self.result] if self.result else []

    def _load_replay(self) -> None:
        self.replay.load()
        self._update_actions()

    # -- presentation ---------------------------------------------------------------------

    def toggle_presentation(self) -> None:
        self.set_presentation(not self.presentation.active)

    def set_presentation(self, on: bool) -> None:
        if on == self.presentation.active:
            return
        if on:
            self.presentation.enter()
        else:
            self.presentation.leave()
        self.presentation_action.setChecked(on)
        self.restyle()

    def set_dark_theme(self, dark: bool) -> None:
        use_theme(dark)
        self.store.save_dark_theme(dark)
        self.restyle()

    def restyle(self) -> None:
        """Every view picks up the palette's theme and font scale as they are now."""
        self.timeline.restyle()
        self.controls.code_view.restyle()
        self.comparison.restyle()
        self.replay.bar.restyle()
        self.status.restyle()
        self._update_actions()

    # -- status ---------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        live = self.driver.live or self.compare_runner.active
        self.run_action.setEnabled(not live and self.driver.session.server_running)
        self.compare_action.setEnabled(self.run_action.isEnabled())
        self.stop_action.setEnabled(live)
        self.replay_action.setEnabled(not live and self.replay.available)
        self.leave_presentation_action.setEnabled(self.presentation.active and not live)
        self.controls.run_button.setEnabled(self.run_action.isEnabled())
        self.controls.stop_button.setEnabled(live)

    def _show_server_state(self, state: str) -> None:
        if self.status.show_server_state(state, self.driver.session.hello.get("port")):
            self.banner.hide()
        else:
            self.banner.show_error(state)
        self._update_actions()

    def _show_progress(self) -> None:
        self.status.show_progress(self.driver.run, self.driver.elapsed_s)

    def _show_about(self) -> None:
        QMessageBox.about(self, "About schedviz", about_text())
