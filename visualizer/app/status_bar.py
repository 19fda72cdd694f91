"""RunStatus: the status bar's permanent fields: server state, progress, elapsed time."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from visualizer.app import palette
from visualizer.model.analysis import RunResult
from visualizer.model.comparison import short_names
from visualizer.runner.session import LiveRun, RunState

#: Server states that are not a failure; anything else is the failure's text.
HEALTHY = ("starting", "running", "stopped")
#: What a run does before its first events: the server sizes its pool, the client starts.
STARTING = "starting the load generator"


class RunStatus:
    def __init__(self, bar: QStatusBar) -> None:
        self.server_label = QLabel()
        self.progress_label = QLabel()
        self.elapsed_label = QLabel()
        for label in self.labels:
            label.setContentsMargins(12, 0, 12, 0)
            bar.addPermanentWidget(label)
        self.restyle()

    @property
    def labels(self) -> tuple[QLabel, QLabel, QLabel]:
        return self.server_label, self.progress_label, self.elapsed_label

    def restyle(self) -> None:
        for label in self.labels:
            label.setFont(palette.FONTS.base())

    def show_server_state(self, state: str, port: int | None, hosted: str = "") -> bool:
        """Show the server's state (``hosted``: the user's app it serves, if one); return
        whether it is healthy."""
        if state in HEALTHY:
            where = f" on port {port}" if state == "running" and port else ""
            app = f" {hosted}" if hosted and not hosted.startswith("the built-in") else ""
            self.server_label.setText(f"Server: {state}{app}{where}")
            self.server_label.setToolTip(
                f"The server process hosts {hosted or 'the built-in styles'}"
            )
            return True
        self.server_label.setText(f"Server: failed ({state.splitlines()[0]})")
        self.server_label.setToolTip(state)
        return False

    def show_progress(self, run: LiveRun | None, elapsed_s: float, address: str = "") -> None:
        """How far the run is; ``address`` is where a recording takes requests."""
        if run is None:
            self.progress_label.setText("No run yet")
            self.elapsed_label.setText("")
            return
        settings = run.trace.settings
        if settings.passive and not run.finished:
            self._show_recording(run, address)
            self.elapsed_label.setText(f"{elapsed_s:,.2f} s")
            return
        planned = settings.requests
        if not run.trace.t0 and not run.finished:
            self.progress_label.setText(f"{planned:,} requests: {STARTING}…")
            self.elapsed_label.setText("")
            return
        if run.state is RunState.DRAINING:
            # The client is done; the server is not: say why the run has not ended.
            self.progress_label.setText(
                f"{settings.subject}: {run.draining:,} handlers still running"
            )
            self.progress_label.setToolTip(
                "The client is done, but the server still runs handlers it gave up on, or "
                "background tasks after their response: the run waits for them (up to the "
                "work time after the last one started or ended), so that they are drawn "
                "until they really end."
            )
        else:
            self.progress_label.setToolTip("")
            self.progress_label.setText(
                f"{settings.subject}: {run.done_count:,} of {planned:,} done, "
                f"{run.in_flight:,} in flight"
            )
        self.elapsed_label.setText(f"{elapsed_s:,.2f} s")

    def _show_recording(self, run: LiveRun, address: str) -> None:
        """A recording: where to send requests, and what has arrived."""
        # The server's field names the app: this one has room for the address only.
        where = f"send requests to {address}" if address else "starting"
        self.progress_label.setText(
            f"Recording: {where} · {run.done_count:,} done, {run.in_flight:,} in flight"
        )
        self.progress_label.setToolTip(
            "Every request that reaches the server is traced (curl, a browser, your tests), "
            "until Stop (Esc). What only a client knows (queueing, sending) is not drawn."
        )

    def show_shown(self, what: str, results: list[RunResult]) -> None:
        """Runs shown that are not the driver's last (a file, a comparison): ``what`` and
        each run's subject and makespan, so the bar never names a run that is not on screen."""
        names = [result.trace.settings.subject for result in results]
        if len(results) == 2:  # short enough for the bar of a 960 px screen
            names = list(short_names(results[0].summary, results[1].summary))
        styles = " and ".join(names)
        self.progress_label.setText(f"{what} {styles}")
        self.elapsed_label.setText(
            ", ".join(f"{result.summary.makespan_ms / 1000:,.2f} s" for result in results)
        )
