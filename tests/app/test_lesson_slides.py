"""Slides of a lesson, headless: one question and one answer slide a step, each checked where
the class looks (the cards row by row, the measured plot lane by lane); the commands
``schedviz lessons`` and ``schedviz lesson`` and their refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _card_checks import check_cards
from _plot_area import check_rendered_picture
from PySide6.QtGui import QImage

from visualizer.app.code_view import without_comments
from visualizer.app.lesson_slides import SLIDE_H, SLIDE_W, answer_picture, code_of, export_slides
from visualizer.cli import main
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.lesson import Lesson, LessonStep
from visualizer.model.lesson_library import find_lesson
from visualizer.model.tracefile import read_trace


def _recorded(step: LessonStep) -> list[RunResult]:
    return [analyse(read_trace(path)) for path in step.traces if path is not None]


def _colours(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    return len(np.unique(pixels & 0xFFFFFF))


def test_a_lesson_exports_a_question_and_an_answer_slide_a_step_each_checked(
    qtbot: object, tmp_path: Path
) -> None:
    lesson = Lesson.read(find_lesson("async_or_def"))
    written = export_slides(lesson, tmp_path / "slides", 1280, _recorded)
    names = sorted(path.name for path in (tmp_path / "slides").iterdir())
    assert names == sorted(
        f"{n:02d}-{kind}.png"
        for n in range(1, len(lesson.steps) + 1)
        for kind in ("question", "answer")
    )
    assert len(written) == 2 * len(lesson.steps)
    for slide in written:
        image = QImage(str(slide.path))
        assert image.width() == 1280 and _colours(image) > 20, f"{slide.path.name} is blank"
        if slide.question is not None:
            question = slide.question
            assert image.height() == round(SLIDE_H * 1280 / SLIDE_W)  # 16:9
            problems = check_cards(
                question.image, question.cards, question.candidates, question.scale
            )
            assert not problems, f"{slide.path.name}: {problems[:3]}"
        else:
            assert slide.rendered is not None
            timelines = [result.timeline for result in slide.results]
            for check in check_rendered_picture(slide.rendered, timelines):
                check.assert_ok(min_lanes=5)


def test_an_answer_slide_says_the_takeaway_and_what_was_measured_and_no_prediction() -> None:
    lesson = Lesson.read(find_lesson("the_40_thread_pool"))
    step = lesson.steps[0]
    picture = answer_picture(lesson, 0, _recorded(step))
    assert picture.title == "the 40-thread pool · step 1: a pool of two"
    assert picture.lines[0] == step.takeaway
    assert picture.lines[1].startswith("It took 0.61 s: all 2 workers of the pool of 2 were busy")
    assert picture.lines[1].endswith("The measured run is closest to C, in waves of 2.")
    assert not picture.shows_prediction, "nobody picked: no prediction on a slide"
    compared = answer_picture(lesson, 3, _recorded(lesson.steps[3]))
    assert len(compared.panels) == 2 and "faster than sync_http" in compared.lines[1]
    assert compared.lines[2].startswith("async_http took 0.26 s: ")


def test_a_question_slide_shows_the_code_without_the_comments_that_answer_it() -> None:
    lesson = Lesson.read(find_lesson("async_or_def"))
    code = code_of(lesson.steps[1])
    assert "time.sleep(work_ms / 1000)" in code and "#" not in code
    assert "nobody else runs" not in code
    assert without_comments('x = "# kept"  # gone\n') == 'x = "# kept"\n'


def test_schedviz_lesson_export_writes_the_slides_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["lesson", "cpu_and_the_gil", "--export", str(tmp_path / "slides"), "--width", "960"]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(f"8 slides for 4 steps in {tmp_path / 'slides'}")
    assert QImage(str(tmp_path / "slides" / "03-answer.png")).width() == 960


def test_schedviz_lessons_lists_the_shipped_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["async_or_def", "async", "or", "def?", "(5", "steps)"]
    assert any(line.startswith("the_40_thread_pool") for line in lines)
    assert main(["lessons", "--shapes"]) == 0
    assert "gil_turns" in capsys.readouterr().out


def test_a_lesson_copied_to_edit_is_given_from_its_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lesson", "async_or_def", "--copy-to", str(tmp_path / "mine")]) == 0
    copied = tmp_path / "mine" / "1-async_or_def.toml"
    assert f"copied to {copied}" in capsys.readouterr().out
    edited = copied.read_text().replace('title = "async or def?"', 'title = "our own"')
    copied.write_text(edited)
    assert Lesson.read(copied).title == "our own"
    assert Lesson.read(copied).steps[0].recorded


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lesson", "nope", "--export", "x"], "no lesson named 'nope'"),
        (
            ["lesson", "async_or_def", "--export", "x", "--width", "100"],
            "width 100 is out of range",
        ),
        (
            ["lesson", "async_or_def", "--export", "x", "--copy-to", "y"],
            "give one of --export, --copy-to",
        ),
        (
            ["lesson", "BROKEN", "--export", "x"],
            "broken.toml, line 17 (step 1): unknown style 'async_sleeep'",
        ),
    ],
)
def test_bad_lesson_commands_end_in_one_line_and_status_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    text = find_lesson("async_or_def").read_text().replace('"async_sleep"', '"async_sleeep"')
    broken.write_text(text.replace('trace = "traces/', 'trace = "../traces/'))
    args = [str(broken) if arg == "BROKEN" else arg for arg in args]
    args = [str(tmp_path / arg) if arg in ("x", "y") else arg for arg in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("schedviz: ") and message in err and err.count("\n") == 1, err
