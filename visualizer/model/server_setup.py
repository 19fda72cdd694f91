"""ServerSetup: how the server runs, as against what a run sends it: how many processes
share its socket, how they share it, and which Python runs them.

Two runs of one setup can share one server; a run of another setup needs a server of
its own (the session restarts it, a sweep starts one per configuration).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.model.settings import RunSettings


#: The RunSettings fields that say how the server runs, not what a run sends.
SETUP_FIELDS = ("workers", "python", "reuse_port")


@dataclass(frozen=True)
class ServerSetup:
    """``workers`` server processes on one listening socket, as ``uvicorn --workers N``
    runs them (or each with a socket of its own on one port: ``reuse_port``), on the
    interpreter ``python`` ("": the one that runs schedviz)."""

    workers: int = 1
    python: str = ""
    reuse_port: bool = False

    @classmethod
    def of(cls, settings: RunSettings) -> ServerSetup:
        return cls(settings.workers, settings.python, settings.reuse_port)

    def settings(self) -> dict[str, Any]:
        """The RunSettings fields of this setup, to make settings of it."""
        return {name: getattr(self, name) for name in SETUP_FIELDS}

    def describe(self) -> str:
        """``2 worker processes on one socket, /usr/bin/python3.13``, for messages."""
        parts = []
        if self.workers > 1:
            how = "each on its own socket (SO_REUSEPORT)" if self.reuse_port else "on one socket"
            parts.append(f"{self.workers} worker processes {how}")
        if self.python:
            parts.append(self.python)
        return ", ".join(parts) or "1 process"


def interpreter_name(python: str, version: str = "") -> str:
    """A short name for an interpreter: ``python3.13 (3.13.0)``, or ``this Python``."""
    name = Path(python).name if python else "this Python"
    return f"{name} ({version})" if version else name
