"""``schedviz sweep``: a style or your app's plan over a grid of concurrency x pool size
(x workers), headless, one server per point; a table, the knees in words, CSV and PNG.

Bad input (a grid value out of range, a list that is not one, an output that cannot be
written, an interpreter that cannot run the server) exits with status 2 and one line,
checked before the first run. Ctrl-C stops the sweep and keeps what is done.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from visualizer.cli import (
    EXIT_INTERRUPTED,
    EXIT_RUN_FAILED,
    PICTURE_WIDTH,
    BadInput,
    _add_app_options,
    _add_server_options,
    _app_target,
    _plan,
    check_writable,
    server_setup_values,
)
from visualizer.model.settings import RANGES, RunSettings, parse_value
from visualizer.model.sweep import (
    SweepGrid,
    SweepRow,
    parse_values,
    sweep_story,
    sweep_title,
    to_csv,
)

#: The settings every run of a sweep shares, as options (the grid's axes are lists).
SHARED = (
    ("work_ms", "work of one request, in ms"),
    ("timeout_s", "client timeout of one request, in s"),
    ("stack_ms", "a loop slice or worker run this long names the line that held it"),
)


def add_sweep_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sweep = commands.add_parser(
        "sweep",
        help="run a style or your app over concurrency x pool size (x workers), one server each",
    )
    defaults = RunSettings()
    sweep.add_argument("--style", default=None, help="the style of every run")
    for name, example in (("concurrency", "10,40,80"), ("pool", "10,40"), ("workers", "1,2")):
        sweep.add_argument(
            f"--{name}",
            required=name != "workers",
            default="1" if name == "workers" else None,
            metavar="N,N,...",
            help=f"the values of {name} to sweep, e.g. {example} ({RANGES[name].describe()})",
        )
    sweep.add_argument(
        "--requests",
        default=None,
        help="requests in each run (default: 4 x its concurrency, at least 20)",
    )
    for name, help_text in SHARED:
        sweep.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            default=str(getattr(defaults, name)),
            help=f"{help_text} ({RANGES[name].describe()})",
        )
    _add_app_options(sweep)
    _add_server_options(sweep)
    sweep.add_argument("--csv", metavar="SWEEP.csv", help="write one row per run")
    sweep.add_argument("--png", metavar="SWEEP.png", help="draw latency and throughput")
    sweep.add_argument(
        "--width",
        default="1600",
        help=f"width of the picture in pixels ({PICTURE_WIDTH.describe()}; default 1600)",
    )
    sweep.add_argument(
        "--traces",
        metavar="DIR",
        help="keep each run's trace here (default: beside --csv or --png, else a temporary folder)",
    )


def grid_from_args(args: argparse.Namespace) -> SweepGrid:
    app = _app_target(args)
    shared = {name: parse_value(name, getattr(args, name)) for name, _ in SHARED}
    if app is None:
        base = RunSettings(style=args.style or "sync_sleep", **shared, **server_setup_values(args))  # type: ignore[arg-type]
    else:
        plan = _plan(args)
        if plan is None:
            raise BadInput("a sweep of your app needs requests to send: give --request or --plan")
        base = RunSettings(style="", app=app, plan=plan, **shared, **server_setup_values(args))  # type: ignore[arg-type]
    requests = int(parse_value("requests", args.requests)) if args.requests is not None else 0
    return SweepGrid(
        base=base,
        concurrency=parse_values("concurrency", args.concurrency),
        pool=parse_values("pool", args.pool),
        workers=parse_values("workers", args.workers),
        requests=requests,
    )


def run_sweep(args: argparse.Namespace) -> int:
    """The ``sweep`` command: check everything, run the grid, print and write the results."""
    from visualizer.runner.interpreters import check_interpreter
    from visualizer.runner.session import check_open_file_limit
    from visualizer.runner.sweep import SweepProgress, SweepRunner

    grid = grid_from_args(args)
    width = PICTURE_WIDTH.parse(args.width)
    for path in (args.csv, args.png):
        if path is not None:
            check_writable(path)
    for settings in grid.configurations():
        check_open_file_limit(settings)
    if grid.base.python:
        check_interpreter(grid.base.python)
    traces = _traces_folder(args)
    runner = SweepRunner(grid, traces)
    subject = grid.base.subject
    print(
        f"schedviz: sweeping {subject} over {grid.size} runs, one server each; traces in {traces}",
        file=sys.stderr,
    )

    def tell(progress: SweepProgress) -> None:
        if progress.row is None:
            print(f"  {progress.describe()}", file=sys.stderr, flush=True)

    status = 0
    try:
        runner.run(tell)
    except KeyboardInterrupt:
        runner.stop()
        status = EXIT_INTERRUPTED
        print("schedviz: stopped; the runs done are kept", file=sys.stderr)
    rows = runner.rows
    _write(rows, args, width, grid)
    print(_table(rows))
    print()
    print("\n".join(sweep_story(rows)))
    if status == 0 and any(not row.ended.startswith("complete") for row in rows):
        status = EXIT_RUN_FAILED
    return status


def _traces_folder(args: argparse.Namespace) -> Path:
    if args.traces is not None:
        folder = Path(args.traces)
        if folder.exists() and not folder.is_dir():
            raise BadInput(f"traces {args.traces!r} is not a folder")
        return folder
    beside = args.csv or args.png
    if beside is not None:
        return Path(beside).with_name(Path(beside).stem + "-traces")
    return Path(tempfile.mkdtemp(prefix="schedviz-sweep-"))


def _write(rows: list[SweepRow], args: argparse.Namespace, width: int, grid: SweepGrid) -> None:
    if args.csv:
        Path(args.csv).write_text(to_csv(rows), encoding="utf-8")
    if args.png:
        from visualizer.app.headless_export import ensure_application
        from visualizer.app.sweep_picture import SweepPicture, save_sweep_png

        ensure_application()
        save_sweep_png(SweepPicture(sweep_title(grid), rows), args.png, width)


def _table(rows: list[SweepRow]) -> str:
    head = (
        f"{'workers':>7} {'pool':>5} {'C':>5} {'ok':>6} {'failed':>6} "
        f"{'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    )
    lines = [head]
    for row in rows:
        lines.append(
            f"{row.workers:>7} {row.pool:>5} {row.concurrency:>5} {row.ok:>6} {row.failed:>6} "
            f"{row.throughput:>8.1f} {row.p50_ms:>8.1f} {row.p95_ms:>8.1f}"
        )
    return "\n".join(lines)
