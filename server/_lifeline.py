"""The server's line to its parent: commands come in on stdin, and stdin's end means exit.

When the parent dies, however it dies, the kernel closes its end of the pipe and
our read returns end-of-file: the server then stops, and is gone within a second
even if a handler is stuck.

The pipe is taken off fd 0 and read with ``os.read`` on a descriptor of its own; the
process's stdin becomes /dev/null. Reading ``sys.stdin`` from a thread held its lock
whenever a process pool forked a worker, and the worker deadlocked closing its
inherited stdin (multiprocessing's ``_close_stdin``): a user's ProcessPoolExecutor
hung under schedviz and not under uvicorn. Nothing of the user's sees our pipe now.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

Command = Callable[[dict[str, Any]], None]

#: How long a graceful stop may take after the parent has gone.
EXIT_GRACE_S = 0.8


def take_stdin() -> int:
    """Our own descriptor of the parent's pipe; fd 0 and ``sys.stdin`` read /dev/null."""
    pipe = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0 stays open for the process
    return pipe


def read_lines(fd: int) -> Iterator[bytes]:
    """The lines read from ``fd`` until it ends, with ``os.read``: no lock is held."""
    pending = b""
    while chunk := os.read(fd, 1 << 16):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        yield pending


#: What must be undone however the process leaves (see :func:`at_leave`).
_on_leave: list[Callable[[], None]] = []


def at_leave(undo: Callable[[], None]) -> None:
    """Have :func:`leave` call ``undo``: the process leaves with ``os._exit``, which runs
    no ``atexit`` hook and no ``finally`` of the main thread."""
    _on_leave.append(undo)


def leave(status: int = 0) -> NoReturn:
    """End the process now, and the worker processes the app started (a process pool's).

    Not a normal exit: a handler may still be running on a worker thread, and the
    interpreter would wait for it. That also skips the exit hook that would have shut
    the app's process pools down, so their workers are ended here, as they would have
    been at uvicorn's exit; they must not outlive the server.
    """
    for child in multiprocessing.active_children():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            child.kill()
    for undo in _on_leave:
        with contextlib.suppress(Exception):
            undo()
    os._exit(status)


def watch_parent(on_command: Command, on_parent_gone: Callable[[], None]) -> threading.Thread:
    """Read commands from the parent's pipe on a thread of its own until it closes, then exit."""
    pipe = take_stdin()

    def run() -> None:
        for line in read_lines(pipe):
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if isinstance(command, dict):
                on_command(command)
        on_parent_gone()
        time.sleep(EXIT_GRACE_S)
        leave()

    thread = threading.Thread(target=run, name="schedviz-lifeline", daemon=True)
    thread.start()
    return thread
