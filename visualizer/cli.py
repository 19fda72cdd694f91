"""The command line: ``schedviz`` (the app), ``schedviz run``, ``styles``, ``routes``,
``summary``, ``lessons`` and ``lesson``.

Bad input ends with exit status 2 and one line that names the value and what is
allowed, never a traceback of ours. The user's own app that fails to import or start
is bad input too; its own traceback is shown, since it is theirs to read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from server.routes import STYLE_GROUPS, STYLE_NAMES
from visualizer.model.lesson import LessonError
from visualizer.model.request_plan import PlanError, RequestPlan, plan_from_words
from visualizer.model.settings import (
    RANGES,
    AppTarget,
    RunSettings,
    SettingError,
    check_style,
    parse_value,
)
from visualizer.runner.interpreters import InterpreterError
from visualizer.runner.session import AppFailure, LimitError, ServerError, check_open_file_limit

EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class PictureWidth:
    """The widths --png and --svg accept, from a thumbnail to 8K."""

    low: int = 320
    high: int = 7680
    default: int = 1920

    def describe(self) -> str:
        return f"allowed {self.low:,} to {self.high:,}"

    def parse(self, text: str) -> int:
        try:
            value = float(text)
        except ValueError:
            raise BadInput(f"width {text!r} is not a number: {self.describe()}") from None
        if not self.low <= value <= self.high:
            raise BadInput(f"width {text} is out of range: {self.describe()}")
        if value != int(value):
            raise BadInput(f"width {text} is not a whole number: {self.describe()}")
        return int(value)


PICTURE_WIDTH = PictureWidth()


class BadInput(Exception):
    """One line for the user; the command exits with status 2."""


#: The options that only the built-in styles take.
STYLE_ONLY = ("work_ms", "fail_every")
#: Ports a server of ours may be asked to listen on.
PORTS = (1, 65_535)


class _PlanWord(argparse.Action):
    """Keeps --request, --weight, --header and --body in the order given: a weight, a
    header or a body belongs to the request before it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        words = getattr(namespace, "plan_words", None) or []
        words.append((self.dest, str(values)))
        namespace.plan_words = words


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schedviz",
        description="See what FastAPI does with async def and def endpoints under load.",
    )
    parser.add_argument("--version", action="version", version=f"schedviz {_version()}")
    # Without a command the window opens; these preset it (else it remembers the last run).
    _add_run_options(parser, preset=True)
    _add_app_options(parser)
    parser.add_argument(
        "--run", action="store_true", help="start a run as soon as the window opens"
    )
    parser.add_argument(
        "--screenshot", metavar="PNG", help="after the run, save a picture of the whole window"
    )
    parser.add_argument("--quit", action="store_true", help="close the window after the run")
    parser.add_argument(
        "--duration",
        metavar="S",
        help="with --run and --app but no request: record for S seconds, then stop",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = commands.add_parser("run", help="run one scenario without a window and summarise it")
    _add_run_options(run)
    _add_app_options(run)
    run.add_argument(
        "--duration",
        metavar="S",
        help="a passive run (--app, no request): record for S seconds (default: until Ctrl-C)",
    )
    run.add_argument("--out", metavar="TRACE.json", help="write the trace (opens in Perfetto too)")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.add_argument("--png", metavar="PICTURE.png", help="draw the timeline into a PNG")
    run.add_argument("--svg", metavar="PICTURE.svg", help="draw the timeline into an SVG")
    run.add_argument(
        "--width",
        default=str(PICTURE_WIDTH.default),
        help=f"width of the picture in pixels ({PICTURE_WIDTH.describe()}; "
        f"default {PICTURE_WIDTH.default})",
    )
    from visualizer.sweep_cli import add_sweep_parser

    add_sweep_parser(commands)
    commands.add_parser("styles", help="list the endpoint styles by lesson, one a line")
    routes = commands.add_parser("routes", help="list the routes of your app, one a line")
    routes.add_argument("--app", required=True, metavar="MODULE:ATTR", help="your ASGI app")
    routes.add_argument("--app-dir", default=".", metavar="DIR", help="where its module is")
    routes.add_argument("--factory", action="store_true", help="the app is a factory")
    summary = commands.add_parser("summary", help="the summary and story of a saved trace")
    summary.add_argument("trace", metavar="TRACE", help="a trace file schedviz wrote")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    lessons = commands.add_parser("lessons", help="list the lessons that ship with schedviz")
    lessons.add_argument(
        "--shapes", action="store_true", help="list the shapes a lesson's choices may name"
    )
    _add_lesson_command(commands)
    return parser


def _add_lesson_command(commands: Any) -> None:
    lesson = commands.add_parser(
        "lesson",
        help="give a lesson in the window, or export its slides, copy it, record its runs",
    )
    lesson.add_argument("lesson", metavar="NAME_OR_FILE", help="a shipped lesson, or a .toml file")
    lesson.add_argument(
        "--export", metavar="DIR", help="write a question and an answer slide a step"
    )
    lesson.add_argument(
        "--width",
        default=str(PICTURE_WIDTH.default),
        help=f"width of the slides in pixels ({PICTURE_WIDTH.describe()}; "
        f"default {PICTURE_WIDTH.default})",
    )
    lesson.add_argument(
        "--copy-to", metavar="DIR", help="copy the lesson and its recordings to edit"
    )
    lesson.add_argument(
        "--record",
        action="store_true",
        help="run every step live and write its runs to the traces the lesson names",
    )
    lesson.add_argument(
        "--recorded", action="store_true", help="in the window: play the recorded runs"
    )


def _add_run_options(parser: argparse.ArgumentParser, preset: bool = False) -> None:
    """The options of a run; with ``preset`` they default to None (not given). The
    style and the numbers only a style takes are None when not given either way, so
    that giving one with --app, even its default, is refused (see _app_target)."""
    defaults = RunSettings()
    parser.add_argument(
        "--style",
        default=None,
        help=f"one of: {', '.join(STYLE_NAMES)}"
        + ("" if preset else f" (default {defaults.style})"),
    )
    for name, help_text in (
        ("concurrency", "requests in flight at once"),
        ("requests", "requests in the run"),
        ("work_ms", "work of one request, in ms"),
        ("pool", "threadpool size (AnyIO's default is 40)"),
        ("timeout_s", "client timeout of one request, in s"),
        ("fail_every", "every n-th request goes to a handler that raises; 0: none"),
        ("stack_ms", "a loop slice or worker run this long names the line that held it"),
        ("workers", "server processes on one socket, as uvicorn --workers"),
    ):
        flag = "--" + name.replace("_", "-")
        allowed = RANGES[name].describe()
        default = None if preset or name in STYLE_ONLY else str(getattr(defaults, name))
        parser.add_argument(flag, dest=name, default=default, help=f"{help_text} ({allowed})")
    _add_server_options(parser)


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    """How the server runs: on which interpreter, and how its workers share the port."""
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="run the server on this interpreter (3.11+, with fastapi, uvicorn, anyio and "
        "httpx installed there); default: the one running schedviz",
    )
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        help="with --workers: a socket per worker on one port (SO_REUSEPORT), not one shared",
    )


def server_setup_values(args: argparse.Namespace) -> dict[str, Any]:
    """The run settings of --python and --reuse-port, as given."""
    values: dict[str, Any] = {}
    if getattr(args, "python", None) is not None:
        values["python"] = args.python
    if getattr(args, "reuse_port", False):
        values["reuse_port"] = True
    return values


def _add_app_options(parser: argparse.ArgumentParser) -> None:
    """Your own app instead of a style, and the requests to send it."""
    parser.add_argument(
        "--app", metavar="MODULE:ATTR", help="your ASGI app, as uvicorn takes it (main:app)"
    )
    parser.add_argument(
        "--app-dir", metavar="DIR", help="import the app from DIR, as uvicorn's --app-dir"
    )
    parser.add_argument(
        "--factory", action="store_true", help="MODULE:ATTR is a function that makes the app"
    )
    parser.add_argument(
        "--port",
        help=f"listen on this port of 127.0.0.1 ({PORTS[0]} to {PORTS[1]:,}; default: any free)",
    )
    for name, help_text in (
        ("request", "a request to send, 'METHOD /path?query' (repeat for a mix)"),
        ("weight", "how often the request before it is sent, against the others (1 to 1,000)"),
        ("header", "'Name: value' for the request before it (before any: for all)"),
        ("body", "a JSON body for the request before it, or @FILE"),
    ):
        parser.add_argument(f"--{name}", dest=name, action=_PlanWord, help=help_text)
    parser.add_argument("--plan", metavar="PLAN.toml", help="the requests to send, from a file")


def settings_from_args(args: argparse.Namespace) -> RunSettings:
    app = _app_target(args)
    if app is None:
        defaults = RunSettings()
        given = {name: getattr(args, name) for name in RANGES}
        values: dict[str, Any] = {
            name: parse_value(name, str(getattr(defaults, name)) if text is None else text)
            for name, text in given.items()
        }
        values.update(server_setup_values(args))
        style = defaults.style if args.style is None else args.style
        return RunSettings(style=style, **values)
    given = {name: getattr(args, name) for name in RANGES if name not in STYLE_ONLY}
    values = {name: parse_value(name, text) for name, text in given.items()}
    values.update(server_setup_values(args))
    return RunSettings(style="", app=app, plan=_plan(args), **values)


def _app_target(args: argparse.Namespace) -> AppTarget | None:
    """The user's app if --app is given; the options that go only with one or the other
    are refused, naming them."""
    app_only = [flag for flag, given in _app_only_options(args) if given]
    if args.app is None:
        if app_only:
            raise BadInput(f"{app_only[0]} is for your own app: give --app MODULE:ATTR too")
        return None
    if getattr(args, "style", None) is not None:
        raise BadInput("give --style or --app, not both: a run is of a style or of your app")
    for name in STYLE_ONLY:
        if getattr(args, name) is not None:
            raise BadInput(f"--{name.replace('_', '-')} is for the built-in styles, not --app")
    app_dir = args.app_dir or "."
    if not Path(app_dir).is_dir():
        raise BadInput(f"app dir {app_dir!r} is not a folder")
    return AppTarget(args.app, str(Path(app_dir).resolve()), args.factory)


def _app_only_options(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--app-dir", args.app_dir is not None),
        ("--factory", bool(args.factory)),
        ("--plan", args.plan is not None),
        ("--request", bool(getattr(args, "plan_words", None))),
    ]


def _plan(args: argparse.Namespace) -> RequestPlan | None:
    """The planned requests: --plan's file or the --request options; None is passive."""
    words = getattr(args, "plan_words", None) or []
    if args.plan is not None:
        if words:
            raise BadInput("give --plan or --request options, not both")
        return RequestPlan.read(args.plan)
    return plan_from_words(words)


def port_from_args(args: argparse.Namespace) -> int:
    if args.port is None:
        return 0
    try:
        port = int(args.port)
    except ValueError:
        raise BadInput(
            f"port {args.port!r} is not a whole number: allowed {PORTS[0]} to {PORTS[1]:,}"
        ) from None
    if not PORTS[0] <= port <= PORTS[1]:
        raise BadInput(f"port {port} is out of range: allowed {PORTS[0]} to {PORTS[1]:,}")
    return port


def preset_from_args(args: argparse.Namespace) -> dict[str, object]:
    """The run settings given on the command line of the app, checked; others are absent."""
    preset: dict[str, object] = {}
    app = _app_target(args)
    if app is not None:
        preset.update(style="", app=app, plan=_plan(args))
    elif args.style is not None:
        check_style(args.style)
        preset["style"] = args.style
    for name in RANGES:
        if getattr(args, name) is not None:
            preset[name] = parse_value(name, getattr(args, name))
    preset.update(server_setup_values(args))
    return preset


def check_writable(path: str) -> Path:
    """Fail now, not after a long run, if ``path`` cannot be written."""
    if not path.strip():
        raise BadInput("output path '' is empty: give a file name")
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"output path {path!r} is a folder: give a file name")
    existed = target.exists()
    if existed and not target.is_file():
        # A FIFO would hang the write after the run; a device such as /dev/full fails it.
        raise BadInput(f"output path {path!r} is not a regular file: give a file name")
    try:
        with open(target, "ab"):
            pass
    except OSError as error:
        raise BadInput(f"output path {path!r} cannot be written: {error.strerror}") from None
    if not existed:
        target.unlink()
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; every error ends as one line on stderr and an exit status."""
    try:
        return _dispatch(argv)
    except (BadInput, SettingError, LimitError, PlanError, LessonError, InterpreterError) as error:
        return _fail(str(error), EXIT_BAD_INPUT)
    except AppFailure as error:
        return _fail_app(error)
    except ServerError as error:
        return _fail(_one_line(str(error)), EXIT_RUN_FAILED)
    except OSError as error:  # an output that could be opened but not written (a full disk)
        where = f" {error.filename}" if error.filename else ""
        return _fail(f"could not write{where}: {error.strerror or error}", EXIT_RUN_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except Exception as error:  # a bug of ours: one line here, the traceback in a file
        report = _save_traceback()
        return _fail(
            f"internal error ({type(error).__name__}: {error}); details in {report}",
            EXIT_RUN_FAILED,
        )


def _dispatch(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "styles":
        return _print_styles()
    if args.command == "summary":
        return _summary(args.trace, args.json)
    if args.command == "routes":
        return _print_routes(args)
    if args.command == "lessons":
        from visualizer.lesson_commands import print_lessons, print_shapes

        return print_shapes() if args.shapes else print_lessons()
    if args.command == "lesson":
        from visualizer.lesson_commands import lesson_command

        return lesson_command(args)
    if args.command == "sweep":
        from visualizer.sweep_cli import run_sweep

        return run_sweep(args)
    if args.command == "run":
        settings = settings_from_args(args)
        port = port_from_args(args)
        duration = _duration(args.duration, settings.passive)
        args.width = PICTURE_WIDTH.parse(args.width)
        for path in (args.out, args.png, args.svg):
            if path is not None:
                check_writable(path)
        check_open_file_limit(settings)
        return _run(settings, args, port, duration)
    preset = preset_from_args(args)
    port = port_from_args(args)
    duration = _duration(args.duration, preset.get("app") is not None and not preset.get("plan"))
    if duration is not None and not args.run:
        raise BadInput("--duration is for a recording started by --run: give --run too")
    if args.screenshot is not None:
        check_writable(args.screenshot)
    # Qt is imported only when the window is wanted.
    from visualizer.app import launch

    return launch(
        preset,
        run=args.run,
        screenshot=args.screenshot,
        quit_after=args.quit,
        port=port,
        duration_s=duration,
    )


def _duration(text: str | None, passive: bool) -> float | None:
    """How long a passive run records; refused for a run that sends its own requests."""
    if text is None:
        return None
    if not passive:
        raise BadInput("--duration is for a passive run: --app with no --request or --plan")
    try:
        seconds = float(text)
    except ValueError:
        raise BadInput(f"duration {text!r} is not a number: allowed 0.1 to 86,400 s") from None
    if not 0.1 <= seconds <= 86_400:
        raise BadInput(f"duration {text} is out of range: allowed 0.1 to 86,400 s")
    return seconds


def _fail(message: str, status: int) -> int:
    print(f"schedviz: {message}", file=sys.stderr)
    return status


def _fail_app(failure: AppFailure) -> int:
    """The user's app could not be served: their error, then their code's traceback."""
    print(f"schedviz: your app could not be served: {failure.message}", file=sys.stderr)
    if failure.user_traceback:
        print(f"\n{failure.user_traceback.rstrip()}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _one_line(message: str) -> str:
    """A child's failure in one line: what happened, and the last thing it said."""
    first, _, log = message.partition("\n")
    last_words = [line.strip() for line in log.splitlines() if line.strip()]
    return f"{first.rstrip(':; ')}: {last_words[-1]}" if last_words else first


def _save_traceback() -> str:
    with tempfile.NamedTemporaryFile(
        "w", prefix="schedviz-error-", suffix=".txt", delete=False
    ) as report:
        traceback.print_exc(file=report)
    return report.name


def _print_styles() -> int:
    from server.styles import CATALOGUE

    width = max(map(len, CATALOGUE))
    for number, group in enumerate(STYLE_GROUPS):
        if number:
            print()
        print(f"{group.title}: {group.lesson}")
        for name in group.styles:
            print(f"  {name:<{width}}  {CATALOGUE[name].expect}")
    return 0


def _print_routes(args: argparse.Namespace) -> int:
    """Start the app's server, list its routes and what serves them, and stop."""
    from visualizer.runner.session import Session

    app_dir = args.app_dir or "."
    if not Path(app_dir).is_dir():
        raise BadInput(f"app dir {app_dir!r} is not a folder")
    session = Session(app=AppTarget(args.app, str(Path(app_dir).resolve()), args.factory))
    try:
        session.start_server()
        routes = session.routes
    finally:
        session.close()
    width = max((len(route["label"]) for route in routes), default=0)
    for route in routes:
        endpoint = route.get("endpoint") or {}
        where = f"{endpoint.get('file', '')}:{endpoint.get('line', 0)}" if endpoint else ""
        name = f"{endpoint.get('kind', '')} {endpoint.get('name', '')}".strip()
        print(f"{route['label']:<{width}}  {name}  {where}".rstrip())
    return 0


def _run(settings: RunSettings, args: argparse.Namespace, port: int, duration: float | None) -> int:
    from visualizer.runner.headless import run_to_completion

    show_progress = sys.stderr.isatty() and not os.environ.get("CI")
    result = run_to_completion(settings, progress=show_progress, port=port, duration_s=duration)
    if args.out:
        from visualizer.model.tracefile import write_trace

        write_trace(result.trace, args.out)
    if args.png or args.svg:
        from visualizer.app.headless_export import write_pictures

        write_pictures(result, args.png, args.svg, args.width)
    if args.json:
        print(json.dumps(result.summary.to_json()))
    else:
        print(result.report())
    return 0 if result.trace.ended.startswith(("complete", "stopped")) else EXIT_RUN_FAILED


def _summary(path: str, as_json: bool) -> int:
    """A saved run's figures and story; a file that is no trace is bad input (one line)."""
    from visualizer.model.analysis import analyse
    from visualizer.model.tracefile import TraceFileError, read_trace

    try:
        trace = read_trace(path)
    except TraceFileError as error:
        raise BadInput(str(error)) from None
    result = analyse(trace)
    print(json.dumps(result.summary.to_json()) if as_json else result.report())
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fastapi-schedviz")
    except PackageNotFoundError:
        return "(not installed)"
