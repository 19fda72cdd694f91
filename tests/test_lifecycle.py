"""The server and its upstream never outlive the app, however the app ends."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from _processes import alive, reap_children, wait_gone

from visualizer.model.settings import RunSettings
from visualizer.runner.loadgen import NICENESS
from visualizer.runner.session import Session

pytestmark = pytest.mark.live

APP = textwrap.dedent(
    """
    import json, sys, time
    from visualizer.runner.session import Session
    session = Session()
    hello = session.start_server()
    print(json.dumps([hello["pid"], hello["upstream_pid"]]), flush=True)
    if sys.argv[1] == "crash":
        raise RuntimeError("the app crashes without closing its session")
    time.sleep(60)
    """
)


@pytest.mark.parametrize("ending", ["sigkill", "crash"])
def test_the_app_ending_badly_leaves_no_server_after_3_s(ending: str) -> None:
    app = subprocess.Popen(
        [sys.executable, "-c", APP, ending],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert app.stdout is not None
    children = set(json.loads(app.stdout.readline()))
    assert all(alive(pid) for pid in children)
    if ending == "sigkill":
        app.send_signal(signal.SIGKILL)
    app.wait()
    app.stdout.close()
    assert wait_gone(children, timeout_s=3.0) == set()


def test_closing_the_session_ends_server_and_upstream() -> None:
    session = Session()
    hello = session.start_server()
    children = {hello["pid"], hello["upstream_pid"]}
    session.close()
    reap_children()
    assert wait_gone(children, timeout_s=3.0) == set()


def test_two_sessions_get_their_own_servers_on_their_own_ports() -> None:
    first, second = Session(), Session()
    try:
        a, b = first.start_server(), second.start_server()
        assert a["port"] != b["port"] and a["pid"] != b["pid"]
    finally:
        first.close()
        second.close()


def test_a_server_that_dies_is_reported_with_its_state() -> None:
    session = Session()
    try:
        hello = session.start_server()
        os.kill(hello["pid"], signal.SIGKILL)
        while session.server_running:
            session.pump(0.1)
        assert "exited with status -9" in session.server_state
    finally:
        session.close()


@pytest.mark.live
def test_the_load_generator_yields_cores_to_the_window_and_the_server(session: Session) -> None:
    """On 2 cores the client, the server and the window all want one: the client waits."""
    run = session.start_run(
        RunSettings(style="async_sleep", concurrency=2, requests=40, work_ms=20)
    )
    niceness: list[int] = []
    while not run.finished:
        session.pump(0.02)
        pid = run.client.pid if run.client is not None else None
        if pid is not None:  # it lowers its priority once it has started
            with contextlib.suppress(OSError):  # not yet started, or already gone
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                niceness.append(int(fields[16]))  # field 19 of stat: nice
    server = session.server.pid if session.server is not None else None
    assert niceness and max(niceness) == os.nice(0) + NICENESS > os.nice(0)
    assert server is not None
    ours = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
    assert int(ours[16]) == os.nice(0), "the server runs as the window does"
