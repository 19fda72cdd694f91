"""The picture of a run of the user's own app names the app and its requests instead of a
style and a work time (the window's own-app behaviour: test_own_app_window.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import analyse
from visualizer.model.request_plan import plan_from_words
from visualizer.model.settings import AppTarget
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
