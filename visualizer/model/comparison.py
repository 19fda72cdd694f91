"""The difference between two runs, in one sentence a lecturer can read out.

Two runs are named by what tells them apart: their styles ("async_blocking" against
"async_offload"), or, for one style, their servers ("sync_cpu, 1 server process" against
"sync_cpu, 4 server processes"; "sync_cpu on Python 3.11.7" against "sync_cpu on Python
3.13.1 free-threaded, GIL disabled"), or else the first setting they differ in
("sync_cpu, pool 1" against "sync_cpu, pool 4": a lesson's step compares those).
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
    async_blocking (1.01 s); its longest loop block was 2.4 ms against 203 ms."
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
    """One line under a run's name (``name``: as :func:`run_names` tells it apart): its
    makespan and its longest loop block."""
    return (
        f"{name or run_name(summary)}: finished in {_seconds(summary.makespan_ms)}, "
        f"longest loop block {_block_ms(summary)}"
    )


# -- names --------------------------------------------------------------------------------


#: (what ran, how many server processes, on which Python, the numbers that may differ).
Parts = tuple[str, str, str, dict[str, Any]]

#: Settings that tell two runs of one style on one server apart, in order, and their words.
_TOLD_APART_BY = (("pool", "pool"), ("concurrency", "concurrency"), ("requests", "requests"))


def _parts_of_summary(summary: RunSummary) -> Parts:
    workers = int(summary.settings.get("workers", 1))
    python = summary.interpreter or _python_path(str(summary.settings.get("python", "")))
    return run_name(summary), _processes(workers), f"on {python}", summary.settings


def _parts_of_settings(settings: RunSettings) -> Parts:
    python = f"on {_python_path(settings.python)}"
    return settings.subject, _processes(settings.workers), python, settings.to_dict()


def _told_apart(first: Parts, second: Parts) -> tuple[str, str]:
    """Each name: what ran, and of the rest what differs from the other run: its server,
    else the first of its settings that differs."""
    names = []
    for (subject, processes, python, _), (_, other_processes, other_python, _) in (
        (first, second),
        (second, first),
    ):
        words = subject
        if processes != other_processes:
            words += f", {processes}"
        if python != other_python:
            words += f" {python}"
        names.append(words)
    if names[0] != names[1]:
        return names[0], names[1]
    a, b = first[3], second[3]
    for key, word in _TOLD_APART_BY:
        if a.get(key) != b.get(key):
            return f"{names[0]}, {word} {a.get(key)}", f"{names[1]}, {word} {b.get(key)}"
    if a.get("work_ms") != b.get("work_ms"):
        return f"{names[0]}, work {a['work_ms']:g} ms", f"{names[1]}, work {b['work_ms']:g} ms"
    return f"{names[0]} (first run)", f"{names[1]} (second run)"


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
    if block is None:
        return "0 ms"
    # Under 10 ms a rounded "0 ms" would contradict the figures' 0.4 ms.
    return f"{block.longest_ms:.0f} ms" if block.longest_ms >= 10 else f"{block.longest_ms:.1f} ms"
