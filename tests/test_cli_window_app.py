"""``schedviz --app …`` for the window: what it refuses before any window opens, and
what it hands the window (the preset, the port, a recording's duration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from visualizer.cli import EXIT_BAD_INPUT, main
from visualizer.model.settings import AppTarget


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--duration", "5", "--run"], "--duration is for a passive run"),
        (["--app", "m:app", "--duration", "5"], "give --run too"),
        (["--app", "m:app", "--request", "GET /", "--duration", "5", "--run"], "passive"),
        (["--app", "m:app", "--duration", "0", "--run"], "duration 0 is out of range"),
        (["--app", "m:app", "--port", "70000"], "port 70000 is out of range"),
    ],
)
def test_the_windows_app_options_are_checked_before_it_opens(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1


def test_the_window_gets_the_app_its_plan_the_port_and_the_duration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: dict[str, Any] = {}

    def launch(preset: dict[str, object], **options: object) -> int:
        launched.update(preset=preset, **options)
        return 0

    monkeypatch.setattr("visualizer.app.launch", launch)
    argv = ["--app", "m:app", "--app-dir", str(tmp_path), "--port", "8000"]
    assert main([*argv, "--run", "--duration", "2.5"]) == 0
    assert launched["preset"] == {
        "style": "",
        "app": AppTarget("m:app", str(tmp_path.resolve())),
        "plan": None,
    }
    assert (launched["port"], launched["duration_s"], launched["run"]) == (8000, 2.5, True)
