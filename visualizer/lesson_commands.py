"""``schedviz lessons`` and ``schedviz lesson NAME_OR_FILE``: list, give, export, copy, record.

Without an option ``lesson`` opens the window in presentation mode on the lesson's
first question. ``--export DIR`` paints its slides without a window: a step with
recordings uses them, one without is run live first. ``--copy-to DIR`` copies the
lesson and its recordings, to edit. ``--record`` runs every step live and writes its
runs to the trace files the lesson names, so that it can be given where running
would be slow. Bad input ends in one line and exit status 2, as every command's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from visualizer.cli import PICTURE_WIDTH, BadInput
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.lesson import Lesson, LessonError, LessonStep
from visualizer.model.lesson_library import copy_lesson, find_lesson, shipped_lessons
from visualizer.model.scheduling import SHAPES, Workload


def print_lessons() -> int:
    """The shipped lessons, one a line: the name to give, the title, the steps. One that
    cannot be given (a style it names is not in this copy of schedviz) says why."""
    paths = shipped_lessons()
    width = max((len(path.stem.split("-", 1)[-1]) for path in paths), default=0)
    for path in paths:
        name = path.stem.split("-", 1)[-1]
        try:
            lesson = Lesson.read(path)
        except LessonError as error:
            print(f"{name:<{width}}  (cannot be given: {error})")
            continue
        steps = f"{len(lesson.steps)} step{'s' if len(lesson.steps) != 1 else ''}"
        print(f"{name:<{width}}  {lesson.title} ({steps})")
    if paths:
        print(f"\nschedviz lesson NAME gives one; files in {paths[0].parent}")
    return 0


def print_shapes() -> int:
    """The shapes a lesson's choices may name, as they read for C = 6, P = 2, W = 200 ms."""
    example = Workload(concurrency=6, requests=6, work_s=0.2, pool=2, cores=2)
    width = max(map(len, SHAPES))
    for key, shape in SHAPES.items():
        print(f"{key:<{width}}  {shape.name(example)}: {shape.says(example)}")
    return 0


def lesson_command(args: argparse.Namespace) -> int:
    path = find_lesson(args.lesson)
    lesson = Lesson.read(path, recordings_must_exist=not args.record)
    chosen = [flag for flag, given in _options(args) if given]
    if len(chosen) > 1:
        raise BadInput(f"give one of {', '.join(chosen)}, not several")
    if args.copy_to:
        copied = copy_lesson(lesson, args.copy_to)
        print(f"copied to {copied}; give it with: schedviz lesson {copied}")
        return 0
    if args.record:
        return _record(lesson)
    if args.export:
        width = PICTURE_WIDTH.parse(args.width)
        return _export(lesson, Path(args.export), width)
    from visualizer.app import launch

    return launch({}, lesson=path, recorded=args.recorded)


def _options(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--export", args.export is not None),
        ("--copy-to", args.copy_to is not None),
        ("--record", bool(args.record)),
        ("--recorded", bool(args.recorded)),
    ]


def _export(lesson: Lesson, folder: Path, width: int) -> int:
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"export folder {str(folder)!r} is a file: give a folder")
    from visualizer.app.headless_export import ensure_application
    from visualizer.app.lesson_slides import export_slides

    ensure_application()
    written = export_slides(lesson, folder, width, _runs_of, said=print)
    print(f"{len(written)} slides for {len(lesson.steps)} steps in {folder}")
    return 0


def _runs_of(step: LessonStep) -> list[RunResult]:
    """A step's runs: its recordings, or runs made now where it has none."""
    from visualizer.model.tracefile import TraceFileError, read_trace

    if step.recorded:
        try:
            return [analyse(read_trace(path)) for path in step.traces if path is not None]
        except TraceFileError as error:
            raise BadInput(str(error)) from None
    from visualizer.runner.headless import run_to_completion

    print(f"step {step.title!r} has no recording: running it now", file=sys.stderr)
    return [run_to_completion(run) for run in step.runs]


def _record(lesson: Lesson) -> int:
    from visualizer.model.tracefile import write_trace
    from visualizer.runner.headless import run_to_completion

    missing = [step.title for step in lesson.steps if not all(step.traces)]
    if missing:
        raise BadInput(f'step {missing[0]!r} names no trace file to record into: add trace = "..."')
    for number, step in enumerate(lesson.steps, 1):
        for run, path in zip(step.runs, step.traces, strict=True):
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            result = run_to_completion(run)
            if result.trace.ended != "complete":
                print(f"step {number}: the run ended {result.trace.ended}", file=sys.stderr)
                return 1
            write_trace(result.trace, path)
            print(
                f"step {number}: {run.subject} took {result.summary.makespan_ms:,.0f} ms -> {path}"
            )
    return 0
