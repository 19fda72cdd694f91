"""Lesson files: the shipped ones read whole, a malformed one refused naming its line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.routes import STYLE_NAMES
from visualizer.model.lesson import Choice, Lesson, LessonError
from visualizer.model.lesson_library import LESSONS_DIR, copy_lesson, find_lesson, shipped_lessons
from visualizer.model.scheduling import same_shape

HIDDEN_TRIPS = "4-the_hidden_trips.toml"
HIDDEN_TRIPS_STYLES = {"sync_dependency", "def_response_model", "async_to_thread"}

GOOD = """\
title = "a test lesson"
about = "two steps"

[[step]]
title = "blocking"
question = "How long?"
run = { style = "async_blocking", concurrency = 3, requests = 3, work_ms = 50 }
choices = ["all_at_once", { shape = "one_at_a_time", text = "queue" }]
takeaway = "One at a time."

[[step]]
question = "And the fix?"
compare = [
    { style = "async_blocking", concurrency = 3, requests = 3, work_ms = 50 },
    { style = "async_offload", concurrency = 3, requests = 3, work_ms = 50, pool = 2 },
]
choices = ["all_at_once", "waves_of_pool", "one_at_a_time"]
takeaway = "Offloaded."
"""


def test_a_lesson_reads_its_steps_runs_and_choices() -> None:
    lesson = Lesson.from_toml(GOOD, "test.toml")
    assert lesson.title == "a test lesson"
    first, second = lesson.steps
    assert first.runs[0].style == "async_blocking" and first.runs[0].concurrency == 3
    assert first.choices == (Choice("all_at_once"), Choice("one_at_a_time", "queue"))
    assert [c.name for c in first.candidates(cores=2)] == ["all at once", "queue"]
    assert first.traces == (None,) and not first.recorded
    assert second.title == "Step 2" and second.is_comparison
    # A comparison's choices are about its second run unless it says otherwise.
    assert second.predicted.style == "async_offload"
    assert [c.name for c in second.candidates(cores=2)][1] == "in waves of 2"
    assert second.line == 11


def _refusal(text: str) -> str:
    with pytest.raises(LessonError) as caught:
        Lesson.from_toml(text, "bad.toml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('title = "a test lesson"', 'titel = "x"', "line 1: key 'titel' is not known"),
        ('title = "blocking"', 'titel = "x"', "line 5 (step 1): key 'titel' is not known"),
        (
            "concurrency = 3, requests = 3, work_ms = 50 }\nchoices",
            "concurency = 3 }\nchoices",
            "line 7 (step 1): run key 'concurency' is not known",
        ),
        (
            'style = "async_blocking", concurrency = 3, requests = 3, work_ms = 50 }\nchoices',
            'style = "async_blockin" }\nchoices',
            "line 7 (step 1): unknown style 'async_blockin'",
        ),
        (
            "requests = 3, work_ms = 50 }\nchoices",
            "requests = 0 }\nchoices",
            "line 7 (step 1): requests 0 is out of range: allowed 1 to 1,000,000",
        ),
        (
            "work_ms = 50, pool = 2 }",
            "work_ms = 50, pool = 2000 }",
            "line 15 (step 2): pool 2,000 is out of range",
        ),
        (
            "work_ms = 50, pool = 2 }",
            'work_ms = "fast" }',
            "line 15 (step 2): work_ms 'fast' is not a number",
        ),
        (
            'choices = ["all_at_once", "waves_of_pool", "one_at_a_time"]',
            'choices = ["all_at_once", "waves_of_P"]',
            "line 17 (step 2): choice 'waves_of_P' is not a shape",
        ),
        (
            'choices = ["all_at_once", "waves_of_pool", "one_at_a_time"]',
            'choices = ["all_at_once"]',
            "line 17 (step 2): choices lists 2 to 4 shapes",
        ),
        (
            'choices = ["all_at_once", "waves_of_pool", "one_at_a_time"]',
            'choices = ["all_at_once", "all_at_once"]',
            "line 17 (step 2): choices names a shape twice",
        ),
        ('takeaway = "One at a time."\n', "", "line 4: step 1 has no takeaway"),
        ('question = "And the fix?"', "question = 3", "line 12 (step 2): question is text, not 3"),
        (
            '    { style = "async_offload", concurrency = 3, requests = 3, work_ms = 50, '
            "pool = 2 },\n",
            "",
            "line 13 (step 2): compare holds two runs",
        ),
        (
            'takeaway = "Offloaded."',
            'takeaway = "Offloaded."\ntrace = "x.json"',
            "line 19 (step 2): a compare names its recording with traces",
        ),
        (
            'takeaway = "Offloaded."',
            'takeaway = "Offloaded."\npredict = 3',
            "line 19 (step 2): predict is 1 or 2",
        ),
        (
            'run = { style = "async_blocking", concurrency = 3, requests = 3, work_ms = 50 }\n',
            "",
            "line 4 (step 1): give run = {...} or compare = [{...}, {...}]",
        ),
        ('title = "a test lesson"', 'title = "a test lesson', "bad.toml is not valid TOML"),
    ],
)
def test_a_malformed_lesson_is_refused_naming_the_line_and_the_key(
    old: str, new: str, message: str
) -> None:
    assert old in GOOD
    refusal = _refusal(GOOD.replace(old, new, 1))
    assert refusal.startswith("bad.toml"), refusal
    assert message in refusal, refusal


def test_a_lesson_without_steps_is_refused() -> None:
    assert "a lesson needs at least one [[step]] table" in _refusal('title = "empty"\n')


def test_recordings_are_looked_for_beside_the_lesson(tmp_path: Path) -> None:
    text = GOOD.replace('takeaway = "One at a time."', 'takeaway = "x"\ntrace = "runs/one.json"')
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(LessonError, match=r"mine.toml, line 10 \(step 1\): trace 'runs/one.json'"):
        Lesson.read(path)
    # Being recorded, it may name files still to be made.
    lesson = Lesson.read(path, recordings_must_exist=False)
    assert lesson.steps[0].traces == ((tmp_path / "runs" / "one.json").resolve(),)
    assert lesson.name == "mine" and lesson.path == path.resolve()


def test_an_unreadable_lesson_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match=r"lesson .*nothing\.toml' cannot be read"):
        Lesson.read(tmp_path / "nothing.toml")


def _givable(path: Path) -> bool:
    """The hidden trips need the styles of r4-styles; a copy without them skips it."""
    return path.name != HIDDEN_TRIPS or set(STYLE_NAMES) >= HIDDEN_TRIPS_STYLES


def test_the_shipped_lessons_read_whole_with_a_recording_for_every_run() -> None:
    paths = [path for path in shipped_lessons() if _givable(path)]
    titles = [Lesson.read(path).title for path in paths]
    assert titles[:3] == ["async or def?", "the 40-thread pool", "CPU work and the GIL"]
    for path in paths:
        lesson = Lesson.read(path)
        assert len(lesson.steps) >= 3
        for step in lesson.steps:
            assert step.recorded, f"{path.name}: {step.title} has no recording"
            # On a laptop or a big server, no two choices draw the same picture.
            for cores in (2, 4, 16):
                offered = step.candidates(cores)
                for i, first in enumerate(offered):
                    assert not any(same_shape(first, other) for other in offered[i + 1 :]), (
                        f"{path.name}: {step.title}: {first.key} twice at {cores} cores"
                    )


def test_the_hidden_trips_take_the_response_model_the_dependency_and_to_thread() -> None:
    if not set(STYLE_NAMES) >= HIDDEN_TRIPS_STYLES:
        pytest.skip("the styles of 'the hidden trips' are not in this copy of schedviz yet")
    lesson = Lesson.read(LESSONS_DIR / HIDDEN_TRIPS)
    assert lesson.title == "the hidden trips"
    assert {run.style for step in lesson.steps for run in step.runs} == HIDDEN_TRIPS_STYLES


def test_a_lesson_is_found_by_name_title_or_file(tmp_path: Path) -> None:
    assert find_lesson("async_or_def").name == "1-async_or_def.toml"
    assert find_lesson("the 40-thread pool").name == "2-the_40_thread_pool.toml"
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    assert find_lesson(str(path)) == path
    with pytest.raises(LessonError, match="no lesson named 'nope': the shipped lessons are"):
        find_lesson("nope")
    with pytest.raises(LessonError, match="is not a file"):
        find_lesson(str(tmp_path / "gone.toml"))


def test_a_copied_lesson_is_a_lesson_of_its_own(tmp_path: Path) -> None:
    shipped = Lesson.read(find_lesson("async_or_def"))
    copied = copy_lesson(shipped, tmp_path / "mine")
    lesson = Lesson.read(copied)
    assert lesson.title == shipped.title
    for step in lesson.steps:
        for trace in step.traces:
            assert trace is not None and trace.is_relative_to((tmp_path / "mine").resolve())
    with pytest.raises(LessonError, match="exists already"):
        copy_lesson(shipped, tmp_path / "mine")
    assert LESSONS_DIR in shipped.path.parents  # type: ignore[union-attr]
