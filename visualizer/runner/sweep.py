"""SweepRunner: the runs of a sweep, one after the other, each on a server of its own.

A server of its own for each point: the pool size is set per run, but workers and the
interpreter are the server's; and a fresh server carries nothing of the last run
(threads it started, memory it grew). One at a time, never two at once: two runs
sharing the machine's two cores would each measure the other's load.

No Qt here: the command line calls :meth:`SweepRunner.run` on its main thread, the
window on a thread of its own, with :meth:`SweepRunner.stop` from the GUI thread.
Stop ends the run in progress and keeps the rows of the runs already done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from visualizer.model.analysis import RunResult, analyse
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.sweep import SweepGrid, SweepRow, eta_s, row_of
from visualizer.model.tracefile import write_trace
from visualizer.runner.session import Session

#: After a stop, the run in progress gets this long to end before its server is closed.
STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep is: runs done of all, the run going on, and the time it may still take."""

    done: int
    total: int
    current: str
    eta_s: float
    row: SweepRow | None = None

    def describe(self) -> str:
        eta = "" if self.eta_s != self.eta_s else f", about {_duration(self.eta_s)} left"
        return f"{self.done} of {self.total} runs done{eta}; now {self.current}"


Listener = Callable[[SweepProgress], None]


class SweepRunner:
    """Runs every configuration of ``grid``; each finished run's trace goes to ``traces``."""

    def __init__(self, grid: SweepGrid, traces: Path | None, port: int = 0) -> None:
        self.grid = grid
        self.traces = traces
        self.port = port
        self.rows: list[SweepRow] = []
        self._stop = threading.Event()
        self._session: Session | None = None

    def stop(self) -> None:
        """End the sweep: the run in progress stops, the rows done are kept."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self, listener: Listener | None = None) -> list[SweepRow]:
        """Run the sweep to its end or to a stop; ServerError if a server cannot start."""
        tell = listener or (lambda progress: None)
        runs = self.grid.configurations()
        took: list[float] = []
        if self.traces is not None:
            self.traces.mkdir(parents=True, exist_ok=True)
        for number, settings in enumerate(runs):
            if self._stop.is_set():
                break
            what = f"C={settings.concurrency}, P={settings.pool}" + (
                f", {settings.workers} workers" if settings.workers > 1 else ""
            )
            left = [s.requests for s in runs[number:]]
            tell(SweepProgress(number, len(runs), what, eta_s(took, self._sent(), left)))
            began = time.monotonic()
            result = self._run_one(settings)
            if result is None:  # stopped halfway: not a measurement of the point
                break
            path = ""
            if self.traces is not None:
                name = f"sweep-w{settings.workers}-p{settings.pool}-c{settings.concurrency}.json"
                write_trace(result.trace, self.traces / name)
                path = str(self.traces / name)
            row = row_of(result, path)
            self.rows.append(row)
            took.append(time.monotonic() - began)
            left = [s.requests for s in runs[number + 1 :]]
            tell(SweepProgress(number + 1, len(runs), what, eta_s(took, self._sent(), left), row))
        return self.rows

    def _sent(self) -> list[int]:
        return [row.requests for row in self.rows]

    def _run_one(self, settings: RunSettings) -> RunResult | None:
        """One run on a server of its own; None if the sweep was stopped during it."""
        session = Session(app=settings.app, port=self.port, setup=ServerSetup.of(settings))
        try:
            session.start_server()
            if self._stop.is_set():
                return None
            run = session.start_run(settings)
            stopped_at = 0.0
            while not run.finished:
                session.pump(0.1)
                if self._stop.is_set() and not stopped_at:
                    stopped_at = time.monotonic()
                    session.stop_run()
                if stopped_at and time.monotonic() - stopped_at > STOP_GRACE_S:
                    break
        finally:
            session.close()
        if self._stop.is_set():
            return None
        return analyse(run.trace)


def _duration(seconds: float) -> str:
    if seconds >= 90:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
