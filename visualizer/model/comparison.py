"""The difference between two runs, in one sentence a lecturer can read out.

Two runs are named by what tells them apart: their styles ("async_blocking" against
"async_offload"), or, for one style, their servers ("sync_cpu, 1 server process" against
"sync_cpu, 4 server processes"; "sync_cpu on Python 3.11.7" against "sync_cpu on Python
3.13.1 free-threaded, GIL disabled").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from visualizer.model.settings import RunSettings
from visualizer.model.summary import RunSummary

#: Makespans closer than this ratio are "about the same": run-to-run noise on a busy laptop.
SAME_RATIO = 1.1
TIMES = "\N{MULTIPLICATION SIGN}"


def run_name(summary: RunSummary) -> str:
    return str(summary.settings.get("style") or _app(summary.settings) or "run")


def run_names(first: RunSummary, second: RunSummary) -> tuple[str, str]:
    """Each run's name and what tells it from the other: ``("sync_cpu on Python 3.11.7",
    "sync_cpu on Python 3.13.1 free-threaded, GIL disabled")``."""
    return _told_apart(_parts_of_summary(first), _parts_of_summary(second))


def short_names(first: RunSummary, second: RunSummary) -> tuple[str, str]:
    """For a narrow place: one style on two servers by what tells them apart alone
    (``1 server process``, ``Python 3.13.0``); two styles by their styles."""
    subject = run_name(first)
    told = run_names(first, second)
    if subject != run_name(second):
        return told
    short = [name.removeprefix(subject).lstrip(", ").removeprefix("on ") or name for name in told]
    return short[0], short[1]


def planned_names(first: RunSettings, second: RunSettings) -> tuple[str, str]:
    """The names of two runs not yet run, from their settings alone."""
    return _told_apart(_parts_of_settings(first), _parts_of_settings(second))


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


def headline(summary: RunSummary, name: str | None = None) -> str:
    """One line under a run's name: its makespan and its longest loop block."""
    return (
        f"{name or run_name(summary)}: finished in {_seconds(summary.makespan_ms)}, "
        f"longest loop block {_block_ms(summary)}"
    )


# -- names --------------------------------------------------------------------------------


Parts = tuple[str, str, str]


def _parts_of_summary(summary: RunSummary) -> Parts:
    """(what ran, how many server processes, on which Python), in words."""
    workers = int(summary.settings.get("workers", 1))
    python = summary.interpreter or _python_path(str(summary.settings.get("python", "")))
    return run_name(summary), _processes(workers), f"on {python}"


def _parts_of_settings(settings: RunSettings) -> Parts:
    return settings.subject, _processes(settings.workers), f"on {_python_path(settings.python)}"


def _told_apart(first: Parts, second: Parts) -> tuple[str, str]:
    """Each name: what ran, and of the rest what differs from the other run."""
    names = []
    for (subject, processes, python), (_, other_processes, other_python) in (
        (first, second),
        (second, first),
    ):
        words = subject
        if processes != other_processes:
            words += f", {processes}"
        if python != other_python:
            words += f" {python}"
        names.append(words)
    if names[0] == names[1]:
        return f"{names[0]} (first run)", f"{names[1]} (second run)"
    return names[0], names[1]


def _processes(workers: int) -> str:
    return f"{workers} server process{'es' if workers != 1 else ''}"


def _python_path(python: str) -> str:
    """An interpreter not yet asked its version: its path's last parts, or this Python."""
    if not python:
        return "this Python"
    return "/".join(Path(python).parts[-3:])


def _app(settings: dict[str, Any]) -> str:
    app = settings.get("app")
    return str(app.get("target", "")) if isinstance(app, dict) else ""


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.2f} s"


def _block_ms(summary: RunSummary) -> str:
    block = summary.longest_loop_block
    return f"{block.duration_ms:.0f} ms" if block else "0 ms"
