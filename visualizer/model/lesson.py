"""Lesson: a teacher's sequence of runs, each asked as a question before it is shown.

A lesson is a small TOML file: a title, and ordered steps. Each step is a run (a
built-in style, or the user's app with its requests) or a comparison of two, the
question the class answers first, its choices (shapes of the scheduling model,
:mod:`visualizer.model.scheduling`), and the takeaway said after the reveal. A step
may name a recorded trace for each run, used where running would be slow::

    title = "async or def?"
    about = "Where each endpoint's work runs, measured."

    [[step]]
    title = "time.sleep in async def"
    question = "Five requests at once, each calling time.sleep(0.2) in async def. How long?"
    run = { style = "async_blocking", concurrency = 5, requests = 5, work_ms = 200 }
    choices = ["all_at_once", "one_at_a_time", { shape = "gil_turns", text = "..." }]
    takeaway = "A blocking call inside async def freezes the event loop."
    trace = "traces/async_or_def-2.json"

    [[step]]
    compare = [{ style = "async_blocking" }, { style = "async_offload" }]
    traces = ["traces/a.json", "traces/b.json"]
    ...

A comparison's choices are about its second run unless ``predict = 1`` says the
first. Paths are relative to the lesson's file. Every refusal names the file, the
line and the key, as a plan file's do (:mod:`visualizer.model.request_plan`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

from visualizer.model.request_plan import PlanError, RequestPlan, parse_request, plan_from_words
from visualizer.model.scheduling import SHAPES, Candidate, Workload, predict
from visualizer.model.settings import RANGES, AppTarget, RunSettings, SettingError
from visualizer.model.user_files import read_text

_TOP_KEYS = ("title", "about", "step")
_STEP_KEYS = (
    "title",
    "question",
    "run",
    "compare",
    "choices",
    "takeaway",
    "trace",
    "traces",
    "predict",
)
_RUN_KEYS = ("style", "app", "app_dir", "factory", "plan", "request", *RANGES)
MIN_CHOICES, MAX_CHOICES = 2, 4


class LessonError(ValueError):
    """A lesson that cannot be given; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Choice:
    """One answer the class may pick: a shape of the scheduling model, in the lesson's words
    (empty: the shape's own name)."""

    shape: str
    text: str = ""


@dataclass(frozen=True)
class LessonStep:
    """One question, its run (or two runs compared), and what to take away."""

    title: str
    question: str
    runs: tuple[RunSettings, ...]
    choices: tuple[Choice, ...]
    takeaway: str
    #: A recorded trace for each run, or None where the run is to be made live.
    traces: tuple[Path | None, ...]
    #: The run the prediction is about (an index into ``runs``).
    predicts: int = 0
    #: Where the step begins in its file.
    line: int = 1

    @property
    def is_comparison(self) -> bool:
        return len(self.runs) == 2

    @property
    def predicted(self) -> RunSettings:
        return self.runs[self.predicts]

    @property
    def recorded(self) -> bool:
        """Whether every run of the step has a recorded trace."""
        return all(trace is not None for trace in self.traces)

    def candidates(self, cores: int | None = None) -> list[Candidate]:
        """The choices as shapes worked out for the run predicted, in the lesson's words."""
        workload = Workload.of(self.predicted, cores)
        return [
            replace(predict(choice.shape, workload), name=choice.text)
            if choice.text
            else predict(choice.shape, workload)
            for choice in self.choices
        ]


@dataclass(frozen=True)
class Lesson:
    """A titled, ordered list of steps, read from a file (or text)."""

    name: str
    title: str
    about: str
    steps: tuple[LessonStep, ...]
    path: Path | None = None

    @classmethod
    def read(cls, path: str | Path, recordings_must_exist: bool = True) -> Lesson:
        """The lesson in ``path``; its recordings need not exist yet when it is read to
        record them (``schedviz lesson --record``)."""
        path = Path(path)
        text = read_text(
            path, lambda reason: LessonError(f"lesson {str(path)!r} cannot be read: {reason}")
        )
        lesson = cls.from_toml(text, path.name, path.resolve().parent, recordings_must_exist)
        return replace(lesson, name=path.stem, path=path.resolve())

    @classmethod
    def from_toml(
        cls,
        text: str,
        name: str = "lesson",
        folder: Path | None = None,
        recordings_must_exist: bool = True,
    ) -> Lesson:
        """A lesson from a file's text; ``folder`` is where its paths are relative to (None:
        its traces and plans are not looked for)."""
        return _Reader(text, name, folder, recordings_must_exist).lesson()


class _Reader:
    """Reads one lesson file, knowing where each key is, to name it in any refusal."""

    def __init__(
        self, text: str, name: str, folder: Path | None, recordings_must_exist: bool = True
    ) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.name = name
        self.folder = folder
        self.recordings_must_exist = recordings_must_exist

    def lesson(self) -> Lesson:
        try:
            document = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            raise LessonError(f"{self.name} is not valid TOML: {error}") from None
        for key in document:
            if key not in _TOP_KEYS:
                self.fail(key, None, f"key {key!r} is not known: a lesson holds {_list(_TOP_KEYS)}")
        title = self.text_value(document, "title", None, required=True)
        about = self.text_value(document, "about", None)
        steps = document.get("step")
        if not isinstance(steps, list) or not steps:
            line = self.line_of("step", None)
            raise LessonError(
                f"{self.name}, line {line}: a lesson needs at least one [[step]] table"
            )
        return Lesson(
            name=Path(self.name).stem,
            title=title,
            about=about,
            steps=tuple(self.step(entry, number) for number, entry in enumerate(steps, 1)),
        )

    def step(self, entry: Any, number: int) -> LessonStep:
        if not isinstance(entry, dict):
            raise LessonError(
                f"{self.name}, line {self.step_line(number)}: step {number} is not a table"
            )
        for key in entry:
            if key not in _STEP_KEYS:
                self.fail(
                    key, number, f"key {key!r} is not known: a step holds {_list(_STEP_KEYS)}"
                )
        question = self.text_value(entry, "question", number, required=True)
        takeaway = self.text_value(entry, "takeaway", number, required=True)
        title = self.text_value(entry, "title", number) or f"Step {number}"
        if ("run" in entry) == ("compare" in entry):
            self.fail(
                "compare" if "compare" in entry else "run",
                number,
                "give run = {...} or compare = [{...}, {...}], one of the two",
            )
        runs: tuple[RunSettings, ...]
        if "run" in entry:
            runs = (self.run(entry["run"], number, "run", 0),)
        else:
            pair = entry["compare"]
            if not isinstance(pair, list) or len(pair) != 2:
                self.fail("compare", number, "compare holds two runs: [{...}, {...}]")
            runs = tuple(self.run(run, number, "compare", i) for i, run in enumerate(pair))
        traces = self.traces(entry, number, len(runs))
        predicts = len(runs) - 1
        if "predict" in entry:
            if (
                len(runs) != 2
                or entry["predict"] not in (1, 2)
                or type(entry["predict"]) is not int
            ):
                self.fail("predict", number, "predict is 1 or 2: which run of a compare is asked")
            predicts = entry["predict"] - 1
        choices = self.choices(entry, number)
        return LessonStep(
            title=title,
            question=question,
            runs=runs,
            choices=choices,
            takeaway=takeaway,
            traces=traces,
            predicts=predicts,
            line=self.step_line(number),
        )

    def run(self, table: Any, number: int, key: str, index: int) -> RunSettings:
        if not isinstance(table, dict):
            self.fail(
                key, number, f"{key} is a table of style (or app), concurrency, requests, ..."
            )
        for name in table:
            if name not in _RUN_KEYS:
                self.fail(
                    name, number, f"{key} key {name!r} is not known: use {_list(_RUN_KEYS)}", index
                )
        values: dict[str, Any] = {}
        for name in RANGES:
            if name in table:
                value = table[name]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.fail(name, number, f"{name} {value!r} is not a number", index)
                values[name] = value
        try:
            if "app" in table:
                return self.app_run(table, values, number, index)
            if "style" not in table:
                self.fail(key, number, f"{key} names no style (or app)")
            if type(table["style"]) is not str:
                self.fail("style", number, f"style {table['style']!r} is not text", index)
            return RunSettings(style=table["style"], **values)
        except SettingError as error:
            # A setting's message begins with its name: that names the key.
            first = str(error).split(maxsplit=1)[0]
            named = {"unknown": "style", "app": "app"}.get(first, first.replace("-", "_"))
            self.fail(named if named in table else key, number, str(error), index)

    def app_run(
        self, table: dict[str, Any], values: dict[str, Any], number: int, index: int
    ) -> RunSettings:
        if "style" in table:
            self.fail("style", number, "give style or app, not both", index)
        for name in ("app", "app_dir"):
            if name in table and type(table[name]) is not str:
                self.fail(name, number, f"{name} {table[name]!r} is not text", index)
        app_dir = Path(table.get("app_dir", "."))
        if self.folder is not None and not app_dir.is_absolute():
            app_dir = self.folder / app_dir
        target = AppTarget(table["app"], str(app_dir.resolve()), table.get("factory") is True)
        plan: RequestPlan | None = None
        try:
            if "plan" in table:
                if "request" in table:
                    self.fail("request", number, "give plan or request, not both", index)
                plan = RequestPlan.read(self.path_of(table["plan"], "plan", number, index))
            elif "request" in table:
                words = table["request"]
                if not isinstance(words, list) or not all(type(w) is str for w in words):
                    self.fail("request", number, "request is a list of 'METHOD /path'", index)
                for word in words:
                    parse_request(word)
                plan = plan_from_words([("request", word) for word in words])
        except PlanError as error:
            self.fail("plan" if "plan" in table else "request", number, str(error), index)
        return RunSettings(style="", app=target, plan=plan, **values)

    def traces(self, entry: dict[str, Any], number: int, runs: int) -> tuple[Path | None, ...]:
        wanted, other = ("trace", "traces") if runs == 1 else ("traces", "trace")
        if other in entry:
            self.fail(
                other,
                number,
                f"a {'run' if runs == 1 else 'compare'} names its recording with {wanted}",
            )
        if wanted not in entry:
            return (None,) * runs
        given = entry[wanted]
        paths = [given] if runs == 1 else given
        if not isinstance(paths, list) or len(paths) != runs:
            self.fail(wanted, number, "traces holds two file names, one for each run compared")
        return tuple(self.path_of(path, wanted, number) for path in paths)

    def path_of(self, value: Any, key: str, number: int, index: int = 0) -> Path:
        if type(value) is not str or not value.strip():
            self.fail(key, number, f"{key} {value!r} is not a file name", index)
        path = Path(value)
        if self.folder is None:
            return path
        path = path if path.is_absolute() else self.folder / path
        recording = key in ("trace", "traces")
        if not path.is_file() and (self.recordings_must_exist or not recording):
            self.fail(
                key, number, f"{key} {value!r} is not a file (looked in {self.folder})", index
            )
        return path.resolve()

    def choices(self, entry: dict[str, Any], number: int) -> tuple[Choice, ...]:
        given = entry.get("choices")
        if not isinstance(given, list) or not MIN_CHOICES <= len(given) <= MAX_CHOICES:
            self.fail(
                "choices" if "choices" in entry else "question",
                number,
                f"choices lists {MIN_CHOICES} to {MAX_CHOICES} shapes: {_list(SHAPES)}",
            )
        choices = []
        for item in given:
            shape, text = (item, "") if isinstance(item, str) else _table_choice(item)
            if shape not in SHAPES:
                self.fail(
                    "choices", number, f"choice {shape!r} is not a shape: use {_list(SHAPES)}"
                )
            choices.append(Choice(shape, text))
        if len({choice.shape for choice in choices}) != len(choices):
            self.fail("choices", number, "choices names a shape twice")
        return tuple(choices)

    # -- where a key is ----------------------------------------------------------------------

    def text_value(
        self, table: dict[str, Any], key: str, number: int | None, required: bool = False
    ) -> str:
        if key not in table:
            if required:
                where = f"step {number}" if number else "the lesson"
                line = self.step_line(number) if number else 1
                raise LessonError(f"{self.name}, line {line}: {where} has no {key}")
            return ""
        value = table[key]
        if type(value) is not str or not value.strip():
            self.fail(key, number, f"{key} is text, not {value!r}")
        return " ".join(value.split())

    def fail(self, key: str, number: int | None, message: str, nth: int = 0) -> NoReturn:
        line = self.line_of(key, number, nth)
        where = f" (step {number})" if number else ""
        raise LessonError(f"{self.name}, line {line}{where}: {message}")

    def step_line(self, number: int | None) -> int:
        """The line of the ``number``-th ``[[step]]`` header (from 1), or 1."""
        if not number:
            return 1
        seen = 0
        for index, line in enumerate(self.lines, 1):
            if re.match(r"^\s*\[\[\s*step\s*\]\]", line):
                seen += 1
                if seen == number:
                    return index
        return 1

    def line_of(self, key: str, number: int | None, run: int = 0) -> int:
        """The line where ``key`` is set in step ``number`` (None: the top of the file), in
        a table or an inline one, in the ``run``-th run of a compare; the step's first line
        if not found."""
        start = self.step_line(number) if number else 1
        if run:
            start = self.run_line(start, run)
        pattern = re.compile(
            rf"(^|[\s{{,]){re.escape(key)}\s*=|^\s*\[+\s*(step\.)?{re.escape(key)}\s*\]"
        )
        for index in range(start - 1, len(self.lines)):
            line = self.lines[index]
            if index >= start and re.match(r"^\s*\[\[\s*step\s*\]\]", line):
                break
            if number is None and re.match(r"^\s*\[", line) and key != "step":
                break
            if pattern.search(line.split("#", 1)[0]):
                return index + 1
        return start

    def run_line(self, start: int, run: int) -> int:
        """The line where the ``run``-th (from 0) table of the step's ``compare = [...]``
        opens, counting braces at the array's own depth."""
        compare = self.line_of("compare", None if start == 1 else self.step_number(start))
        depth, seen = 0, -1
        for index in range(compare - 1, len(self.lines)):
            for char in self.lines[index].split("#", 1)[0]:
                if char in "[{":
                    depth += 1
                    if char == "{" and depth == 2:
                        seen += 1
                        if seen == run:
                            return index + 1
                elif char in "]}":
                    depth -= 1
        return compare

    def step_number(self, line: int) -> int:
        """Which step (from 1) the ``line``-th line of the file is in."""
        headers = [i for i, text in enumerate(self.lines, 1) if re.match(r"^\s*\[\[\s*step", text)]
        return sum(1 for header in headers if header <= line)


def _table_choice(item: Any) -> tuple[str, str]:
    if not isinstance(item, dict) or set(item) - {"shape", "text"} or "shape" not in item:
        return repr(item), ""
    text = item.get("text", "")
    return str(item["shape"]), " ".join(str(text).split())


def _list(names: Sequence[str] | dict[str, Any]) -> str:
    return ", ".join(names)
