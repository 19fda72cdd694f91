"""StackSampler: the line of code a long loop slice or worker run is held at.

"Which request blocked the loop?" is answered by the loop tracer; "which line?" is
answered here. The traced threads only note when their current slice or run began
(a list store per slice, a dict store per worker run); a thread of ours wakes when
the oldest of them would pass the threshold (10 ms by default) and, for each one
still going past it, reads that thread's stack with ``sys._current_frames()``.
Nothing is done on the traced threads, and nothing at all while every slice is short.

Each sample is one ``stack`` event naming the slice by its lane and start; the model
keeps the stack most samples agree on. A stack is its frames innermost first, as
``file:line in function``; with it go the innermost frame of the user's own code
(not the standard library, not an installed package, not our tracing) and that
frame's line, which is what the story quotes: ``time.sleep(0.2)`` in ``get_order``.
"""

from __future__ import annotations

import linecache
import sys
import sysconfig
import threading
from pathlib import Path
from time import perf_counter_ns
from types import FrameType

from .recorder import TraceRecorder
from .thread_lanes import LOOP_LANE

#: The default threshold: a slice this long is sampled (DESIGN.md, 10 ms).
DEFAULT_THRESHOLD_NS = 10_000_000
#: Frames kept of a stack, innermost first.
MAX_FRAMES = 40
#: After this many samples of one slice, sample it five times less often.
DENSE_SAMPLES = 20
#: The sampler never sleeps less than this between looks.
MIN_NAP_NS = 1_000_000

_SERVER = Path(__file__).resolve().parents[1]
#: Our files that are the observed code: the built-in styles' app and handlers.
_OBSERVED = tuple(
    str(_SERVER / name)
    for name in ("app.py", "styles.py", "cpu.py", "upstream.py", "database.py", "process_pool.py")
)
_LIBRARIES = tuple(
    {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
)


class StackSampler:
    """Samples the loop's thread and the workers' threads while they run long."""

    def __init__(self, recorder: TraceRecorder, threshold_ns: int = DEFAULT_THRESHOLD_NS) -> None:
        self._recorder = recorder
        #: Settable between runs (0: off).
        self.threshold_ns = threshold_ns
        #: Written by the loop tracer: when the loop's running slice began, 0 between.
        self.loop_slice = [0]
        #: Written by the pool tracers: thread ident -> (start, lane) of its run going.
        self.worker_runs: dict[int, tuple[int, int]] = {}
        self._loop_thread = 0
        self._samples: dict[tuple[int, int], int] = {}
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="schedviz-stacks", daemon=True)

    def watch_loop_thread(self) -> None:
        """Call on the thread that runs the event loop."""
        self._loop_thread = threading.get_ident()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stopping:
            nap_ns = self._look()
            self._wake.wait(nap_ns / 1e9)

    def _look(self) -> int:
        """Sample every slice and run now past the threshold; return how long to nap."""
        threshold = self.threshold_ns
        if threshold <= 0:
            return 100_000_000
        now = perf_counter_ns()
        going = [(LOOP_LANE, self._loop_thread, self.loop_slice[0])]
        going += [(lane, ident, start) for ident, (start, lane) in list(self.worker_runs.items())]
        due = now + threshold
        frames: dict[int, FrameType] | None = None
        for lane, ident, start in going:
            if not start:
                continue
            if now - start < threshold:
                due = min(due, start + threshold)
                continue
            frames = frames if frames is not None else sys._current_frames()
            frame = frames.get(ident)
            if frame is not None:
                self._sample(lane, start, frame)
            taken = self._samples.get((lane, start), 0)
            due = min(due, now + threshold * (5 if taken > DENSE_SAMPLES else 1))
        self._forget_finished({(lane, start) for lane, _, start in going})
        return max(due - now, MIN_NAP_NS)

    def _sample(self, lane: int, start: int, frame: FrameType) -> None:
        stack, held_at, code, caller = describe_stack(frame)
        label = self._recorder.label
        self._recorder.stack.extend(
            (start, lane, label(stack), label(held_at), label(code), 1, label(caller))
        )
        key = (lane, start)
        self._samples[key] = self._samples.get(key, 0) + 1

    def _forget_finished(self, going: set[tuple[int, int]]) -> None:
        for key in [key for key in self._samples if key not in going]:
            del self._samples[key]


def describe_stack(frame: FrameType | None) -> tuple[str, str, str, str]:
    """(stack, innermost user frame, its line of code, caller): the stack's frames
    innermost first, one ``file:line in function`` a line, our tracing's frames left out.

    The caller is the outermost of the user's frames that run on unbroken from the held
    one: the frame a library called (the endpoint that called a slow helper), "" when
    that is the held frame. Which files are the user's is decided here, where the
    interpreter's own library paths are known (``/usr/lib64/python3.12``,
    ``C:\\Python312\\Lib``), not from the path's shape in the window.
    """
    frames: list[str] = []
    held_at = code = caller = ""
    calling = False  # walking out over the user's frames from the held one
    while frame is not None and len(frames) < MAX_FRAMES:
        filename, line = frame.f_code.co_filename, frame.f_lineno
        if not _ours(filename):
            where = f"{filename}:{line} in {frame.f_code.co_name}"
            frames.append(where)
            # Whose file it is matters only until the walk out from the held line ends.
            if (not held_at or calling) and is_user_file(filename):
                if not held_at:
                    held_at, code = where, linecache.getline(filename, line).strip()
                else:
                    caller = where
                calling = True
            elif held_at:
                calling = False
        frame = frame.f_back
    return "\n".join(frames), held_at, code, caller


def is_user_file(filename: str) -> bool:
    """The observed code's own file: not the standard library, not an installed package,
    not our tracing, not a frozen or generated one."""
    if filename.startswith("<") or _ours(filename):
        return False
    if filename.startswith(_OBSERVED):
        return True  # the built-in styles' handlers, wherever schedviz is installed
    return not filename.startswith(_LIBRARIES) and "site-packages" not in filename


def _ours(filename: str) -> bool:
    """A file of schedviz's server that is not the observed code: tracing, start-up."""
    return filename.startswith(str(_SERVER)) and not filename.startswith(_OBSERVED)
