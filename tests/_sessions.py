"""Running a scenario on a real server to its end, for the tests marked live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner.session import LiveRun, Session


def finish(session: Session, run: LiveRun) -> LiveRun:
    """Pump ``session`` until ``run`` has finished."""
    while not run.finished:
        session.pump(0.1)
    return run


def run_to_end(session: Session, **settings: object) -> RunTrace:
    """Run ``settings`` on ``session``'s server to its end; the trace of a complete run."""
    live = finish(session, session.start_run(RunSettings(**settings)))  # type: ignore[arg-type]
    assert live.trace.ended == "complete", live.trace.ended
    return live.trace


@contextmanager
def started_session() -> Iterator[Session]:
    """A real server for the tests of a module (they must be marked live), closed after."""
    session = Session()
    session.start_server()
    try:
        yield session
    finally:
        session.close()
