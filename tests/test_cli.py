"""The command line: one clear line and exit 2 for bad input, real output for good input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.routes import STYLE_GROUPS, STYLE_NAMES
from visualizer.cli import EXIT_BAD_INPUT, EXIT_RUN_FAILED, main
from visualizer.runner import headless
from visualizer.runner.session import ServerError


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--concurrency", "0"], "concurrency 0 is out of range: allowed 1 to 1,000"),
        (
            ["run", "--concurrency", "100000"],
            "concurrency 100,000 is out of range: allowed 1 to 1,000",
        ),
        (["run", "--requests", "2000000"], "requests 2,000,000 is out of range"),
        (["run", "--work-ms", "-1"], "work-ms -1 is out of range: allowed 0 to 60,000 ms"),
        (["run", "--work-ms", "abc"], "work-ms 'abc' is not a number"),
        (["run", "--pool", "0"], "pool 0 is out of range: allowed 1 to 1,000"),
        (["run", "--pool", "2.5"], "pool 2.5 is not a whole number"),
        (["run", "--style", "fast"], "unknown style 'fast': choose one of async_sleep"),
        (["run", "--out", "/no/such/folder/t.json"], "output path '/no/such/folder/t.json'"),
        (["run", "--colour", "red"], "unrecognized arguments: --colour red"),
        (["--concurrency", "0"], "concurrency 0 is out of range"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["run", "--out", ""], "output path '' is empty"),
        (["run", "--png", "/dev/full"], "output path '/dev/full' is not a regular file"),
        (["run", "--svg", "/dev/null"], "output path '/dev/null' is not a regular file"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_value(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


def test_an_output_path_that_is_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert "is a folder" in capsys.readouterr().err


def test_a_fifo_as_output_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["run", "--out", str(fifo)]) == EXIT_BAD_INPUT
    assert "is not a regular file" in capsys.readouterr().err


def _run_fails_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(headless, "run_to_completion", fail)


def test_a_server_that_fails_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "the server exited with status 1; its last words:\nTraceback ...\nImportError: x"
    _run_fails_with(monkeypatch, ServerError(message))
    assert main(["run", "--requests", "1"]) == EXIT_RUN_FAILED
    err = capsys.readouterr().err
    assert err == "schedviz: the server exited with status 1; its last words: ImportError: x\n"


def test_a_bug_of_ours_is_one_line_and_its_traceback_goes_to_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run_fails_with(monkeypatch, KeyError("lost"))
    assert main(["run", "--requests", "1"]) == EXIT_RUN_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("schedviz: internal error (KeyError: 'lost'); details in ")
    report = Path(err.rsplit(" ", 1)[1].strip())
    try:
        assert "KeyError: 'lost'" in report.read_text()
    finally:
        report.unlink()


def test_an_output_that_cannot_be_written_after_the_run_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _run_fails_with(monkeypatch, OSError(28, "No space left on device", "t.json"))
    assert main(["run", "--requests", "1"]) == EXIT_RUN_FAILED
    assert capsys.readouterr().err == "schedviz: could not write t.json: No space left on device\n"


def test_styles_lists_the_catalogue_by_lesson_one_a_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["styles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines if line.startswith("  ")] == list(STYLE_NAMES)
    heads = [line for line in lines if line and not line.startswith(" ")]
    assert heads == [f"{group.title}: {group.lesson}" for group in STYLE_GROUPS]
    assert lines[lines.index(heads[1]) - 1] == "", "a blank line between two groups"


@pytest.mark.live
def test_run_prints_the_json_summary_and_writes_the_trace(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    done = subprocess.run(
        [
            sys.executable, "-m", "visualizer", "run", "--style", "sync_sleep",
            "--concurrency", "4", "--requests", "6", "--work-ms", "50", "--pool", "2",
            "--out", str(out), "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["requests"] == summary["ok"] == 6
    assert summary["workers_used"] == 2
    assert summary["settings"]["style"] == "sync_sleep"
    trace = json.loads(out.read_text())
    requests = [e for e in trace["traceEvents"] if e.get("cat") == "request"]
    assert len(requests) == 6


@pytest.mark.live
def test_run_prints_a_human_summary_by_default() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "visualizer", "run", "--style", "async_blocking",
         "--concurrency", "2", "--requests", "2", "--work-ms", "60"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "longest loop block" in done.stdout
    assert "blocked the event loop" in done.stdout


DATA = Path(__file__).resolve().parent / "data"


def test_summary_prints_the_figures_and_story_of_a_saved_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["summary", str(DATA / "async_blocking_c5_w200.json")]) == 0
    out = capsys.readouterr().out
    assert "style               async_blocking" in out and "longest loop block" in out
    assert main(["summary", str(DATA / "sync_sleep_c6_p2_w200.json"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["requests"] == summary["ok"] == 6
    assert summary["settings"]["style"] == "sync_sleep"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ('{"traceEvents": [', "is not valid JSON"),
        (
            '{"traceEvents":[{"ph":"X","cat":"request","pid":2,"tid":1,"ts":1,"dur":-610,'
            '"args":{"request":1}}],"metadata":{"schedviz":{}}}',
            "event 0 (request) field 'dur' is -610, not >= 0",
        ),
    ],
    ids=["missing", "truncated", "negative-duration"],
)
def test_summary_of_a_bad_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    assert main(["summary", str(path)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("schedviz: ") and message in captured.err
    assert captured.err.count("\n") == 1
