"""The difference between two runs, in one sentence a lecturer can read out."""

from __future__ import annotations

from visualizer.model.summary import RunSummary

#: Makespans closer than this ratio are "about the same": run-to-run noise on a busy laptop.
SAME_RATIO = 1.1
TIMES = "\N{MULTIPLICATION SIGN}"


def run_name(summary: RunSummary) -> str:
    return str(summary.settings.get("style", "run"))


def compare_runs(first: RunSummary, second: RunSummary) -> str:
    """Which run finished sooner, by how much, and how long each froze the loop.

    For example: "async_offload finished in 0.21 s, 4.8 times faster than
    async_blocking (1.01 s); its longest loop block was 2 ms against 203 ms."
    """
    names = [run_name(first), run_name(second)]
    if names[0] == names[1]:
        names = [f"{names[0]} (first run)", f"{names[1]} (second run)"]
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


def headline(summary: RunSummary) -> str:
    """One line under a run's name: its makespan and its longest loop block."""
    return (
        f"{run_name(summary)}: finished in {_seconds(summary.makespan_ms)}, "
        f"longest loop block {_block_ms(summary)}"
    )


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.2f} s"


def _block_ms(summary: RunSummary) -> str:
    block = summary.longest_loop_block
    return f"{block.duration_ms:.0f} ms" if block else "0 ms"
