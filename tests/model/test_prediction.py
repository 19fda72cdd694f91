"""Predictions against measured runs: the style's own shape is the nearest, and the words say why.

Every recorded run that ships or is kept for tests (tests/data, the window's
examples, the lessons' recordings) is compared with every shape of the scheduling
model worked out for its settings. The shape its style should take must be the
closest one, or look the same as the closest (with P >= C, "in waves of P" is
"all at once"). The live tests make fresh runs and hold them to the same.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from _shapes import assert_own_shape_is_closest

from visualizer.model.analysis import RunResult, analyse
from visualizer.model.comparison import compare_runs, headline, run_names
from visualizer.model.lesson_library import LESSONS_DIR
from visualizer.model.prediction import (
    Prediction,
    because,
    closest,
    verdict,
)
from visualizer.model.scheduling import EXPECTED, Workload, predict
from visualizer.model.tracefile import TraceFileError, read_trace

ROOT = Path(__file__).resolve().parents[2]
RECORDED = sorted(
    [
        *(ROOT / "tests" / "data").glob("*.json"),
        *(ROOT / "visualizer" / "examples").glob("*.json"),
        *(LESSONS_DIR / "traces").glob("*.json"),
    ]
)


@cache
def _result(path: Path) -> RunResult:
    return analyse(read_trace(path))


def _readable(path: Path) -> bool:
    """Recordings of styles this copy lacks (a branch without them) cannot be read."""
    try:
        _result(path)
    except TraceFileError as error:
        assert "unknown style" in str(error), error
        return False
    return True


@pytest.mark.parametrize(
    "path",
    [p for p in RECORDED if _readable(p) and _result(p).trace.settings.style in EXPECTED],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_a_recorded_run_is_closest_to_the_shape_of_its_style(path: Path) -> None:
    assert_own_shape_is_closest(_result(path))


def test_the_recordings_cover_every_kind_of_shape_the_lessons_ask_about() -> None:
    styles = {_result(p).trace.settings.style for p in RECORDED if _readable(p)}
    shapes = {EXPECTED[s] for s in styles if s in EXPECTED}
    assert {"all_at_once", "one_at_a_time", "waves_of_pool", "gil_turns"} <= shapes


def test_closest_picks_among_the_offered_only() -> None:
    result = _result(ROOT / "tests" / "data" / "sync_sleep_c6_p2_w200.json")
    workload = Workload.of(result.trace.settings, 2)
    offered = [predict(key, workload) for key in ("all_at_once", "gil_turns", "waves_of_pool")]
    assert closest(offered, result) == 2
    assert closest(offered[:2], result) in (0, 1)  # neither is right; one is nearer


def _sentence(name: str, key: str | None, makespan_s: float = 0.0) -> str:
    result = _result(ROOT / "tests" / "data" / name)
    if key is None:
        return verdict(Prediction(makespan_s), result)
    candidate = predict(key, Workload.of(result.trace.settings, 2))
    return verdict(Prediction(candidate.makespan_s, candidate, "A"), result)


def test_the_verdict_says_what_was_predicted_what_it_took_and_the_measured_reason() -> None:
    words = _sentence("async_blocking_c5_w200.json", "all_at_once")
    assert words.startswith("You predicted A, all at once: about 0.20 s. It took 1.02 s, 5.1")
    assert "the requests held the event loop one after another, up to 20" in words
    # Five blocks of 201 ms in a run of 1.01 s: each is under a fifth of the run, and
    # together they are the reason.
    blocking = because(_result(LESSONS_DIR / "traces" / "async_or_def-2.json"))
    assert blocking == "the requests held the event loop one after another, up to 201 ms each"
    words = _sentence("sync_sleep_c6_p2_w200.json", "waves_of_pool")
    assert "about as predicted" in words
    assert "all 2 workers of the pool of 2 were busy and 4 requests waited for one" in words
    words = _sentence("async_sleep_c10_w200.json", "one_at_a_time")
    assert "sooner" in words and "the event loop stayed free" in words


def test_the_gil_is_the_reason_only_where_workers_computed_together() -> None:
    cpu = because(_result(ROOT / "tests" / "data" / "sync_cpu_c4_p4_w100.json"))
    assert cpu.startswith("the workers took turns on the GIL")
    # The loop's slice that the computing threads starved held nobody up: not a reason.
    assert "held the event loop" not in cpu
    assert "GIL" not in because(_result(ROOT / "tests" / "data" / "sync_sleep_c6_p2_w200.json"))


def test_a_dragged_makespan_is_a_prediction_too() -> None:
    words = _sentence("async_blocking_c5_w200.json", None, makespan_s=0.45)
    assert words.startswith("You predicted 0.45 s. It took 1.02 s, 2.3")


def test_two_runs_of_one_style_are_told_apart_by_the_setting_they_differ_in() -> None:
    traces = LESSONS_DIR / "traces"
    one, four = (_result(traces / f"cpu_and_the_gil-3{x}.json").summary for x in "ab")
    assert run_names(one, four) == ("sync_cpu, pool 1", "sync_cpu, pool 4")
    words = compare_runs(one, four)
    assert "sync_cpu, pool 1" in words and "sync_cpu, pool 4" in words
    assert headline(four, "sync_cpu, pool 4").startswith("sync_cpu, pool 4: finished in")
    assert run_names(one, one) == ("sync_cpu (first run)", "sync_cpu (second run)")


def test_a_pick_that_took_as_long_in_another_shape_is_not_as_predicted() -> None:
    result = _result(LESSONS_DIR / "traces" / "cpu_and_the_gil-2.json")
    workload = Workload.of(result.trace.settings, 2)
    one, turns = predict("one_at_a_time", workload), predict("gil_turns", workload)
    picked = Prediction(one.makespan_s, one, "B")
    assert "about as long, but not in that shape: the workers took turns on the GIL" in verdict(
        picked, result, nearest=turns
    )
    right = Prediction(turns.makespan_s, turns, "C")
    assert ", about as predicted: " in verdict(right, result, nearest=turns)
