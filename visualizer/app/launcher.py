"""launch(): the ``schedviz`` command's window, and its scripted --run/--screenshot/--quit."""

from __future__ import annotations

import gc
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QApplication

from visualizer.app import palette
from visualizer.app.bug_report import BugReport
from visualizer.app.main_window import DEFAULT_SIZE, MainWindow
from visualizer.app.qt_platform import painting_offscreen, use_offscreen_without_display
from visualizer.app.settings_store import APPLICATION, ORGANISATION
from visualizer.model.analysis import RunResult

EXIT_OK = 0
EXIT_SERVER_FAILED = 1
#: As the command line's: the user's app could not be served, or the plan fits no route.
EXIT_BAD_INPUT = 2


class ScriptedRun:
    """--run: start as soon as the server runs; then take the screenshot and quit if asked.

    A recording (the user's app, no request planned) stops after ``duration_s``, or
    when the user presses Stop.
    """

    def __init__(
        self,
        window: MainWindow,
        screenshot: str | None,
        quit_after: bool,
        app: QApplication,
        duration_s: float | None = None,
    ) -> None:
        self.window = window
        self.screenshot = screenshot
        self.quit_after = quit_after
        self.app = app
        self.duration_s = duration_s
        self.exit_code = EXIT_OK
        self._started = False
        if self._unattended:
            # Nobody is there to answer a dialog: the failure goes to stderr instead.
            window.hosting.ask_on_failure = False
        window.driver.server_state_changed.connect(self._on_server_state)
        window.driver.run_started.connect(self._on_run_started)
        window.run_done.connect(self._on_run_done)
        window.run_refused.connect(self._on_refused)

    @property
    def _unattended(self) -> bool:
        return self.quit_after or self.screenshot is not None

    def _on_server_state(self, state: str) -> None:
        if state == "running" and not self._started:
            self._started = True
            self.window.start_run()
        elif state not in ("starting", "running", "stopped") and not self._started:
            failure = self.window.driver.session.app_failure
            if failure is not None:
                # As `schedviz run` says it: their error, then their code's traceback.
                print(f"schedviz: your app could not be served: {failure.message}", file=sys.stderr)
                if failure.user_traceback:
                    print(f"\n{failure.user_traceback.rstrip()}", file=sys.stderr)
                self.exit_code = EXIT_BAD_INPUT
            else:
                print(f"schedviz: {state.splitlines()[0]}", file=sys.stderr)
                self.exit_code = EXIT_SERVER_FAILED
            if self._unattended:
                self.window.close()

    def _on_run_started(self, _run: object) -> None:
        if self.duration_s is not None:
            QTimer.singleShot(round(self.duration_s * 1000), self.window.stop_run)

    def _on_refused(self, reason: str) -> None:
        print(f"schedviz: cannot run: {reason}", file=sys.stderr)
        self.exit_code = EXIT_BAD_INPUT
        if self._unattended:
            self.window.close()

    def _on_run_done(self, result: RunResult) -> None:
        # One more turn of the event loop so the final frame is painted before the grab.
        QTimer.singleShot(50, self._finish)

    def _finish(self) -> None:
        if self.screenshot:
            self.window.timeline.show_whole_run()
            self.app.processEvents()
            if not self.window.grab().save(self.screenshot):
                print(f"schedviz: could not write {self.screenshot}", file=sys.stderr)
                self.exit_code = EXIT_SERVER_FAILED
        if self.quit_after:
            self.window.close()


def freeze_start_up() -> None:
    """Move what start-up made (Qt's wrappers, pyqtgraph, numpy, the window: ~110,000
    objects) out of the cyclic collector's sight, as the server does with its own.

    They live as long as the window; yet each full collection walked them all, 70-90 ms
    holding Python's lock (the window frozen, whatever thread set it off), at any time:
    during an open, a live run, a replay. Afterwards a full collection walks only what
    came later: under 1 ms with a 20,000-request run open.
    """
    gc.collect()
    gc.freeze()


def close_on_interrupt(window: MainWindow) -> None:
    """Ctrl+C in the terminal closes the window as its Quit does: settings saved, server ended.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++:
    a timer that runs a little Python now and then lets the handler through.
    """
    signal.signal(signal.SIGINT, lambda *_: window.close())
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(200)


def launch(
    preset: dict[str, object],
    run: bool = False,
    screenshot: str | None = None,
    quit_after: bool = False,
    port: int = 0,
    duration_s: float | None = None,
    lesson: Path | None = None,
    recorded: bool = False,
) -> int:
    """Open the window, preset with the settings given on the command line; return the exit code.

    ``run`` starts a run as soon as the server is up; ``screenshot`` saves the whole
    window when it ends; ``quit_after`` closes the window then. The server listens on
    ``port`` (0: any free one). A recording started by ``run`` stops after ``duration_s``.
    ``lesson`` is given from its first question once the window shows (``recorded``:
    with its recorded runs).
    """
    if screenshot:
        # The README promises --screenshot without a display; a desktop launch with
        # none fails as Qt says, rather than opening a window nobody can see.
        use_offscreen_without_display()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setFont(palette.FONTS.base())
    window = MainWindow(preset=dict(preset), port=port)
    if screenshot:
        # Pictures for docs and slides come out the same whatever the last session left.
        # Offscreen, the "screen" is a made-up 800 px square: the docs' size instead.
        window.reset_layout(QSize(*DEFAULT_SIZE) if painting_offscreen() else None)
    script = ScriptedRun(window, screenshot, quit_after, app, duration_s) if run else None
    close_on_interrupt(window)
    bugs = BugReport(window, unattended=script is not None)
    bugs.install()
    window.show()
    if lesson is not None:
        window.lesson_menu.recorded_action.setChecked(recorded)
        window.lessons.use_recordings = recorded
        QTimer.singleShot(0, lambda: window.lesson_menu.start(lesson))
    freeze_start_up()
    try:
        app.exec()
    finally:
        bugs.uninstall()
    return script.exit_code if script is not None else EXIT_OK
