"""The example shop (visualizer/examples/shop) as the tests host it: where it is, and runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

import visualizer
from server.protocol import NO_REQUEST
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.request_plan import plan_from_words
from visualizer.model.settings import AppTarget, RunSettings
from visualizer.runner.session import Session

#: The example project, from our package: the same folder an installed schedviz ships.
SHOP_DIR = Path(visualizer.__file__).resolve().parent / "examples" / "shop"
SHOP = AppTarget("shop.main:app", str(SHOP_DIR))
SEARCH = "GET /products/search?q=oak+desk"
SEARCH_DEF = "GET /products/search-def?q=oak+desk"
API_KEY = "x-api-key: demo-key-1"


def run_shop(
    session: Session,
    words: Sequence[tuple[str, str]],
    concurrency: int,
    requests: int,
    pool: int = 40,
) -> RunResult:
    """One run of the plan the command line's words give, to its end."""
    settings = RunSettings(
        style="",
        app=SHOP,
        plan=plan_from_words(words),
        concurrency=concurrency,
        requests=requests,
        pool=pool,
    )
    live = session.start_run(settings)
    while not live.finished:
        session.pump(0.1)
    assert live.trace.ended == "complete", live.trace.ended
    return analyse(live.trace)


def pump_until(
    session: Session, done: Callable[[], bool], what: str, timeout_s: float = 30
) -> None:
    """Pump the session until ``done()``; fail naming ``what`` if it takes too long."""
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, f"no {what} within {timeout_s:g} s"
        session.pump(0.05)


def handler_slices(result: RunResult, longer_than_ms: float = 0.0) -> npt.NDArray[np.void]:
    """The loop's slices that ran a request's code, by start, at least this long."""
    loop = result.trace.loop.rows
    long_enough = loop["end"] - loop["start"] >= longer_than_ms * 1e6
    slices = loop[(loop["request"] != NO_REQUEST) & long_enough]
    return np.sort(slices, order="start")


def routes(result: RunResult) -> dict[int, str]:
    """The route that served each request, as the server named it."""
    trace = result.trace
    rows = trace.route.rows
    return {
        int(request): trace.labels[int(label)]
        for request, label in zip(rows["request"], rows["label"], strict=True)
    }
