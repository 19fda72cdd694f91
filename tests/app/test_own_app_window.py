"""The window on the user's own app, without a server: the hello's route table is handed
to it as the server would hand it, and failures as the session reports them.

What a real server does with the plan is in test_own_app_window_live.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _own_app import ROUTES
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from visualizer.app.app_failure_dialog import AppFailureDialog
from visualizer.app.app_target_dialog import AppTargetDialog
from visualizer.app.main_window import MainWindow
from visualizer.app.server_target import ServerTarget
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.plot import LaneAxis
from visualizer.model.request_plan import PlannedRequest, RequestPlan
from visualizer.model.settings import AppTarget, SettingError
from visualizer.runner.session import AppFailure

MakeWindow = Callable[..., MainWindow]
APP = AppTarget("shop_api:app", "/project")
APP_TRACE = Path(__file__).parents[1] / "data" / "apps" / "shop_api_c3_n9.json"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/project/shop_api.py", line 11, in lifespan\n'
    "    connect_database()\n"
    "ConnectionError: database at localhost:5432 refused the connection\n"
)


def app_window(make_window: MakeWindow, plan: RequestPlan | None = None) -> MainWindow:
    """A window on the app, as ``schedviz --app shop_api:app`` opens it."""
    return make_window({"style": "", "app": APP, "plan": plan})


def serve(window: MainWindow, routes: list[dict[str, Any]] | None = None) -> None:
    """What the server's hello does to the window: it runs, with these routes."""
    window.driver.session.hello = {"port": 8123, "routes": ROUTES if routes is None else routes}
    window.driver.server_state_changed.emit("running")


def fail(window: MainWindow, stage: str = "lifespan") -> AppFailure:
    """What a 'failed' frame of the server does: the session says why, in the user's terms."""
    session = window.driver.session
    failure = AppFailure(
        stage,
        "the app's lifespan failed at startup: ConnectionError: database at "
        "localhost:5432 refused the connection",
        TRACEBACK,
    )
    session.app_failure, session.server_error = failure, failure.message
    window.driver.server_state_changed.emit(session.server_state)
    return failure


def count_launches(window: MainWindow) -> list[int]:
    launches: list[int] = []
    window.driver.launch_server = lambda: launches.append(1)  # type: ignore[method-assign]
    return launches


def test_an_app_shows_its_plan_instead_of_the_style_fields(make_window: MakeWindow) -> None:
    window = app_window(make_window)
    controls = window.controls
    assert window.driver.session.app == APP
    assert controls.target_bar.box.currentText() == "shop_api:app"
    assert controls.style_box.isHidden()
    assert controls.fields["work_ms"].isHidden() and controls.fields["fail_every"].isHidden()
    assert not controls.fields["pool"].isHidden()
    assert controls.tabs.tabText(0) == "Re&quests"
    assert window.windowTitle() == "schedviz: shop_api:app"
    assert not window.presentation.style_action.isVisible()  # an app has no styles
    serve(window)
    assert window.status.server_label.text() == "Server: running shop_api:app on port 8123"
    assert not window.compare_action.isEnabled()  # two styles; an app has none


def test_the_route_picker_lists_the_apps_routes_with_fields_from_its_examples(
    make_window: MakeWindow,
) -> None:
    window = app_window(make_window)
    form = window.controls.plan_panel.form
    assert not form.route_box.isEnabled()  # until the app has said hello
    serve(window)
    items = [form.route_box.itemText(i) for i in range(form.route_box.count())]
    assert items == [
        "GET /items/{item_id} · read_item",
        "GET /users/me · read_me",
        "POST /orders · create_order",
        "GET /docs · swagger_ui_html",  # FastAPI's own, last
    ]
    assert sorted(form.inputs) == [("path", "item_id"), ("query", "q")]
    assert form.inputs[("query", "q")].text() == "shoes"
    assert form.inputs[("path", "item_id")].placeholderText() == "required"
    assert not form.form.isRowVisible(form.body)  # a GET with no body
    form.select_route("POST /orders")
    assert form.inputs == {}
    assert form.form.isRowVisible(form.body)
    assert form.body.toPlainText() == '{\n  "item": 7,\n  "quantity": 2\n}'


def test_requests_added_form_the_plan_and_an_empty_plan_records(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = app_window(make_window)
    serve(window)
    panel = window.controls.plan_panel
    assert window.run_action.text() == "&Record"
    assert window.controls.run_button.text() == "Record  (Ctrl+R)"
    assert not window.controls.fields["concurrency"].isEnabled()
    assert window.controls.settings().passive

    panel.form.inputs[("path", "item_id")].setText("5")
    panel.form.weight.setValue(9)
    qtbot.mouseClick(panel.form.add_button, Qt.MouseButton.LeftButton)
    panel.form.select_route("POST /orders")
    window.activateWindow()  # shortcuts go to the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(panel.form.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not panel.error.isVisible()
    settings = window.controls.settings()
    assert settings.app == APP and settings.style == ""
    assert settings.plan is not None
    assert [(r.label, r.weight) for r in settings.plan.requests] == [
        ("GET /items/5?q=shoes", 9),
        ("POST /orders", 1),
    ]
    assert settings.plan.requests[1].body == '{\n  "item": 7,\n  "quantity": 2\n}'
    assert window.run_action.text() == "&Run"
    assert window.controls.fields["concurrency"].isEnabled()

    panel.table._weight_box(1).setValue(3)  # the weight, edited in the table
    # Its spin box fits its column, arrows and all, at the largest weight.
    box = panel.table._weight_box(1)
    assert box.width() >= box.sizeHint().width()
    assert panel.table.columnWidth(1) >= box.sizeHint().width()
    assert [r.weight for r in window.controls.plan_panel.plan().requests] == [9, 3]  # type: ignore[union-attr]
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.plan() is None
    assert window.run_action.text() == "&Record"


def test_what_cannot_be_sent_is_refused_in_the_panel(make_window: MakeWindow) -> None:
    window = app_window(make_window)
    serve(window)
    panel = window.controls.plan_panel
    panel.add()  # item_id left empty
    assert panel.error.isVisible()
    assert "path parameter item_id needs a value" in panel.error.text()
    panel.form.select_route("POST /orders")
    panel.form.body.setPlainText('{"item": 7,')
    panel.add()
    assert "is not JSON" in panel.error.text()
    assert panel.plan() is None

    # A plan from elsewhere (a file, the command line) that the app cannot take.
    panel.set_plan(RequestPlan((PlannedRequest("GET", "/item/1"),)))
    assert panel.error.text() == (
        "no route of shop_api:app matches GET /item/1; did you mean GET /items/{item_id}?"
    )
    panel.table.selectRow(0)
    panel.table.remove_selected()
    assert not panel.error.isVisible()


def test_the_plan_is_saved_and_opened_as_toml(make_window: MakeWindow, tmp_path: Path) -> None:
    plan = RequestPlan(
        (
            PlannedRequest("GET", "/items/1", (("Authorization", "Bearer t"),), weight=9),
            PlannedRequest("POST", "/orders", body='{"item": 7}'),
        )
    )
    window = app_window(make_window, plan)
    panel = window.controls.plan_panel
    saved = panel.save_plan(tmp_path / "plan.toml")
    assert saved is not None
    assert RequestPlan.read(saved) == plan
    panel.set_plan(None)
    assert panel.open_plan(saved) == plan
    assert panel.plan() == plan

    broken = tmp_path / "broken.toml"
    broken.write_text('[[request]]\nmethod = "GET"\npath = "items"\n', encoding="utf-8")
    assert panel.open_plan(broken) is None
    assert panel.error.text().startswith("broken.toml, line 3: request 1: path 'items' is not")
    assert panel.plan() == plan  # the plan shown is kept


def test_the_code_tab_shows_the_chosen_routes_endpoint_and_dependencies(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = app_window(make_window)
    controls = window.controls
    qtbot.waitUntil(lambda: controls._code_wanted)  # after the window's first show
    assert "appear here once it has started" in controls.code_view.expect.text()
    serve(window)
    code = controls.code_view.code.toPlainText()
    assert code.startswith('# shop_api.py:24 · async def read_item\n@app.get("/items/{item_id}")')
    controls.plan_panel.form.select_route("GET /users/me")
    code = controls.code_view.code.toPlainText()
    assert code.startswith("# shop_api.py:30 · def read_me")
    assert "# shop_api.py:9 · dependency def current_user" in code
    assert "on a threadpool worker" in controls.code_view.expect.text()


def test_the_target_bar_switches_the_server_between_the_styles_and_the_app(
    make_window: MakeWindow,
) -> None:
    window = app_window(make_window)
    launches = count_launches(window)
    bar = window.controls.target_bar
    bar.box.activated.emit(0)  # "Built-in styles"
    assert window.driver.session.app is None
    assert launches == [1]
    assert not window.controls.style_box.isHidden()
    assert window.controls.tabs.count() == 1  # the code alone
    assert window.presentation.style_action.isVisible()  # presentation's style picker
    assert bar.box.itemText(1) == "shop_api:app"  # the way back
    assert window.windowTitle().startswith("schedviz: what FastAPI does")
    bar.box.activated.emit(1)
    assert window.driver.session.app == APP
    assert launches == [1, 1]


def test_the_target_and_each_apps_plan_are_remembered(make_window: MakeWindow) -> None:
    plan = RequestPlan((PlannedRequest("GET", "/users/me", weight=2),))
    first = app_window(make_window, plan)
    first.close()
    again = make_window()
    assert again.hosting.target == ServerTarget(APP, 0)
    assert again.controls.plan_panel.plan() == plan
    again.close()
    styles = make_window({"style": "sync_sleep"})  # the command line's choice wins
    assert styles.hosting.target == ServerTarget()
    assert styles.controls.target_bar.box.itemText(1) == "shop_api:app"


def test_a_trip_to_a_mistyped_app_loses_no_plan(make_window: MakeWindow) -> None:
    """A user with a plan opened a mistyped app, saw it fail, went back: the plan was
    gone, replaced by the mistyped app's empty one (one slot for every app)."""
    plan = RequestPlan((PlannedRequest("GET", "/users/me", weight=2),))
    window = app_window(make_window, plan)
    count_launches(window)
    typo = AppTarget("shop_apy:app", "/project")
    window.hosting.use(ServerTarget(typo, 0))
    assert window.controls.plan_panel.plan() is None
    window.hosting.use(ServerTarget(APP, 0))
    assert window.controls.plan_panel.plan() == plan
    # The same module in another folder is another app, with a plan of its own.
    window.hosting.use(ServerTarget(AppTarget("shop_api:app", "/elsewhere"), 0))
    assert window.controls.plan_panel.plan() is None


def test_an_app_that_cannot_be_served_says_why_and_offers_retry(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = app_window(make_window)
    launches = count_launches(window)
    fail(window)
    dialog = window.hosting.failure_dialog
    assert isinstance(dialog, AppFailureDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.text() == "The lifespan of shop_api:app failed at startup"
    assert "refused the connection" in dialog.informativeText()
    assert dialog.detailedText() == TRACEBACK  # theirs, whole
    assert window.banner.isVisible()
    assert window.banner.restart.text() == "Retry"
    assert 'File "/project/shop_api.py", line 11' in window.banner.message.text()
    assert not window.run_action.isEnabled()
    qtbot.mouseClick(dialog.choices[AppFailureDialog.RETRY], Qt.MouseButton.LeftButton)
    assert launches == [1]
    assert window.hosting.failure_dialog is None

    fail(window, stage="module")  # the next launch fails too: told again
    dialog = window.hosting.failure_dialog
    assert dialog is not None
    assert dialog.text() == "The module of shop_api:app cannot be found"
    qtbot.mouseClick(dialog.choices[AppFailureDialog.STYLES], Qt.MouseButton.LeftButton)
    assert window.hosting.target == ServerTarget()
    assert launches == [1, 1]


def test_the_banners_way_back_to_the_styles(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = app_window(make_window)
    count_launches(window)
    fail(window)
    assert window.hosting.failure_dialog is not None
    window.hosting.failure_dialog.reject()
    qtbot.mouseClick(window.banner.styles, Qt.MouseButton.LeftButton)
    assert window.hosting.target.app is None


def test_the_app_dialog_refuses_what_uvicorn_could_not_import(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AppTargetDialog(None)
    qtbot.addWidget(dialog)
    dialog.spec.setText("shop_api.app")
    dialog.folder.setText(str(tmp_path))
    dialog.accept()
    assert dialog.result() == 0
    assert "is not of the form module:attribute" in dialog.error.text()
    dialog.folder.setText(str(tmp_path / "nowhere"))
    with pytest.raises(SettingError, match="is not a folder"):
        dialog.target()
    dialog.spec.setText("shop_api:app")
    dialog.folder.setText(str(tmp_path))
    dialog.factory.setChecked(True)
    dialog.port.setValue(8000)
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.target() == ServerTarget(AppTarget("shop_api:app", str(tmp_path), True), 8000)


def test_an_opened_run_of_an_app_is_named_by_the_app_and_shows_its_routes_code(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    result = window.files.open(APP_TRACE)
    assert result is not None
    assert "shop_api:app" in window.summary.story.text()
    assert "Opened shop_api_c3_n9.json: shop_api:app" in window.status.progress_label.text()
    code = window.controls.code_view.code.toPlainText()
    assert "# ── GET /users/me ──" in code
    assert "# shop_api.py:28 · def read_me" in code
    lanes = [label for label in window.timeline.axis.labels if label.startswith("request")]
    assert len(lanes) == 9
    assert all(
        re.fullmatch(r"request \d · (GET /items/\{item_id\}|GET /users/me|POST /orders)", label)
        for label in lanes
    ), lanes
    picture = TimelinePicture.of_run(result)
    assert picture.title == "shop_api:app: what FastAPI did with 9 requests"
    assert picture.caption.startswith("GET /items/1 (x2), GET /users/me, POST /orders;")


def test_long_lane_labels_lose_the_start_of_the_path_then_the_word_request(
    qtbot: object,
) -> None:
    axis = LaneAxis()
    labels = [f"request {n} · GET /api/v1/items/{{item_id}}" for n in range(1, 13)]
    axis.set_labels(["event loop", *labels, "request 13 · POST /orders"])
    metrics = QFontMetrics(axis.label_font)

    def plot_for(text: str) -> float:
        """A plot wide enough for an axis (30 % of it) that holds ``text`` and a little."""
        return (metrics.horizontalAdvance(text) + 14 + 4) / 0.3

    for plot_px, start in (
        (plot_for(labels[-1]), "request 12 · GET /api/"),  # room for all of it
        (plot_for("request 12 · GET …/items/{item_id}"), "request 12 · GET …"),
        (plot_for("12 · GET …/{item_id}"), "12 · GET …"),
    ):
        axis.cap_width(plot_px)
        shown = axis.tickStrings([12.5, 13.5], 1.0, 1.0)
        room = axis.wanted_width - 14
        assert all(metrics.horizontalAdvance(text) <= room for text in shown), shown
        # The number, the method and the end of the path; every lane shortened alike.
        assert shown[0].startswith(start) and shown[0].endswith("{item_id}"), shown
        prefix = "request 13 · " if start.startswith("request") else "13 · "
        assert shown[1] == prefix + "POST /orders", shown


def test_routes_that_share_their_start_keep_where_they_differ() -> None:
    """``GET /api/items/{item_id}`` (async) and ``GET /api/sync-items/{item_id}`` (def)
    both read ``GET …ems/{item_id}`` cut from the left, on a 1280 px screen: the pair a
    user came to compare. The shared ``/api/`` goes first, the rest keeps its start."""
    axis = LaneAxis()
    routes = ["GET /api/items/{item_id}", "GET /api/sync-items/{item_id}"]
    axis.set_labels(["event loop", *(f"request {n} · {routes[n % 2]}" for n in range(1, 13))])
    metrics = QFontMetrics(axis.label_font)
    axis.cap_width((metrics.horizontalAdvance("12 · GET …/sync-it…") + 14 + 4) / 0.3)
    shown = axis.tickStrings([11.5, 12.5], 1.0, 1.0)
    room = axis.wanted_width - 14
    assert all(metrics.horizontalAdvance(text) <= room for text in shown), shown
    assert shown[0].startswith("11 · GET …/sync-") and shown[1].startswith("12 · GET …/items"), (
        shown
    )
