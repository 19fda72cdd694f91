"""MainWindow: controls on the left, the timeline in the middle, the summary on the right.

Built in steps, as Qt's own examples are: actions, menus, toolbar, status bar,
then the saved geometry and layout. The embedded server is launched right after
the window first shows, so the window never waits for it. It hosts the built-in
styles or the user's own app (visualizer.app.hosting decides, and restarts it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from visualizer.app import menus
from visualizer.app.about import about_text
from visualizer.app.compare_dialog import CompareDialog
from visualizer.app.comparison_runner import ComparisonRunner
from visualizer.app.comparison_view import ComparisonView
from visualizer.app.controls import RunControls
from visualizer.app.file_actions import RunFiles
from visualizer.app.hosting import Hosting
from visualizer.app.lesson_player import LessonPlayer
from visualizer.app.menus import WindowActions
from visualizer.app.predict_mode import PredictMode
from visualizer.app.presentation import PresentationMode, use_theme
from visualizer.app.prompt_bar import PromptBar
from visualizer.app.replay_controller import ReplayController
from visualizer.app.screen_fit import DEFAULT_SIZE, DockFolding, available_area, opening_size
from visualizer.app.server_banner import ServerBanner
from visualizer.app.session_driver import SessionDriver
from visualizer.app.settings_store import SettingsStore
from visualizer.app.status_bar import STARTING, RunStatus
from visualizer.app.summary_panel import SummaryPanel
from visualizer.app.sweep_dialog import SweepDialog
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.view import APP_IDLE_TEXT, IDLE_TEXT, TimelineView
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import annotate
from visualizer.model.comparison import planned_names
from visualizer.model.held_at import HeldAt
from visualizer.model.held_source import held_source
from visualizer.model.request_plan import PlanError
from visualizer.model.route_code import routes_of_run
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.timeline import Timeline
from visualizer.runner.session import LimitError, LiveRun, ServerError, Session

__all__ = ["DEFAULT_SIZE", "MainWindow"]

TITLE = "schedviz: what FastAPI does with async def and def"


class MainWindow(QMainWindow, WindowActions):
    """The schedviz desktop app: choose a style, run it, watch the loop and the workers."""

    #: Emitted with the RunResult when a run ends (the launcher's --run waits on it).
    run_done = Signal(object)
    #: Emitted with the reason when Run could not start a run (a plan no route takes).
    run_refused = Signal(str)

    def __init__(self, preset: dict[str, Any] | None = None, port: int = 0) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.store = SettingsStore()
        preset = preset or {}
        target = self.store.server_target(preset, port)
        # How the server runs comes from the command line (--workers, --python) alone.
        setup = ServerSetup.of(self.store.run_settings(preset))
        self.driver = SessionDriver(Session(app=target.app, port=target.port, setup=setup))
        self.controls = RunControls()
        self.hosting = Hosting(self, self.driver, self.store, self.controls, target)
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
        self.lessons = LessonPlayer(self)
        self._create_docks()
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()
        self._connect()

        self.controls.set_settings(self.store.run_settings(preset))
        if target.app is not None:
            # The command line's requests (none: a recording), else the plan last made.
            plan = preset["plan"] if "app" in preset else self.store.plan(target.app)
            self.controls.plan_panel.set_plan(plan)
        self._on_target_changed()
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
        self.prompt = PromptBar()
        layout.addWidget(self.prompt)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.timeline)
        self.pages.addWidget(self.comparison)
        self.predict = PredictMode(self.pages, self.prompt)
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
        menus.create_actions(self)

    def _create_menus(self) -> None:
        menus.build_menus(self)

    def _create_toolbar(self) -> None:
        menus.build_toolbar(self)

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
        self.banner.styles_requested.connect(self.hosting.use_styles)
        self.hosting.target_changed.connect(lambda _: self._on_target_changed())
        self.controls.changed.connect(self._update_actions)
        self.timeline.following_changed.connect(self.follow_action.setChecked)
        self.lessons.moved.connect(self._update_actions)
        self.timeline.held_clicked.connect(self.show_held)

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
        self.store.save_run_settings(self.controls.style_settings())
        self.store.save_server_target(self.hosting.target)
        self.hosting.remember_plan()
        self.store.save_window(self.saveGeometry(), self.saveState())
        self.store.sync()
        self.driver.close()
        event.accept()

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self) -> None:
        """Run (Ctrl+R); with Predict First on, the first Run asks the class, the second runs."""
        if self.driver.live or self.lessons.active:
            return
        asked = self.predict.before_run(self.controls.settings(), self.statusBar().showMessage)
        self._update_actions()  # the keys A to D count hands while the shapes show
        if not asked:
            self.run_settings(self.controls.settings())

    def run_settings(self, settings: RunSettings) -> bool:
        """Start a run of ``settings``: another number of processes or another interpreter
        restarts the server first. False (and the reason said) if it is refused now."""
        refused: list[str] = []

        def refuse(reason: str) -> None:
            refused.append(reason)
            self._refuse(reason)

        self.hosting.run_as(settings, lambda ready: self._start(ready, refuse), refuse)
        return not refused

    def _start(self, settings: RunSettings, refuse: Callable[[str], None]) -> None:
        try:
            self.driver.start_run(settings)
        except ServerError as error:
            refuse(str(error).splitlines()[0])
        except LimitError as error:  # the machine cannot carry it: say which limit, and why
            QMessageBox.warning(self, "Cannot run", str(error))
            refuse(str(error))
        except PlanError as error:  # a planned request no route of the app takes
            self.controls.show_plan_error(str(error))
            refuse(str(error))

    def _refuse(self, reason: str) -> None:
        self.statusBar().showMessage(f"Cannot run: {reason}", 5000)
        self.run_refused.emit(reason)

    def stop_run(self) -> None:
        if self.compare_runner.active:
            self.compare_runner.cancel()
        self.driver.stop_run()

    def restart_server(self) -> None:
        self.banner.hide()
        self.hosting.retry()

    def _on_target_changed(self) -> None:
        """Title, actions and the compact toolbar for what the server hosts now."""
        app = self.hosting.target.app
        self.setWindowTitle(f"schedviz: {app.target}" if app is not None else TITLE)
        self.presentation.show_style_box(app is None)
        if self.result is None and self.pair is None and not self.driver.live:
            self.timeline.clear(IDLE_TEXT if app is None else APP_IDLE_TEXT)
        for action in (self.open_plan_action, self.save_plan_action):
            action.setVisible(app is not None)
        self._update_actions()

    def ask_compare(self) -> None:
        """Run > Compare…: choose two styles, then run them one after the other."""
        if self.driver.live:
            return
        dialog = CompareDialog(self.controls.settings(), self)
        if dialog.exec():
            self.start_pair(dialog.pair())

    def ask_sweep(self) -> None:
        """Run > Sweep…: a grid of runs, each on a server of its own; a point opens its run."""
        dialog = SweepDialog(self.controls.settings(), self)
        dialog.open_run.connect(lambda path: self.files.open(Path(path)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def start_comparison(self, styles: tuple[str, str]) -> None:
        """Two styles, with the Run panel's other settings."""
        settings = self.controls.settings()
        self.start_pair((replace(settings, style=styles[0]), replace(settings, style=styles[1])))

    def compare(self, runs: Sequence[RunSettings]) -> None:
        """Two runs of any settings (a lesson's comparison), the first on top."""
        self.start_pair((runs[0], runs[1]))

    def start_pair(self, pair: tuple[RunSettings, RunSettings]) -> None:
        """Two runs one after the other, stacked: of two styles, or of one on two servers
        (the server restarts between them as each needs)."""
        if self.driver.live:
            return
        self.replay.clock.pause()
        self.predict.close_panel()
        self.comparison.start(planned_names(*pair))
        self.pages.setCurrentWidget(self.comparison)
        self.compare_runner.start(pair)

    def _on_live_timeline(self, timeline: Timeline) -> None:
        if not self.compare_runner.active:
            self.timeline.set_timeline(timeline)

    def _on_run_started(self, run: LiveRun) -> None:
        self.replay.disable()
        if not self.compare_runner.active:
            self.pages.setCurrentWidget(self.timeline)
            self.pair = None
        subject = run.trace.settings.subject
        what = "A recording" if run.trace.settings.passive else "Starting a run"
        self.timeline.clear(f"{what} of {subject}…\n{STARTING}")
        # The Run panel describes the run on screen: a comparison's runs are of styles
        # other than the one the panel held.
        self.controls.set_settings(run.trace.settings)
        self.controls.set_editable(False)
        self.summary.show_running(subject)
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
            if self.predict.waiting_for_result and not self.lessons.active:
                self.predict.reveal(result, self.timeline.plot, "Predicted, then measured")
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

    def show_results(self, results: Sequence[RunResult], what: str) -> None:
        """Show a run, or two compared, made earlier (a lesson's recording or step)."""
        if len(results) == 2:
            self.replay.clock.pause()
            self.comparison.start(
                (results[0].trace.settings.subject, results[1].trace.settings.subject)
            )
            self.pages.setCurrentWidget(self.comparison)
            for slot, result in enumerate(results):
                self._on_pair_run_finished(slot, result)
            self._on_pair_finished(results[0], results[1])
        else:
            self.show_run(results[0], what)

    def show_opened(self, result: RunResult, path: Path) -> None:
        """Show a run read from a file, as if it had just finished."""
        self.show_run(result, f"Opened {path.name}")

    def show_run(self, result: RunResult, what: str) -> None:
        """Show a finished run made earlier; ``what`` says which in the status bar."""
        if self.driver.live:
            self.stop_run()
        self.predict.close_panel()
        self.pair = None
        self.result = result
        self.pages.setCurrentWidget(self.timeline)
        self.timeline.clear()
        self.timeline.set_timeline(result.timeline, result.marks)
        self.timeline.show_whole_run()
        self.summary.show_result(result)
        self.controls.set_settings(result.trace.settings)
        if result.trace.settings.app is not None:  # its routes' code, from the file
            app_dir = result.trace.settings.app.app_dir
            self.controls.code_view.show_routes(routes_of_run(result.trace), app_dir)
        self.status.show_shown(f"{what}:", [result])
        self._load_replay()
        self.statusBar().showMessage(what, 5000)

    def show_held(self, held: HeldAt) -> None:
        """The line that held a clicked bar, in the code view of the Run dock."""
        result = self.result
        app = result.trace.settings.app if result is not None else None
        self.controls.show_held(held_source(held, app.app_dir if app is not None else ""))
        # Folded under the summary, the Run dock comes to the front; closed, it stays closed.
        folded = self.controls_dock in self.tabifiedDockWidgets(self.summary_dock)
        if folded or self.controls_dock.isVisible():
            self.controls_dock.raise_()

    def picture(self) -> TimelinePicture | None:
        """What Export draws: the comparison if it is shown, else the last run; with the
        class's prediction where one is outlined over it (named as one in the picture)."""
        if self.pages.currentWidget() is self.comparison:
            return self.predict.picture_of(self.pair) if self.pair else None
        return self.predict.picture_of((self.result,)) if self.result else None

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
        self.prompt.restyle()
        self.predict.panel.update()
        self.controls.restyle()
        self.comparison.restyle()
        self.replay.bar.restyle()
        self.status.restyle()
        self.summary.restyle()
        self._update_actions()

    # -- status ---------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        menus.update_actions(self)

    def _show_server_state(self, state: str) -> None:
        session = self.driver.session
        hosted = self.hosting.target.describe()
        if self.status.show_server_state(state, session.hello.get("port"), hosted):
            self.banner.hide()
        elif session.app_failure is not None:
            self.banner.show_app_failure(session.app_failure, hosted)
        else:
            self.banner.show_error(state)
        self._update_actions()

    def _show_progress(self) -> None:
        self.status.show_progress(self.driver.run, self.driver.elapsed_s, self.address())

    def address(self) -> str:
        """Where the server listens (``http://127.0.0.1:8000``); "" before it does."""
        port = self.driver.session.hello.get("port")
        return f"http://127.0.0.1:{port}" if port else ""

    def _show_about(self) -> None:
        QMessageBox.about(self, "About schedviz", about_text())
