"""The window and the picture with the user's own app (``schedviz --app``): runs are of
the app and its plan, whatever the style box or an opened file says, and the picture
names the app and its requests instead of a style and a work time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.settings_store import SettingsStore
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import analyse
from visualizer.model.request_plan import plan_from_words
from visualizer.model.settings import AppTarget, RunSettings
from visualizer.model.tracefile import read_trace

MakeWindow = Callable[..., MainWindow]
DATA = Path(__file__).resolve().parents[1] / "data"
APP = AppTarget("shop.main:app", "/somewhere/shop")
PLAN = plan_from_words([("request", "GET /products/search?q=oak+desk"), ("weight", "3")])


def test_the_picture_of_an_app_run_names_the_app_and_its_requests(qtbot: QtBot) -> None:
    result = analyse(read_trace(DATA / "shop_search_mix_c4_n8.json"))
    picture = TimelinePicture.of_run(result)
    assert picture.title == "shop.main:app: what FastAPI did with 8 requests"
    assert picture.caption.startswith(
        "GET /products/search?q=oak+desk, GET /products/search-def?q=oak+desk; "
        "concurrency 4, requests 8, pool 40."
    )
    assert "work" not in picture.caption
    style = TimelinePicture.of_run(analyse(read_trace(DATA / "sync_sleep_c6_p2_w200.json")))
    assert style.title.startswith("sync_sleep: ")
    assert style.caption.startswith("concurrency 6, requests 6, work 200 ms, pool 2.")


def test_a_window_serving_an_app_runs_the_app_with_its_plan(make_window: MakeWindow) -> None:
    first = make_window(show=False)
    first.controls.style_box.setCurrentText("sync_cpu")
    first.close()
    preset = {"style": "", "app": APP, "plan": PLAN, "concurrency": 3, "requests": 6}
    window = make_window(preset, show=False)
    assert window.controls.settings() == RunSettings(
        style="", app=APP, plan=PLAN, concurrency=3, requests=6
    )
    assert not window.controls.style_box.isEnabled()
    assert window.controls.fields["work_ms"].isReadOnly()
    assert not window.controls.fields["concurrency"].isReadOnly()
    window.controls.show_code()
    assert "shop.main:app" in window.controls.code_view.expect.text()
    assert "GET /products/search?q=oak+desk (x3)" in window.controls.code_view.expect.text()
    # An opened run of a style shows its numbers; the window still serves the app.
    assert window.files.open(DATA / "sync_sleep_c6_p2_w200.json") is not None
    assert window.controls.settings().app == APP
    assert window.controls.settings().concurrency == 6
    window.close()
    # The style remembered from before is kept; the app is given with --app each time.
    remembered = SettingsStore().run_settings()
    assert remembered == RunSettings(style="sync_cpu", concurrency=6, requests=6, pool=2)
