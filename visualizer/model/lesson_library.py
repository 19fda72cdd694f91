"""The lessons that ship with schedviz: found by name, and copied to be edited."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from visualizer.model.lesson import Lesson, LessonError

#: The lessons that ship with schedviz, and their recorded runs under ``traces/``.
LESSONS_DIR = Path(__file__).resolve().parents[1] / "lessons"


def shipped_lessons() -> list[Path]:
    """The lesson files that ship with schedviz, in the order they are best given."""
    if not LESSONS_DIR.is_dir():
        return []
    return sorted(LESSONS_DIR.glob("*.toml"))


def find_lesson(name_or_file: str) -> Path:
    """A shipped lesson by name (``async_or_def``, or its title), or a lesson file's path."""
    path = Path(name_or_file)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise LessonError(f"lesson {name_or_file!r} is not a file")
        return path
    wanted = _slug(name_or_file)
    for shipped in shipped_lessons():
        if wanted in (_slug(shipped.stem), _slug(shipped.stem.split("-", 1)[-1])):
            return shipped
    names = ", ".join(shipped.stem.split("-", 1)[-1] for shipped in shipped_lessons())
    raise LessonError(f"no lesson named {name_or_file!r}: the shipped lessons are {names}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def copy_lesson(lesson: Lesson, folder: str | Path) -> Path:
    """Copy the lesson's file and the recordings and plans it names into ``folder``, at the
    same relative places, so the copy is a lesson of its own to edit. Returns its file."""
    if lesson.path is None:
        raise LessonError("a lesson not read from a file cannot be copied")
    folder = Path(folder)
    source = lesson.path.parent
    target = folder / lesson.path.name
    if target.exists():
        raise LessonError(f"{target} exists already: copy into another folder, or remove it")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lesson.path, target)
    for step in lesson.steps:
        for trace in step.traces:
            if trace is not None and trace.is_relative_to(source):
                copied = folder / trace.relative_to(source)
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(trace, copied)
    return target
