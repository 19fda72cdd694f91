"""The window on a real server hosting a user's app (tests/_own_app.py, written to tmp_path):
a plan made from its routes, a recording, a failing lifespan fixed and retried, and the
scripted --run --screenshot path."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _own_app import LIFESPAN_FAILS, write_app
from _plot_area import check_window_plot
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from visualizer.app.app_failure_dialog import AppFailureDialog
from visualizer.app.launcher import EXIT_BAD_INPUT, ScriptedRun
from visualizer.app.main_window import MainWindow
from visualizer.model.request_plan import plan_from_words
from visualizer.model.timeline import LaneKind

pytestmark = pytest.mark.live

MakeWindow = Callable[..., MainWindow]
ROOT = Path(__file__).resolve().parents[2]
#: Importing FastAPI and the user's app on a busy 2-core machine, then a short run.
SERVER_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 60_000


def wait_for_routes(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.controls.plan_panel.form.route_box.isEnabled(), timeout=SERVER_TIMEOUT_MS
    )


def test_a_plan_made_from_the_apps_routes_runs_and_draws_loop_and_workers(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    app = write_app(tmp_path)
    window = make_window({"style": "", "app": app, "plan": None})
    wait_for_routes(qtbot, window)
    panel = window.controls.plan_panel
    panel.form.inputs[("path", "item_id")].setText("3")
    qtbot.mouseClick(panel.form.add_button, Qt.MouseButton.LeftButton)
    panel.form.select_route("GET /users/me")
    qtbot.mouseClick(panel.form.add_button, Qt.MouseButton.LeftButton)
    assert not panel.error.isVisible(), panel.error.text()
    window.controls.fields["concurrency"].setValue(4)
    window.controls.fields["requests"].setValue(6)
    assert window.controls.run_button.text().startswith("Run")
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.mouseClick(window.controls.run_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert result.trace.ended == "complete"
    assert result.summary.ok == 6
    labels = [lane.label for lane in result.timeline.lanes if lane.kind is LaneKind.REQUEST]
    assert labels[:2] == ["request 1 · GET /items/{item_id}", "request 2 · GET /users/me"]
    # The async def that sleeps holds the loop; the def and its dependency run on workers.
    loop = result.trace.loop.rows
    blocking = loop[(loop["end"] - loop["start"]) > 30_000_000]["request"].tolist()
    assert set(blocking) == {1, 3, 5}
    workers = set(result.trace.worker.rows["request"].tolist())
    assert {2, 4, 6} <= workers
    assert "shop_api:app" in window.summary.story.text()
    assert "shop_api:app: 6 of 6 done" in window.status.progress_label.text()
    image = window.grab().toImage()
    check_window_plot(image, window.timeline.plot, window).assert_ok(min_lanes=7)


def test_a_recording_traces_what_arrives_until_stop(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    app = write_app(tmp_path)
    window = make_window({"style": "", "app": app, "plan": None})
    wait_for_routes(qtbot, window)
    assert window.run_action.text() == "&Record"
    window.run_action.trigger()
    qtbot.waitUntil(lambda: window.driver.live, timeout=RUN_TIMEOUT_MS)
    address = window.address()
    qtbot.waitUntil(
        lambda: f"send requests to {address}" in window.status.progress_label.text(),
        timeout=RUN_TIMEOUT_MS,
    )
    with httpx.Client(base_url=address) as client:  # the user's own traffic
        assert client.get("/items/9").status_code == 200
        assert client.get("/users/me").status_code == 200
    qtbot.waitUntil(lambda: window.driver.run.done_count == 2, timeout=RUN_TIMEOUT_MS)  # type: ignore[union-attr]
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        window.stop_action.trigger()
    result = done.args[0]
    assert result.summary.requests == 2
    labels = [lane.label for lane in result.timeline.lanes if lane.kind is LaneKind.REQUEST]
    assert labels == ["request 1 · GET /items/{item_id}", "request 2 · GET /users/me"]


def test_a_failing_lifespan_is_told_with_the_users_traceback_and_retry_serves_the_fix(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    app = write_app(tmp_path, LIFESPAN_FAILS)
    window = make_window({"style": "", "app": app, "plan": None})
    qtbot.waitUntil(lambda: window.hosting.failure_dialog is not None, timeout=SERVER_TIMEOUT_MS)
    dialog = window.hosting.failure_dialog
    assert isinstance(dialog, AppFailureDialog)
    assert dialog.text() == "The lifespan of shop_api:app failed at startup"
    assert f'File "{tmp_path.resolve() / "shop_api.py"}"' in dialog.detailedText()
    assert "ConnectionError: database at localhost:5432" in dialog.detailedText()
    assert "site-packages" not in dialog.detailedText()  # their frames, not ours
    assert window.banner.isVisible()
    write_app(tmp_path)  # the user fixes their code
    qtbot.mouseClick(dialog.choices[AppFailureDialog.RETRY], Qt.MouseButton.LeftButton)
    wait_for_routes(qtbot, window)
    assert not window.banner.isVisible()
    assert window.controls.plan_panel.form.route_box.currentText().startswith("GET /items/")


def test_the_scripted_run_of_an_app_saves_its_picture(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    app = write_app(tmp_path)
    plan = plan_from_words([("request", "GET /items/1"), ("request", "GET /users/me")])
    preset = {"style": "", "app": app, "plan": plan, "concurrency": 3, "requests": 4}
    out = tmp_path / "window.png"
    window = make_window(preset)
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    script = ScriptedRun(window, str(out), quit_after=False, app=application)
    qtbot.waitUntil(out.exists, timeout=RUN_TIMEOUT_MS)
    assert script.exit_code == 0
    assert window.windowTitle() == "schedviz: shop_api:app"
    check_window_plot(QImage(str(out)), window.timeline.plot, window).assert_ok(min_lanes=5)


def test_a_scripted_recording_stops_after_its_duration(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    app = write_app(tmp_path)
    out = tmp_path / "recording.png"
    window = make_window({"style": "", "app": app, "plan": None})
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    script = ScriptedRun(window, str(out), False, application, duration_s=2.0)
    qtbot.waitUntil(lambda: window.driver.live, timeout=SERVER_TIMEOUT_MS)
    httpx.get(f"{window.address()}/users/me")
    qtbot.waitUntil(out.exists, timeout=RUN_TIMEOUT_MS)
    assert script.exit_code == 0
    assert window.result is not None and window.result.summary.requests == 1


def test_a_scripted_run_of_an_app_that_fails_exits_2_with_the_users_traceback(
    qtbot: QtBot,
    make_window: MakeWindow,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = write_app(tmp_path, LIFESPAN_FAILS)
    window = make_window({"style": "", "app": app, "plan": None})
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    script = ScriptedRun(window, None, quit_after=True, app=application)
    qtbot.waitUntil(lambda: script.exit_code != 0, timeout=SERVER_TIMEOUT_MS)
    assert script.exit_code == EXIT_BAD_INPUT
    assert window.hosting.failure_dialog is None  # nobody there to answer it
    err = capsys.readouterr().err
    assert "schedviz: your app could not be served: the app's lifespan failed" in err
    assert "in connect_database" in err


def test_the_command_line_opens_the_window_on_an_app_and_refuses_a_route_it_lacks(
    tmp_path: Path,
) -> None:
    write_app(tmp_path)
    out = tmp_path / "window.png"
    base = [sys.executable, "-m", "visualizer", "--app", "shop_api:app", "--app-dir", str(tmp_path)]
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    good = [*base, "--request", "GET /items/1", "--concurrency", "2", "--requests", "2"]
    finished = subprocess.run(
        [*good, "--run", "--screenshot", str(out), "--quit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr.decode()
    assert not QImage(str(out)).isNull()

    wrong = [*base, "--request", "GET /item/1", "--run", "--quit"]
    finished = subprocess.run(wrong, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert finished.returncode == EXIT_BAD_INPUT
    # The last line: Qt's offscreen platform may say something of its own before it.
    assert finished.stderr.decode().strip().splitlines()[-1] == (
        "schedviz: cannot run: no route of shop_api:app matches GET /item/1; "
        "did you mean GET /items/{item_id}?"
    )
