"""Hosting: what the window's server hosts, switched, remembered, and its failures told.

Choosing the built-in styles or the user's app (the Run panel's target, File > Open
App…) restarts the server on the new target (and so does a run whose server runs
otherwise: more processes, another interpreter), remembers it and the plan made for the
app left behind, and shows the fields of the new one. When the user's app cannot be
served, a dialog says why in their terms (their traceback in its details) and offers
Retry, another app, or the styles; the banner keeps saying it after the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QWidget

from visualizer.app.app_failure_dialog import AppFailureDialog
from visualizer.app.app_target_dialog import AppTargetDialog
from visualizer.app.controls import RunControls
from visualizer.app.server_target import ServerTarget
from visualizer.app.session_driver import SessionDriver
from visualizer.app.settings_store import SettingsStore
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.runner.session import AppFailure

#: Starts a run of these settings; refuses one, with the reason.
Start = Callable[[RunSettings], None]
Refuse = Callable[[str], None]


class Hosting(QObject):
    """Owns the choice of target for one window; the driver's session serves it."""

    #: The new ServerTarget, after the server was asked to restart on it.
    target_changed = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        driver: SessionDriver,
        store: SettingsStore,
        controls: RunControls,
        target: ServerTarget,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.driver = driver
        self.store = store
        self.controls = controls
        self.target = target
        #: False where nobody can answer a dialog (a scripted run that quits after).
        self.ask_on_failure = True
        self.failure_dialog: AppFailureDialog | None = None
        self._failure_told: AppFailure | None = None
        #: A run waiting for the server to restart as it needs: (settings, start, refuse).
        self._waiting: tuple[RunSettings, Start, Refuse] | None = None
        driver.session.app, driver.session.port = target.app, target.port
        controls.set_target(target, store.last_app())
        controls.target_bar.target_chosen.connect(self.use)
        controls.target_bar.open_requested.connect(self.ask_for_app)
        driver.server_state_changed.connect(self._on_server_state)

    def use(self, target: ServerTarget) -> None:
        """Serve ``target`` from now on: the server restarts on it."""
        if self.driver.live:
            return
        self.remember_plan()
        self.target = target
        self.driver.session.app, self.driver.session.port = target.app, target.port
        self.store.save_server_target(target)
        self.controls.set_target(target, self.store.last_app())
        self.controls.plan_panel.set_plan(
            self.store.plan(target.app) if target.app is not None else None
        )
        self.retry()
        self.target_changed.emit(target)

    def run_as(self, settings: RunSettings, start: Start, refuse: Refuse) -> None:
        """``start(settings)`` now if the server runs as they need; else restart it so (as
        a new target does) and start them once it is up, or ``refuse`` with the reason."""
        setup = ServerSetup.of(settings)
        if setup == self.driver.session.setup:
            start(settings)
            return
        self._waiting = (settings, start, refuse)
        self.use_setup(setup)
        status = self.parent_widget.window()
        if isinstance(status, QMainWindow):
            status.statusBar().showMessage(f"Restarting the server: {setup.describe()}…", 5000)

    def use_setup(self, setup: ServerSetup) -> bool:
        """Run the server as ``setup`` says (processes, interpreter), as a new target does:
        restarted on it; True if it restarts."""
        if self.driver.live:
            return False
        self._close_failure_dialog()
        return self.driver.restart_as(setup)

    def use_styles(self) -> None:
        self.use(ServerTarget(None, 0))

    def retry(self) -> None:
        """Start the server again on the same target (the user may have fixed their code)."""
        self._close_failure_dialog()
        self.driver.launch_server()

    def ask_for_app(self) -> None:
        """File > Open App…: name the app; the server restarts on it if the user says so."""
        if self.driver.live:
            return
        dialog = AppTargetDialog(
            self.target if self.target.is_app else self.store.last_app(), self.parent_widget
        )
        if dialog.exec():
            self.use(dialog.target())

    def remember_plan(self) -> None:
        """The plan made for the app served now, for the next time it is chosen."""
        if self.target.app is not None:
            self.store.save_plan(self.target.app, self.controls.plan_panel.plan())

    # -- what the server says ------------------------------------------------------------

    def _on_server_state(self, state: str) -> None:
        self._start_waiting(state)
        session = self.driver.session
        if state == "running":
            self._failure_told = None
            self.controls.set_routes(session.routes)
            return
        failure = session.app_failure
        if failure is not None and failure is not self._failure_told:
            self._failure_told = failure
            if self.ask_on_failure:
                self._show_failure(failure)

    def _start_waiting(self, state: str) -> None:
        """The run that waited for the restart: started once the server runs."""
        if self._waiting is None or state in ("starting", "stopped"):
            return
        (settings, start, refuse), self._waiting = self._waiting, None
        if state == "running":
            start(settings)
        else:
            refuse(state.splitlines()[0])

    def _show_failure(self, failure: AppFailure) -> None:
        self._close_failure_dialog()
        dialog = AppFailureDialog(failure, self.target.describe(), self.parent_widget)
        dialog.finished.connect(lambda _: self._on_failure_answer(dialog))
        self.failure_dialog = dialog
        dialog.open()  # window-modal, and the event loop goes on: the banner stays live

    def _on_failure_answer(self, dialog: AppFailureDialog) -> None:
        if dialog is not self.failure_dialog:
            return
        self.failure_dialog = None
        dialog.deleteLater()
        choice = dialog.choice
        if choice == AppFailureDialog.RETRY:
            self.retry()
        elif choice == AppFailureDialog.CHANGE:
            self.ask_for_app()
        elif choice == AppFailureDialog.STYLES:
            self.use_styles()

    def _close_failure_dialog(self) -> None:
        dialog, self.failure_dialog = self.failure_dialog, None
        if dialog is not None:
            dialog.done(0)
            dialog.deleteLater()
