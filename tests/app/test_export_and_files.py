"""Pictures for slides, and runs saved and opened: pixels checked, files read back."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from _plot_area import check_rendered_picture
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from tests._worker_traces import timed_out_def_requests
from visualizer.app import palette
from visualizer.app.file_actions import example_files
from visualizer.app.main_window import MainWindow
from visualizer.app.picture_export import render, render_image, save_svg
from visualizer.app.timeline.picture import MARGIN, PicturePainter, TimelinePicture
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.timeline import BarKind
from visualizer.model.tracefile import read_trace

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _result(name: str) -> RunResult:
    return analyse(read_trace(DATA / name))


def _colours(image: QImage) -> set[int]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    return set((pixels & 0xFFFFFF).tolist())


@pytest.mark.parametrize("width", [960, 1920, 3840])
def test_png_is_painted_at_the_width_asked_with_every_lane_drawn(qtbot: object, width: int) -> None:
    result = _result("sync_sleep_c6_p2_w200.json")
    rendered = render(TimelinePicture.of_run(result), width)
    assert rendered.image.width() == width
    assert rendered.image.height() > width // 4
    (check,) = check_rendered_picture(rendered, [result.timeline])
    check.assert_ok(min_lanes=6)


def test_a_comparison_picture_has_both_runs(qtbot: object) -> None:
    blocking, sleeping = (
        _result("async_blocking_c5_w200.json"),
        _result("async_sleep_c10_w200.json"),
    )
    picture = TimelinePicture.of_comparison(blocking, sleeping)
    assert len(picture.panels) == 2
    assert "faster than async_blocking" in picture.lines[0]
    single = render_image(TimelinePicture.of_run(blocking), 1920)
    assert render_image(picture, 1920).height() > single.height() * 1.5


def test_svg_is_well_formed_xml_with_the_title(qtbot: object, tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    save_svg(TimelinePicture.of_run(_result("mixed_c6_n12_w100.json")), out)
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = out.read_text()
    assert "mixed: what FastAPI did with 12 requests" in text
    assert palette.BAR_COLOURS[BarKind.RUNNING].lower() in text.lower()


def test_saving_and_opening_a_run_gives_the_same_model(
    make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window(show=False)
    original = window.files.open(DATA / "mixed_c6_n12_w100.json")
    assert original is not None and window.result is original
    window.files.path = tmp_path / "saved.json"
    assert window.files.save(window.result) == tmp_path / "saved.json"
    reopened = window.files.open(tmp_path / "saved.json")
    assert reopened is not None
    for column in ("lane", "start", "end", "kind", "request", "cpu"):
        assert np.array_equal(
            getattr(reopened.timeline, column), getattr(original.timeline, column)
        )
    assert reopened.summary == original.summary
    assert window.timeline.timeline is reopened.timeline


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is not a text file"),
        (b'{"traceEvents": [', "is not valid JSON"),
        (b'{"hello": 1}', "has no traceEvents list"),
    ],
)
def test_a_file_that_is_not_a_trace_gets_a_message_not_an_exception(
    make_window: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    message: str,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    window = make_window(show=False)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert window.files.open(bad) is None
    assert len(shown) == 1 and message in shown[0]
    assert window.result is None


def test_every_example_opens(make_window: Callable[..., MainWindow]) -> None:
    window = make_window(show=False)
    styles = set()
    for path in example_files():
        result = window.files.open(path)
        assert result is not None, path
        styles.add(result.trace.settings.style)
    assert {"async_blocking", "async_offload", "async_sleep", "sync_sleep"} <= styles


@pytest.mark.live
def test_headless_png_has_the_width_asked(tmp_path: Path) -> None:
    png, svg = tmp_path / "run.png", tmp_path / "run.svg"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    command = [sys.executable, "-m", "visualizer", "run", "--style", "async_blocking"]
    command += ["--concurrency", "2", "--requests", "2", "--work-ms", "30"]
    command += ["--png", str(png), "--svg", str(svg), "--width", "1000"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    assert QImage(str(png)).width() == 1000
    ET.parse(svg)


def test_a_width_out_of_range_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from visualizer.cli import EXIT_BAD_INPUT, main

    assert main(["run", "--png", "x.png", "--width", "10000"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err == "schedviz: width 10000 is out of range: allowed 320 to 7,680\n"


@pytest.mark.parametrize("abandoned", [False, True])
def test_the_pictures_legend_is_whole_and_names_what_is_drawn(
    qtbot: object, abandoned: bool
) -> None:
    """The legend wraps inside the picture; abandoned work is named only where drawn."""
    result = (
        analyse(timed_out_def_requests(handlers_end=False))
        if abandoned
        else _result("mixed_c6_n12_w100.json")
    )
    painter = PicturePainter(TimelinePicture.of_run(result))
    try:
        words = [word for word, _ in painter.legend_entries]
        assert ("abandoned" in words) is abandoned
        assert ("still running" in words) is abandoned
        assert "running" in words and "pool full" in words
        for word, rect in painter.legend_entries:
            assert rect.left() >= MARGIN and rect.right() <= painter.width - MARGIN, word
    finally:
        painter.close()
