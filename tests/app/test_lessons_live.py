"""Lessons with real servers: a lesson given live in the window with the clicker keys, and
the scheduling model's shapes against fresh runs recorded by ``schedviz lesson --record``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _shapes import assert_own_shape_is_closest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from visualizer.app.lesson_player import Beat
from visualizer.app.main_window import MainWindow
from visualizer.cli import main
from visualizer.model.analysis import analyse
from visualizer.model.lesson import Lesson
from visualizer.model.tracefile import read_trace

pytestmark = pytest.mark.live

LIVE_LESSON = """\
title = "live"

[[step]]
title = "blocking"
question = "Three requests at once call time.sleep(0.06) in async def. How long?"
run = { style = "async_blocking", concurrency = 3, requests = 3, work_ms = 60 }
choices = ["all_at_once", "one_at_a_time"]
takeaway = "One at a time."

[[step]]
title = "the fix"
question = "And offloaded?"
compare = [
    { style = "async_blocking", concurrency = 3, requests = 3, work_ms = 60 },
    { style = "async_offload", concurrency = 3, requests = 3, work_ms = 60 },
]
choices = ["all_at_once", "one_at_a_time"]
takeaway = "Together."
"""


def test_a_lesson_is_given_live_with_the_clicker_keys(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "live.toml"
    path.write_text(LIVE_LESSON)
    window = make_window()
    qtbot.waitUntil(lambda: window.driver.session.server_running, timeout=60_000)
    lesson = window.lesson_menu.start(path)
    assert lesson is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    player = window.lessons
    for number, step in enumerate(lesson.steps):
        QTest.keyClick(window, Qt.Key.Key_B)
        QTest.keyClick(window, Qt.Key.Key_PageDown)
        assert player.beat == Beat.RUN and player.running
        QTest.keyClick(window, Qt.Key.Key_PageUp)  # not while a live run goes
        assert player.beat == Beat.RUN
        qtbot.waitUntil(lambda: not player.running, timeout=60_000)
        assert player.was_recorded[number] is False, "the server runs: the runs are live"
        results = player.results[number]
        assert [r.trace.settings.style for r in results] == [r.style for r in step.runs]
        assert all(r.trace.ended == "complete" for r in results)
        assert "measured live" in window.prompt.heading.text()
        words = window.prompt.body.text()
        assert words.startswith("You predicted B, one at a time")
        plot = window.comparison.plots[1] if step.is_comparison else window.timeline.plot
        assert plot.ghost.prediction is not None
        QTest.keyClick(window, Qt.Key.Key_PageDown)
        assert window.prompt.body.text() == step.takeaway
        QTest.keyClick(window, Qt.Key.Key_PageDown)
    assert player.ended
    # Blocking took one at a time, its fix all at once: the measurement says so.
    assert "closest to B, one at a time" in _said(player, 0)
    assert "async_offload took" in _said(player, 1) and "closest to A, all at once" in _said(
        player, 1
    )


def _said(player: object, step: int) -> str:
    from visualizer.app.predict_mode import revealed_words

    lesson_player = player  # a LessonPlayer
    results = lesson_player.results[step]  # type: ignore[attr-defined]
    lesson = lesson_player.lesson  # type: ignore[attr-defined]
    chosen = lesson.steps[step]
    subject = chosen.predicted.subject if chosen.is_comparison else "It"
    return revealed_words(None, results[chosen.predicts], chosen.candidates(), subject)


RECORDED_LESSON = """\
title = "shapes"
{steps}
"""
STEP = """
[[step]]
question = "{style}?"
run = {{ style = "{style}", concurrency = {c}, requests = {c}, work_ms = 100, pool = {p} }}
choices = ["all_at_once", "one_at_a_time"]
takeaway = "Measured."
trace = "runs/{style}.json"
"""
#: A run of each kind of shape: awaited, on the loop, in waves of P, turns on the GIL,
#: two trips to the pool, the loop's own executor. Not the process pool: its processes
#: compute side by side only on cores nobody else takes, which a loaded 2-core machine
#: does not promise (its recording in the lessons was made on a quiet one).
SHAPES = [
    ("async_sleep", 6, 40),
    ("async_blocking", 4, 40),
    ("sync_sleep", 6, 2),
    ("sync_cpu", 3, 3),
    ("def_response_model", 4, 2),
    ("async_to_thread", 12, 2),
]


def test_fresh_runs_are_closest_to_the_shape_of_their_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``schedviz lesson --record`` makes each step's run on a real server and writes it;
    each run is then held to the scheduling model as the recorded ones are."""
    steps = "".join(STEP.format(style=s, c=c, p=p) for s, c, p in SHAPES)
    path = tmp_path / "shapes.toml"
    path.write_text(RECORDED_LESSON.format(steps=steps))
    assert main(["lesson", str(path), "--record"]) == 0
    out = capsys.readouterr().out
    assert out.count(" -> ") == len(SHAPES)
    lesson = Lesson.read(path)  # its recordings exist now
    for step in lesson.steps:
        (trace,) = step.traces
        assert trace is not None
        result = analyse(read_trace(trace))
        distances = assert_own_shape_is_closest(result)
        print(step.runs[0].style, {k: round(v, 3) for k, v in distances.items()})
