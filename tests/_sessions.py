"""Running a scenario on a real server to its end, for the tests marked live."""

from __future__ import annotations

from visualizer.runner.session import LiveRun, Session


def finish(session: Session, run: LiveRun) -> LiveRun:
    """Pump ``session`` until ``run`` has finished."""
    while not run.finished:
        session.pump(0.1)
    return run
