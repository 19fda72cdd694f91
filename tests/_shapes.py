"""The scheduling model's shapes held against a measured run (the recorded and the live tests)."""

from __future__ import annotations

from visualizer.model.analysis import RunResult
from visualizer.model.prediction import CORE_WAIT_SHARE, MeasuredShape, because, core_wait, distance
from visualizer.model.scheduling import EXPECTED, SHAPES, Candidate, Workload, predict, same_shape

#: The machine the recordings were made on; its default executor says so where it ran.
RECORDED_CORES = 2


def cores_of(result: RunResult) -> int:
    """The cores of the machine a run was made on, where its pools tell (asyncio sizes its
    default executor min(32, cores + 4)); else the machine the recordings come from."""
    for pool in result.trace.pools.values():
        if pool.kind == "asyncio-default" and 4 < pool.capacity < 32:
            return pool.capacity - 4
        if pool.kind == "process" and pool.capacity:
            return pool.capacity
    return RECORDED_CORES


def every_shape(result: RunResult) -> list[Candidate]:
    workload = Workload.of(result.trace.settings, cores_of(result))
    return [predict(key, workload) for key in SHAPES]


def assert_own_shape_is_closest(result: RunResult) -> dict[str, float]:
    """The style's own shape (or one that looks the same) is the nearest of all; or, for a
    run made while other processes held the cores (which the model does not model:
    tests/data/cpu_process_pool_c4_w150's processes waited 478 of 1,133 ms for one), the
    words say so instead of blaming the shape."""
    waited, wall = core_wait(result.summary)
    if waited >= CORE_WAIT_SHARE * wall > 0:
        assert "for a core, which other processes held" in because(result)
        return {}
    style = result.trace.settings.style
    shapes = every_shape(result)
    measured = MeasuredShape.of(result)
    distances = {c.key: distance(c, measured) for c in shapes}
    own = next(c for c in shapes if c.key == EXPECTED[style])
    nearest = min(shapes, key=lambda c: distances[c.key])
    assert nearest.key == own.key or same_shape(nearest, own), (
        f"{style}: nearest {nearest.key} ({distances[nearest.key]:.3f}), "
        f"own {own.key} ({distances[own.key]:.3f})"
    )
    # And clearly nearer than every shape that looks different.
    others = [distances[c.key] for c in shapes if not same_shape(c, own)]
    assert distances[own.key] < min(others)
    return distances
