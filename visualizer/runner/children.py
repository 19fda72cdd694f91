"""ChildProcess: a child that speaks in frames on stdout and takes lines on stdin.

Each child gets a reader thread for its frames and one for its log (stderr), so a
chatty child can never block on a full pipe. Its stdin stays open for as long as we
want it alive: when our process dies, however it dies, the kernel closes that pipe
and the child exits by itself.

The children start isolated from the user's working directory and PYTHONPATH, so
nothing there can replace our code: the server through :mod:`server._boot` (our
server under a private name, the user's names free), the load generator with
``-I`` and our own folder first on its path.
"""

from __future__ import annotations

import collections
import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server import _boot
from server.protocol import CorruptStream, FrameReader
from visualizer.model.settings import AppTarget

#: The folder that holds our server and visualizer packages: site-packages, or a
#: source checkout.
_OUR_ROOT = str(Path(__file__).resolve().parents[2])


def server_command(
    app: AppTarget | None = None,
    port: int = 0,
    python: str = "",
    fd: int = -1,
    reuse_port: bool = False,
) -> list[str]:
    """The server child: our server under a private name (see :mod:`server._boot`),
    hosting the built-in styles or the user's ``app``, on ``port`` (0: a free one), on
    the interpreter ``python`` ("": ours). ``fd``: serve the listening socket handed
    down as that descriptor; ``reuse_port``: listen on ``port`` beside other processes.
    """
    options = ["--port", str(port)] if port else []
    options += ["--fd", str(fd)] if fd >= 0 else []
    options += ["--reuse-port"] if reuse_port else []
    if app is not None:
        options += ["--app", app.target, "--app-dir", str(Path(app.app_dir).resolve())]
        options += ["--factory"] if app.factory else []
    return _boot.command("child", *options, python=python)


def load_generator_command() -> list[str]:
    """The load generator: hosts no user code, so it ignores PYTHON* and the user's site."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from visualizer.runner import loadgen; loadgen.main()"
    )
    return [sys.executable, "-I", "-u", "-c", code, _OUR_ROOT]


OnFrame = Callable[[dict[str, Any]], None]
OnExit = Callable[[int], None]


class ChildProcess:
    def __init__(
        self,
        name: str,
        command: list[str],
        on_frame: OnFrame,
        on_exit: OnExit,
        pass_fds: tuple[int, ...] = (),
    ) -> None:
        self.name = name
        self.command = command
        #: Descriptors the child inherits (a listening socket shared by server workers).
        self.pass_fds = pass_fds
        self._on_frame = on_frame
        self._on_exit = on_exit
        self.log: collections.deque[str] = collections.deque(maxlen=40)
        self._process: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            pass_fds=self.pass_fds,
        )
        self._threads = [
            threading.Thread(target=self._read_frames, name=f"{self.name}-frames", daemon=True),
            threading.Thread(target=self._read_log, name=f"{self.name}-log", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def send(self, message: dict[str, Any] | str) -> bool:
        """Write one line to the child's stdin; False if it is gone."""
        line = message if isinstance(message, str) else json.dumps(message)
        process = self._process
        if process is None or process.stdin is None or process.poll() is not None:
            return False
        try:
            process.stdin.write(line.encode() + b"\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def close_stdin(self) -> None:
        """Tell the child to go (its stdin ends) without waiting for it."""
        process = self._process
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()

    def stop(self, grace_s: float = 2.0) -> None:
        """Ask the child to go (close its stdin), then terminate, then kill."""
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        for ask in (None, process.terminate, process.kill):
            if ask is not None:
                ask()
            try:
                process.wait(grace_s)
                break
            except subprocess.TimeoutExpired:
                continue
        for thread in self._threads:
            thread.join(timeout=grace_s)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()

    def _read_frames(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        reader = FrameReader()
        try:
            while chunk := process.stdout.read(1 << 16):
                for frame in reader.feed(chunk):
                    self._on_frame(frame)
        except CorruptStream as error:  # a corrupt stream: say so, and treat the child as gone
            self.log.append(str(error))
        self._on_exit(process.wait())

    def _read_log(self) -> None:
        process = self._process
        assert process is not None and process.stderr is not None
        for line in process.stderr:
            self.log.append(line.decode(errors="replace").rstrip())
