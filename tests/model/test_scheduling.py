"""The scheduling model: each shape worked out by hand for small runs; the candidates offered."""

from __future__ import annotations

import pytest

from visualizer.model.scheduling import (
    EXPECTED,
    SHAPES,
    PredictionUnavailable,
    Stage,
    Workload,
    candidates,
    expected_key,
    predict,
    same_shape,
    simulate,
)
from visualizer.model.settings import RunSettings

#: Six requests at once, 0.2 s each, two workers, two cores.
SIX = Workload(concurrency=6, requests=6, work_s=0.2, pool=2, cores=2)


def _done(key: str, workload: Workload = SIX) -> list[float]:
    return [round(r.done, 3) for r in predict(key, workload).requests]


def test_each_shape_finishes_its_requests_when_its_rule_says() -> None:
    assert _done("all_at_once") == [0.2] * 6
    assert _done("one_at_a_time") == [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
    assert _done("waves_of_pool") == [0.2, 0.2, 0.4, 0.4, 0.6, 0.6]
    # Two threads computing on one core's worth of GIL: each at half speed.
    assert _done("gil_turns") == [0.4, 0.4, 0.8, 0.8, 1.2, 1.2]
    # Two processes on two cores: full speed, two at a time.
    assert _done("on_cores") == [0.2, 0.2, 0.4, 0.4, 0.6, 0.6]
    # min(32, cores + 4) = 6 threads of the loop's own executor: all at once here.
    assert _done("waves_of_executor") == [0.2] * 6


def test_a_second_trip_waits_behind_the_next_wave() -> None:
    """Requests 1 and 2 finish their endpoint at 0.2 s, but 3 and 4 asked for a worker
    first: the validation trips of 1 and 2 wait until those are done."""
    two = Workload(concurrency=4, requests=4, work_s=0.2, pool=2, cores=2)
    trips = predict("two_trips", two).requests
    assert [round(r.done, 3) for r in trips] == [0.404, 0.404, 0.408, 0.408]
    assert trips[0].busy == ((0.0, 0.2), pytest.approx((0.4, 0.404)))


def test_the_client_keeps_c_requests_in_flight() -> None:
    """N > C: a request is sent when one is done; until then it is not waiting anywhere."""
    queued = Workload(concurrency=2, requests=4, work_s=0.1, pool=40, cores=2)
    requests = predict("all_at_once", queued).requests
    assert [round(r.sent, 3) for r in requests] == [0.0, 0.0, 0.1, 0.1]
    assert [round(r.done, 3) for r in requests] == [0.1, 0.1, 0.2, 0.2]


def test_processor_sharing_splits_the_cores_between_those_computing() -> None:
    """Three computing on two cores: each at 2/3 speed until one is done."""
    runs = simulate(3, 3, [Stage("p", 0.3, computes=True)], {"p": 3}, cores=2)
    assert [round(r.done, 3) for r in runs] == [0.45, 0.45, 0.45]


def test_every_request_is_predicted_once_with_its_busy_time_inside_its_life() -> None:
    workload = Workload(concurrency=7, requests=23, work_s=0.05, pool=3, cores=4)
    for key in SHAPES:
        requests = predict(key, workload).requests
        assert [r.request for r in requests] == list(range(1, 24))
        for r in requests:
            assert r.sent <= r.busy[0][0] and r.busy[-1][1] == pytest.approx(r.done)


def test_the_usual_candidates_for_a_style_include_its_own_shape_and_no_two_alike() -> None:
    for style in ("async_sleep", "async_blocking", "sync_sleep", "sync_cpu", "async_offload"):
        settings = RunSettings(style=style, concurrency=6, requests=6, work_ms=200, pool=2)
        offered = candidates(settings, cores=2)
        assert 2 <= len(offered) <= 4
        assert expected_key(settings, offered, cores=2) in {c.key for c in offered}
        for i, first in enumerate(offered):
            assert not any(same_shape(first, second) for second in offered[i + 1 :])


def test_a_shape_the_same_as_another_for_a_run_is_offered_once() -> None:
    """With P >= C, waves of P are all at once: sync_sleep's own shape is that one."""
    settings = RunSettings(style="sync_sleep", concurrency=5, requests=5, work_ms=100, pool=40)
    offered = candidates(settings, cores=2)
    assert "waves_of_pool" not in [c.key for c in offered]
    assert expected_key(settings, offered, cores=2) == "all_at_once"


def test_names_carry_the_numbers_of_the_run() -> None:
    assert predict("waves_of_pool", SIX).name == "in waves of 2"
    assert predict("waves_of_executor", SIX).name == "in waves of 6 (the loop's executor)"
    assert predict("on_cores", SIX).name == "side by side on 2 cores"


def test_a_run_too_big_to_draw_is_not_predicted() -> None:
    settings = RunSettings(style="async_sleep", concurrency=10, requests=20_000)
    with pytest.raises(PredictionUnavailable, match="up to 1,000 requests"):
        candidates(settings)


def test_every_style_with_a_shape_names_one_the_model_has() -> None:
    assert set(EXPECTED.values()) <= set(SHAPES)
