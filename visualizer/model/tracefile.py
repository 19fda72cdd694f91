"""The trace file: Chrome Trace Event Format, object form, so a run opens in Perfetto too.

``{"traceEvents": [...], "metadata": {"schedviz": {...}}}``. Times are microseconds
from the start of the run, written with three decimals so nanoseconds survive a
round trip. The measured events (loop slices, worker runs, requests with their
server stamps) are enough to rebuild the run; the phase events are derived and
written for other viewers, and ignored on reading.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from server.protocol import RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model.phases import Phase, derive_phases
from visualizer.model.settings import RunSettings, SettingError
from visualizer.model.trace import RunTrace

FORMAT_VERSION = 1
SERVER_PID, REQUESTS_PID = 1, 2
#: Larger files are refused before reading: a real run of a million requests is ~1 GB.
MAX_FILE_BYTES = 2 * 1024**3
_STAMP_ARGS = {
    SERVER_START: "server_start_us",
    RESPONSE_START: "response_start_us",
    RESPONSE_END: "response_end_us",
}


class TraceFileError(ValueError):
    """A file that is not a schedviz trace; the message says what is wrong with it."""


def write_trace(trace: RunTrace, path: str | Path) -> None:
    """Write ``trace`` as a Chrome trace file."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(to_chrome(trace), out, separators=(",", ":"))


def to_chrome(trace: RunTrace) -> dict[str, Any]:
    t0 = trace.t0

    def us(ns: int) -> float:
        return round((ns - t0) / 1000, 3)

    events: list[dict[str, Any]] = [
        _meta("process_name", SERVER_PID, 0, "server"),
        _meta("process_name", REQUESTS_PID, 0, "requests"),
        _meta("thread_name", SERVER_PID, 0, "event loop"),
    ]
    worker = np.sort(trace.worker.rows, order="start")
    lane_of: dict[int, int] = {}
    for thread in worker["thread"].tolist():
        if thread not in lane_of:
            lane_of[thread] = len(lane_of) + 1
            events.append(
                _meta("thread_name", SERVER_PID, lane_of[thread], f"worker {lane_of[thread]}")
            )
    for start, end, request, due in np.sort(trace.loop.rows, order="start").tolist():
        args: dict[str, Any] = {"request": request or None}
        if due:
            args["due_us"] = us(due)
        name = f"request {request}" if request else "server"
        events.append(_slice("loop", name, SERVER_PID, 0, us(start), (end - start) / 1000, args))
    for request, dispatched, start, end, cpu, thread in worker.tolist():
        args = {"request": request or None, "cpu_us": cpu / 1000, "dispatched_us": us(dispatched)}
        name = f"request {request}" if request else "server"
        events.append(
            _slice(
                "worker", name, SERVER_PID, lane_of[thread], us(start), (end - start) / 1000, args
            )
        )

    stamps: dict[int, dict[str, float]] = {}
    for request, kind, t in trace.stamp.rows.tolist():
        stamps.setdefault(request, {})[_STAMP_ARGS[kind]] = us(t)
    done = {row[0]: row for row in trace.done.rows.tolist()}
    style = trace.settings.style
    for request, sent in sorted(trace.sent.rows.tolist()):
        events.append(_meta("thread_name", REQUESTS_PID, request, f"request {request}"))
        _, _, received, status, outcome = done[request]
        args = {
            "request": request,
            "style": style,
            "status": status,
            "outcome": Outcome(outcome).label,
            "outcome_code": outcome,
            **stamps.get(request, {}),
        }
        events.append(
            _slice(
                "request",
                f"request {request}",
                REQUESTS_PID,
                request,
                us(sent),
                (received - sent) / 1000,
                args,
            )
        )
    phases = derive_phases(trace)
    for request, start, end, phase in zip(
        phases.request.tolist(),
        phases.start.tolist(),
        phases.end.tolist(),
        phases.phase.tolist(),
        strict=True,
    ):
        name = Phase(phase).name.lower()
        events.append(
            _slice(
                "phase",
                name,
                REQUESTS_PID,
                request,
                us(start),
                (end - start) / 1000,
                {"request": request},
            )
        )
    metadata = {
        "format": FORMAT_VERSION,
        "settings": trace.settings.to_dict(),
        "versions": trace.versions,
        "ended": trace.ended,
        "requests_sent": len(trace.sent),
    }
    return {"traceEvents": events, "displayTimeUnit": "ms", "metadata": {"schedviz": metadata}}


def read_trace(path: str | Path) -> RunTrace:
    """Read a trace file written by :func:`write_trace`; raise TraceFileError if it is not one."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TraceFileError(
                f"{path.name} is {size / 1024**3:.1f} GB: trace files up to "
                f"{MAX_FILE_BYTES / 1024**3:.0f} GB can be opened"
            )
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
    except OSError as error:
        raise TraceFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TraceFileError(f"{path.name} is not a text file, so not a trace") from None
    except json.JSONDecodeError as error:
        raise TraceFileError(
            f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}): "
            "it may be truncated"
        ) from None
    return from_chrome(data, name=path.name)


def from_chrome(data: Any, name: str = "the trace") -> RunTrace:
    if not isinstance(data, dict) or not isinstance(data.get("traceEvents"), list):
        raise TraceFileError(f"{name} is JSON but not a trace: it has no traceEvents list")
    meta = data.get("metadata", {})
    schedviz = meta.get("schedviz") if isinstance(meta, dict) else None
    if not isinstance(schedviz, dict):
        raise TraceFileError(
            f"{name} is a trace, but not one schedviz wrote (no schedviz metadata)"
        )
    try:
        settings = RunSettings.from_dict(schedviz.get("settings", {}))
    except (SettingError, TypeError) as error:
        raise TraceFileError(f"{name} has settings schedviz cannot use: {error}") from None
    trace = RunTrace(settings=settings, versions=dict(schedviz.get("versions", {})))
    trace.ended = str(schedviz.get("ended", ""))
    try:
        _read_events(trace, data["traceEvents"])
    except (KeyError, TypeError, ValueError) as error:
        raise TraceFileError(f"{name} has an event schedviz cannot read: {error!r}") from None
    return trace


def _read_events(trace: RunTrace, events: list[Any]) -> None:
    loop, worker, sent, done, stamp = [], [], [], [], []
    thread_of_lane: dict[int, int] = {}
    for event in events:
        if event.get("ph") != "X":
            continue
        cat, args = event.get("cat"), event.get("args") or {}
        start = _ns(event["ts"])
        end = start + _ns(event["dur"])
        request = int(args.get("request") or 0)
        if cat == "loop":
            due = _ns(args["due_us"]) if "due_us" in args else 0
            loop.append((start, end, request, due))
        elif cat == "worker":
            lane = int(event["tid"])
            thread = thread_of_lane.setdefault(lane, lane)
            worker.append(
                (request, _ns(args["dispatched_us"]), start, end, _ns(args["cpu_us"]), thread)
            )
        elif cat == "request":
            sent.append((request, start))
            outcome = int(args.get("outcome_code", Outcome.OK))
            done.append((request, start, end, int(args.get("status", 0)), Outcome(outcome)))
            for kind, key in _STAMP_ARGS.items():
                if key in args:
                    stamp.append((request, kind, _ns(args[key])))
    if len({row[0] for row in sent}) != len(sent):
        raise ValueError("a request appears more than once")
    trace.loop.extend(loop)
    trace.worker.extend(worker)
    trace.sent.extend(sent)
    trace.done.extend([(*row[:4], int(row[4])) for row in done])
    trace.stamp.extend(stamp)


def _ns(us: Any) -> int:
    value = float(us)
    if not math.isfinite(value):
        raise ValueError(f"time {us!r} is not a finite number")
    return round(value * 1000)


def _meta(kind: str, pid: int, tid: int, name: str) -> dict[str, Any]:
    return {"ph": "M", "name": kind, "pid": pid, "tid": tid, "args": {"name": name}}


def _slice(
    cat: str, name: str, pid: int, tid: int, ts: float, dur: float, args: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ph": "X",
        "cat": cat,
        "name": name,
        "pid": pid,
        "tid": tid,
        "ts": ts,
        "dur": dur,
        "args": args,
    }
