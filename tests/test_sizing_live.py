"""Sizing on real servers: a tiny sweep from the command line, two workers on one port,
and the server on another interpreter (3.13 where a venv with the server's packages
is found; a free-threaded build where one is installed, skipped with the reason here)."""

from __future__ import annotations

import csv
import json
import platform
import subprocess
from pathlib import Path

import pytest
from _interpreters import interpreter, other_interpreter
from PySide6.QtGui import QColor, QImage

from visualizer.cli import main


@pytest.mark.live
def test_a_sweep_writes_a_measured_row_per_point_and_a_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path, png_path = tmp_path / "s.csv", tmp_path / "s.png"
    status = main(
        ["sweep", "--style", "sync_sleep", "--concurrency", "2,6", "--pool", "2",
         "--work-ms", "50", "--requests", "12", "--csv", str(csv_path), "--png", str(png_path)]
    )  # fmt: skip
    assert status == 0
    rows = list(csv.DictReader(csv_path.read_text().splitlines()))
    assert [(r["pool"], r["concurrency"], r["ok"]) for r in rows] == [
        ("2", "2", "12"),
        ("2", "6", "12"),
    ]
    # Little's law: 2 workers busy 50 ms each carry at most 40 requests/s; C=2 is the knee.
    throughput = [float(r["throughput"]) for r in rows]
    assert 20 < throughput[0] <= 41 and throughput[1] <= 41
    assert float(rows[1]["p95_ms"]) > 1.8 * float(rows[0]["p95_ms"])  # the rest queued
    for row in rows:  # each point's run was kept, to be opened
        assert json.loads(Path(row["trace"]).read_text())["metadata"]["schedviz"]["settings"]
    out = capsys.readouterr().out
    assert "P=2: knee at C=2" in out and "at most 2/0.05 s = 40 requests/s" in out
    image = QImage(str(png_path))
    assert image.width() == 1600
    # The points are painted where the picture put them (see test_sweep_picture).
    assert QColor(image.pixel(image.width() // 4, image.height() // 2)).isValid()


@pytest.mark.live
def test_two_workers_have_a_loop_lane_each_and_the_trace_two_processes(tmp_path: Path) -> None:
    out = tmp_path / "w2.json"
    status = main(
        ["run", "--style", "sync_sleep", "--concurrency", "8", "--requests", "16",
         "--work-ms", "50", "--pool", "4", "--workers", "2", "--reuse-port", "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    data = json.loads(out.read_text())
    processes = data["metadata"]["schedviz"]["processes"]
    assert len(processes) == 2 and processes[0]["pid"] != processes[1]["pid"]
    loops = {e["pid"] for e in data["traceEvents"] if e.get("cat") == "loop"}
    assert loops == {1, 3}
    names = {
        (e["pid"], e["args"]["name"])
        for e in data["traceEvents"]
        if e.get("name") == "thread_name" and e["tid"] == 0
    }
    assert names == {(1, "event loop"), (3, "event loop")}
    # SO_REUSEPORT spreads 8 connections over both (a hash: not always evenly).
    assert all(p["connections"] >= 1 for p in processes)
    assert sum(p["served"] for p in processes) == 16


@pytest.mark.live
def test_the_server_runs_on_another_python_and_the_trace_says_so(tmp_path: Path) -> None:
    python = other_interpreter()
    if python is None:
        pytest.skip("no other Python with fastapi, uvicorn, anyio and httpx (CI makes them)")
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    out = tmp_path / "other.json"
    assert main(["run", "--style", "async_sleep", "--requests", "3", "--concurrency", "3",
                 "--work-ms", "20", "--python", python, "--out", str(out)]) == 0  # fmt: skip
    meta = json.loads(out.read_text())["metadata"]["schedviz"]
    assert meta["versions"]["python"] == version != platform.python_version()
    assert meta["versions"]["gil"] in ("enabled", "disabled")
    assert meta["settings"]["python"] == python


@pytest.mark.live
def test_a_free_threaded_build_runs_sync_cpu_in_parallel_but_async_cpu_still_blocks() -> None:
    python = interpreter("3.13", free_threaded=True) or interpreter("3.14", free_threaded=True)
    if python is None:
        pytest.skip(
            "no free-threaded Python (3.13t/3.14t) with the server's packages here: pyenv "
            "lists 3.13t but cannot download its source on this machine"
        )
    from visualizer.model.settings import RunSettings
    from visualizer.runner.headless import run_to_completion

    base = dict(concurrency=2, requests=2, work_ms=200, pool=2, python=python)
    cpu = run_to_completion(RunSettings(style="sync_cpu", **base)).summary  # type: ignore[arg-type]
    assert cpu.makespan_ms < 1.5 * 200 * 1.3  # two at once, not one after the other
    blocked = run_to_completion(RunSettings(style="async_cpu", **base)).summary  # type: ignore[arg-type]
    assert blocked.longest_loop_block is not None and blocked.longest_loop_block.longest_ms > 150


def test_an_interpreter_that_cannot_serve_is_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--python", str(tmp_path / "nope")]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("does not exist: give the path of a Python 3.11 or newer")
    )
    old = Path.home() / ".pyenv/versions/3.10.13/bin/python3"
    if old.is_file():
        assert main(["run", "--python", str(old)]) == 2
        assert "is Python 3.10.13: the server needs 3.11 or newer" in capsys.readouterr().err
    bare = Path.home() / ".pyenv/versions/3.12.1/bin/python3"
    if (
        bare.is_file()
        and subprocess.run([bare, "-c", "import fastapi"], capture_output=True).returncode
    ):
        assert main(["run", "--python", str(bare)]) == 2
        err = capsys.readouterr().err
        assert "lacks fastapi, uvicorn, anyio, httpx" in err and "-m pip install" in err


def test_a_grid_value_out_of_range_is_refused_before_any_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sweep", "--style", "sync_sleep", "--concurrency", "10,2000", "--pool", "10"]) == 2
    assert capsys.readouterr().err.strip() == (
        "schedviz: concurrency 2,000 is out of range: allowed 1 to 1,000"
    )
    assert main(["run", "--workers", "65"]) == 2
    assert "workers 65 is out of range: allowed 1 to 64" in capsys.readouterr().err
