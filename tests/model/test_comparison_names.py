"""Two runs are named by what tells them apart: their styles, or for one style their
servers (processes, interpreter), in the comparison's words, headings and narrow places."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from _process_traces import two_process_run

from visualizer.model.analysis import analyse
from visualizer.model.comparison import compare_runs, planned_names, run_names, short_names
from visualizer.model.settings import RunSettings
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"


def test_two_styles_are_named_by_their_styles() -> None:
    blocking = analyse(read_trace(DATA / "async_blocking_c5_w200.json")).summary
    waves = analyse(read_trace(DATA / "sync_sleep_c6_p2_w200.json")).summary
    assert run_names(blocking, waves) == ("async_blocking", "sync_sleep")
    assert short_names(blocking, waves) == ("async_blocking", "sync_sleep")


def test_one_style_on_1_and_2_processes_is_named_by_its_processes() -> None:
    one = analyse(read_trace(DATA / "sync_sleep_c6_p2_w200.json")).summary
    two = analyse(two_process_run()).summary
    assert run_names(one, two) == ("sync_sleep, 1 server process", "sync_sleep, 2 server processes")
    assert short_names(one, two) == ("1 server process", "2 server processes")
    assert "sync_sleep, 2 server processes finished in 0.21 s" in compare_runs(one, two)


def test_one_style_on_two_interpreters_is_named_by_their_versions() -> None:
    trace = read_trace(DATA / "sync_cpu_c4_p4_w100.json")
    first = analyse(trace).summary
    trace.versions = {
        **trace.versions,
        "python": "3.13.1",
        "build": "free-threaded",
        "gil": "disabled",
    }
    second = analyse(trace).summary
    assert run_names(first, second) == (
        f"sync_cpu on Python {first.interpreter.removeprefix('Python ')}",
        "sync_cpu on Python 3.13.1 free-threaded, GIL disabled",
    )
    assert short_names(first, second)[1] == "Python 3.13.1 free-threaded, GIL disabled"


def test_runs_not_yet_run_are_named_from_their_settings() -> None:
    settings = RunSettings(style="sync_cpu")
    assert planned_names(settings, replace(settings, python="/opt/venv-3.13/bin/python")) == (
        "sync_cpu on this Python",
        "sync_cpu on venv-3.13/bin/python",
    )
    assert planned_names(settings, replace(settings, workers=4)) == (
        "sync_cpu, 1 server process",
        "sync_cpu, 4 server processes",
    )
    assert planned_names(settings, settings) == ("sync_cpu (first run)", "sync_cpu (second run)")
