"""A run without a window: start the server, run one scenario, derive its story."""

from __future__ import annotations

import sys
import time

from visualizer.model.analysis import RunResult, analyse
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.runner.session import Session

#: After a stop (Ctrl-C) the run gets this long to account for its requests.
STOP_GRACE_S = 10.0


def run_to_completion(
    settings: RunSettings,
    progress: bool = False,
    port: int = 0,
    duration_s: float | None = None,
) -> RunResult:
    """Run ``settings`` on a server of its own; a passive run records for ``duration_s``
    (or until Ctrl-C). ServerError (AppFailure for the user's app) if it cannot start."""
    session = Session(app=settings.app, port=port, setup=ServerSetup.of(settings))
    try:
        hello = session.start_server()
        run = session.start_run(settings)
        if settings.passive:
            until = f"for {duration_s:g} s" if duration_s is not None else "until Ctrl-C"
            print(
                f"schedviz: recording every request to http://127.0.0.1:{hello['port']} {until}",
                file=sys.stderr,
                flush=True,
            )
        ends_at = time.monotonic() + duration_s if duration_s is not None else None
        try:
            last_print = 0.0
            while not run.finished:
                session.pump(0.1)
                if ends_at is not None and time.monotonic() > ends_at:
                    ends_at = None
                    session.stop_run()
                if progress and time.monotonic() - last_print > 0.2:
                    last_print = time.monotonic()
                    print(
                        f"\r{run.done_count:,}/{settings.requests:,} done, "
                        f"{run.in_flight:,} in flight ",
                        end="",
                        file=sys.stderr,
                    )
        except KeyboardInterrupt:
            session.stop_run()
            deadline = time.monotonic() + STOP_GRACE_S
            while not run.finished and time.monotonic() < deadline:
                session.pump(0.1)
        if progress:
            print("\r" + " " * 40 + "\r", end="", file=sys.stderr)
    finally:
        session.close()
    return analyse(run.trace)
