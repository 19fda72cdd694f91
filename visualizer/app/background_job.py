"""BackgroundJob: a long piece of work (open, save) on a thread of its own, the window live.

Reading a 20,000-request run and analysing it takes seconds; on the GUI thread that
froze the window, with no word of progress. The work runs on a plain Python thread
and touches no Qt object: it reports through the signals of this one object, which
lives on the GUI thread, so Qt queues each report to that thread. :meth:`run` waits
in a local event loop, so the window keeps painting, its progress dialog moves, and
Cancel is heard, while callers still get the result back from one call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Signal

T = TypeVar("T")

#: Told the share of the work done (0..1); raises JobCancelled once Cancel was pressed.
Report = Callable[[float], None]


class JobCancelled(Exception):
    """The user cancelled the job; what it did so far is dropped."""


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.value: T | None = None
        self.error: BaseException | None = None


class BackgroundJob(QObject):
    """Runs one job at a time off the GUI thread; only the signals cross threads."""

    #: The share done, 0..1, as the job reports it.
    progressed = Signal(float)
    #: The job ended, whichever way (its result or error is kept by :meth:`run`).
    ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def cancel(self) -> None:
        """Ask the running job to stop at its next report."""
        self._cancel.set()

    def run(self, work: Callable[[Report], T]) -> T:
        """``work(report)`` on a worker thread; its result, or its exception, once it ends.

        Raises JobCancelled if the job was cancelled, RuntimeError if one already runs.
        """
        if self._thread is not None:
            raise RuntimeError("a job is already running")
        self._cancel.clear()
        outcome: _Outcome[T] = _Outcome()

        def report(share: float) -> None:
            if self._cancel.is_set():
                raise JobCancelled
            self.progressed.emit(share)

        def body() -> None:
            try:
                outcome.value = work(report)
                if self._cancel.is_set():
                    raise JobCancelled
            except BaseException as error:  # handed to the GUI thread, raised there
                outcome.error = error
            finally:
                self.ended.emit()

        waiting = QEventLoop()
        self.ended.connect(waiting.quit)
        self._thread = threading.Thread(target=body, name="schedviz-file-job")
        try:
            self._thread.start()
            # ``ended`` is queued to this thread, so it cannot arrive before exec().
            waiting.exec()
            self._thread.join()
        finally:
            self.ended.disconnect(waiting.quit)
            self._thread = None
        if outcome.error is not None:
            raise outcome.error
        return outcome.value  # type: ignore[return-value]
