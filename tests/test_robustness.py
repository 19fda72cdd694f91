"""Failures are shown, not hidden; limits are refused with a reason; the server stays local."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from _sessions import finish

import visualizer.runner.session as session_module
from server.app import create_app
from server.protocol import Outcome
from server.routes import STYLE_NAMES
from server.tracing import RunGate
from visualizer.model.analysis import analyse
from visualizer.model.settings import RunSettings
from visualizer.model.tracefile import MAX_FILE_BYTES, TraceFileError, read_trace
from visualizer.runner.session import FLUSH_TIMEOUT_S, Session

live = pytest.mark.live


@live
def test_a_handler_that_raises_is_counted_as_failed_with_its_status(session: Session) -> None:
    settings = RunSettings(style="async_sleep", concurrency=3, requests=9, work_ms=20, fail_every=3)
    result = analyse(finish(session, session.start_run(settings)).trace)
    assert (result.summary.ok, result.summary.failed) == (6, 3)
    assert result.summary.failures == {"HTTP 500": 3}
    assert any("3 requests failed (HTTP 500: 3)" in line for line in result.story)
    failed = result.trace.done.rows[result.trace.done.rows["outcome"] == Outcome.HTTP_ERROR]
    assert sorted(failed["request"].tolist()) == [3, 6, 9]


@live
def test_a_timeout_set_by_the_user_ends_requests_as_timeouts(session: Session) -> None:
    settings = RunSettings(
        style="async_blocking", concurrency=3, requests=3, work_ms=300, timeout_s=0.4
    )
    result = analyse(finish(session, session.start_run(settings)).trace)
    assert result.summary.failures.get("timeout", 0) >= 1
    assert result.summary.ok + result.summary.failed == 3
    # The server went on with the requests the client gave up on: the run shows it.
    assert result.summary.makespan_ms >= 850


@live
def test_the_server_dying_mid_run_is_reported_and_every_request_ends(session: Session) -> None:
    live_run = session.start_run(
        RunSettings(style="async_sleep", concurrency=4, requests=400, work_ms=300)
    )
    while live_run.sent_count < 4:
        session.pump(0.05)
    os.kill(session.hello["pid"], signal.SIGKILL)
    trace = finish(session, live_run).trace
    assert trace.ended.startswith("the server died: the server exited with status -9")
    sent = sorted(trace.sent.rows["request"].tolist())
    assert sorted(trace.done.rows["request"].tolist()) == sent
    assert set(trace.done.rows["outcome"].tolist()) <= {Outcome.CONNECTION, Outcome.CANCELLED}
    assert not session.server_running


@live
def test_concurrency_1000_runs_with_every_request_accounted_for(session: Session) -> None:
    settings = RunSettings(style="async_sleep", concurrency=1000, requests=1000, work_ms=300)
    result = analyse(finish(session, session.start_run(settings)).trace)
    assert result.summary.ok == 1000
    assert sorted(result.trace.done.rows["request"].tolist()) == list(range(1, 1001))


def test_concurrency_beyond_the_open_file_limit_is_refused_with_the_reason() -> None:
    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    done = subprocess.run(
        [sys.executable, "-m", "visualizer", "run", "--concurrency", "1000"],
        preexec_fn=low_limit,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "concurrency 1,000 needs about 1,024 open files" in done.stderr
    assert "allows at most 256" in done.stderr


@live
def test_a_low_open_file_limit_still_carries_what_it_can(tmp_path: Path) -> None:
    """At ulimit -n 64, concurrency 20 runs (the old guard refused even 1), and an HTTP
    style at 30, which needs two sockets a request in the server, is refused."""

    def limit_64() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    def schedviz(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "visualizer", "run", *args],
            preexec_fn=limit_64, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    ran = schedviz("--style", "async_sleep", "--concurrency", "20", "--requests", "40",
                   "--work-ms", "50", "--json")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["ok"] == 40
    refused = schedviz("--style", "async_http", "--concurrency", "30")
    assert refused.returncode == 2
    assert "concurrency 30 needs about 84 open files" in refused.stderr


@live
def test_the_server_listens_on_loopback_only(session: Session) -> None:
    port = session.hello["port"]
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1, and not 0.0.0.0
    assert (
        not Path("/proc/net/tcp6").exists()
        or f":{port:04X} " not in Path("/proc/net/tcp6").read_text()
    )


def test_the_server_has_no_route_beyond_the_styles() -> None:
    app = create_app(recorder=None, gate=RunGate(), upstream_port=1)
    paths = {route.path for route in app.routes}  # type: ignore[attr-defined]
    styles = {f"/{name}" for name in STYLE_NAMES if name != "mixed"}
    assert paths == styles | {"/raises"}, "no docs, no static files, nothing that touches files"


def test_a_huge_trace_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as sparse:  # sparse: takes no disk space
        sparse.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(TraceFileError, match="can be opened"):
        read_trace(huge)


@live
def test_a_run_never_hangs_on_a_loop_frozen_long_after_the_client_gave_up(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run waits for handlers the client gave up on while they make progress, but
    # never past its limit (120 s; 2 s here), then for the flush at most FLUSH_TIMEOUT_S.
    monkeypatch.setattr(session_module, "DRAIN_LIMIT_S", 2.0)
    settings = RunSettings(
        style="async_blocking", concurrency=2, requests=2, work_ms=20_000, timeout_s=0.3
    )
    started = time.monotonic()
    trace = finish(session, session.start_run(settings)).trace
    assert time.monotonic() - started < 2.0 + FLUSH_TIMEOUT_S + 10
    assert trace.ended.startswith("complete, but the server was still busy")
    assert set(trace.done.rows["outcome"].tolist()) == {Outcome.TIMEOUT}


@live
def test_stray_requests_neither_crash_the_server_nor_enter_the_run(session: Session) -> None:
    """Any local process can talk to the server: a 20-digit id, a nan, a negative id."""
    port = session.hello["port"]
    strays = [
        ("/async_sleep?work_ms=1", {"x-request-id": "99999999999999999999"}),
        ("/async_sleep?work_ms=nan", {"x-request-id": "3"}),
        ("/async_sleep?work_ms=1", {"x-request-id": "-5"}),
        ("/async_sleep?work_ms=inf", {"x-request-id": "2"}),  # sleeps for ever
    ]
    statuses = []
    for path, headers in strays:  # a connection each: uvicorn closes one after a 500
        try:
            response = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=1)
            statuses.append(response.status_code)
        except httpx.TimeoutException:
            statuses.append(0)
    assert statuses == [200, 500, 200, 0]  # as an untraced server answers them
    settings = RunSettings(style="async_sleep", concurrency=2, requests=4, work_ms=10)
    run = finish(session, session.start_run(settings))
    assert session.server_running, session.server_error
    assert run.trace.ended == "complete"
    stamped = set(run.trace.stamp.rows["request"].tolist())
    assert stamped <= {1, 2, 3, 4}
