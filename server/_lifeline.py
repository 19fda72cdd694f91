"""The server's line to its parent: commands come in on stdin, and stdin's end means exit.

When the parent dies, however it dies, the kernel closes its end of the pipe and
our read returns end-of-file: the server then stops, and is gone within a second
even if a handler is stuck.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

Command = Callable[[dict[str, Any]], None]

#: How long a graceful stop may take after the parent has gone.
EXIT_GRACE_S = 0.8


def watch_parent(on_command: Command, on_parent_gone: Callable[[], None]) -> threading.Thread:
    """Read commands from stdin on a thread of its own until it closes, then exit."""

    def run() -> None:
        for line in sys.stdin.buffer:
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if isinstance(command, dict):
                on_command(command)
        on_parent_gone()
        time.sleep(EXIT_GRACE_S)
        os._exit(0)

    thread = threading.Thread(target=run, name="schedviz-lifeline", daemon=True)
    thread.start()
    return thread
