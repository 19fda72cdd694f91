"""The difference between two runs, in one sentence a lecturer can read out."""

from __future__ import annotations

from visualizer.model.summary import RunSummary

#: Makespans closer than this ratio are "about the same": run-to-run noise on a busy laptop.
SAME_RATIO = 1.1
TIMES = "\N{MULTIPLICATION SIGN}"


def run_name(summary: RunSummary) -> str:
    return str(summary.settings.get("style", "run"))


#: Settings that tell two runs of one style apart, and their words.
_TOLD_APART_BY = (("pool", "pool"), ("concurrency", "concurrency"), ("requests", "requests"))


def run_names(first: RunSummary, second: RunSummary) -> tuple[str, str]:
    """Each run's name; two runs of one style are told apart by the first setting they
    differ in ("sync_cpu, pool 1" and "sync_cpu, pool 4"), else by their order."""
    a, b = run_name(first), run_name(second)
    if a != b:
        return a, b
    for key, word in _TOLD_APART_BY:
        x, y = first.settings.get(key), second.settings.get(key)
        if x != y:
            return f"{a}, {word} {x}", f"{b}, {word} {y}"
    work = first.settings.get("work_ms"), second.settings.get("work_ms")
    if work[0] != work[1]:
        return f"{a}, work {work[0]:g} ms", f"{b}, work {work[1]:g} ms"
    return f"{a} (first run)", f"{b} (second run)"


def compare_runs(first: RunSummary, second: RunSummary) -> str:
    """Which run finished sooner, by how much, and how long each froze the loop.

    For example: "async_offload finished in 0.21 s, 4.8 times faster than
    async_blocking (1.01 s); its longest loop block was 2 ms against 203 ms."
    """
    names = run_names(first, second)
    (fast, fast_name), (slow, slow_name) = sorted(
        zip((first, second), names, strict=True), key=lambda pair: pair[0].makespan_ms
    )
    blocks = f"{_block_ms(fast)} against {_block_ms(slow)}"
    ratio = slow.makespan_ms / fast.makespan_ms if fast.makespan_ms > 0 else float("inf")
    if ratio < SAME_RATIO:
        return (
            f"{names[0]} and {names[1]} took about as long "
            f"({_seconds(first.makespan_ms)} and {_seconds(second.makespan_ms)}); "
            f"their longest loop blocks were {_block_ms(first)} and {_block_ms(second)}."
        )
    return (
        f"{fast_name} finished in {_seconds(fast.makespan_ms)}, {ratio:.1f}{TIMES} faster than "
        f"{slow_name} ({_seconds(slow.makespan_ms)}); its longest loop block was {blocks}."
    )


def headline(summary: RunSummary, name: str = "") -> str:
    """One line under a run's name (``name``: as :func:`run_names` tells it apart): its
    makespan and its longest loop block."""
    return (
        f"{name or run_name(summary)}: finished in {_seconds(summary.makespan_ms)}, "
        f"longest loop block {_block_ms(summary)}"
    )


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.2f} s"


def _block_ms(summary: RunSummary) -> str:
    block = summary.longest_loop_block
    return f"{block.duration_ms:.0f} ms" if block else "0 ms"
