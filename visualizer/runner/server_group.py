"""ServerGroup: the server's processes, one or ``--workers N`` on one socket, as one server.

``uvicorn --workers N`` binds one listening socket in its parent and hands it to N
worker processes: one accept queue, and whichever worker's loop accepts first takes
the connection. The group does the same: the session's process binds 127.0.0.1 and
each server child inherits the descriptor. With ``reuse_port`` each child instead
listens on the port with a socket of its own (SO_REUSEPORT, as gunicorn's
``--reuse-port``), and the kernel spreads new connections over their queues by a hash.
Measured here, 2 workers, C persistent connections opened at once: one shared socket
gave 0/10, 0/40, 14/26 and 56/144 (the loop that wakes first takes most); SO_REUSEPORT
gave 5/5, 19/21 and 98/102.

Every process has its own tracing, and numbers its own labels, pools and threads. The
group makes their frames one server's, on the thread that pumps the session: each
frame is tagged with its process by the reader thread, and :meth:`ServerGroup.merge`
turns its labels and pools into the session's numbering (the session's ``labels`` are
every process's, in the order their frames were handled), answers the session once
when every process has said hello or acknowledged a command, and says which process
each batch of events came from (the trace folds it into the threads, model.processes).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from server import protocol
from server._listener import tcp_listener
from visualizer.model.processes import ServerProcess
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import AppTarget
from visualizer.runner.children import ChildProcess, server_command

#: The frame key the reader threads tag each server frame with: its process (0, 1, ...).
PROCESS_KEY = "process"
#: Columns of event rows that index the server's labels, and that name a pool.
_LABEL_COLUMNS = {"worker": (7,), "wstart": (4,), "route": (1,), "stack": (2, 3, 4, 6)}
_POOL_COLUMNS = {"worker": 8, "wstart": 5}

OnFrame = Callable[[dict[str, Any]], None]
OnExit = Callable[[int], None]


@dataclass
class _Numbering:
    """One process's labels and pools in the session's numbering."""

    labels: list[int] = field(default_factory=list)
    pools: dict[int, int] = field(default_factory=lambda: {protocol.ANYIO_POOL: 0})


class ServerGroup:
    """One server child, or several on one socket, answering the session as one."""

    def __init__(
        self,
        app: AppTarget | None,
        port: int,
        setup: ServerSetup,
        on_frame: OnFrame,
        on_exit: OnExit,
    ) -> None:
        self.setup = setup
        self._listener: socket.socket | None = None
        self.children: list[ChildProcess] = []
        count = setup.workers
        options: dict[str, Any] = {}
        fds: tuple[int, ...] = ()
        if count > 1 and setup.reuse_port:
            # Held, bound but not listening, until every child listens on the port too.
            self._listener = _reserved_port(port)
            options = {"port": self._listener.getsockname()[1], "reuse_port": True}
        elif count > 1:
            self._listener = tcp_listener(port)
            fds = (self._listener.fileno(),)
            options = {"fd": fds[0]}
        else:
            options = {"port": port}
        for index in range(count):
            command = server_command(app, python=setup.python, **options)
            name = "server" if count == 1 else f"server {index + 1}"
            self.children.append(
                ChildProcess(name, command, _tagged(on_frame, index), on_exit, pass_fds=fds)
            )
        self._hellos: dict[int, dict[str, Any]] = {}
        self._acks: dict[tuple[Any, Any], dict[int, dict[str, Any]]] = {}
        self._numbering = [_Numbering() for _ in range(count)]
        self._labels = 0
        self._pools: dict[tuple[str, str, int], int] = {}

    @property
    def count(self) -> int:
        return len(self.children)

    @property
    def name(self) -> str:
        return "server"

    @property
    def pid(self) -> int | None:
        return self.children[0].pid if self.children else None

    @property
    def log(self) -> list[str]:
        """The last lines each process wrote, each named by its process if there are several."""
        if self.count == 1:
            return list(self.children[0].log)
        return [f"[{child.name}] {line}" for child in self.children for line in child.log]

    # -- start / command / stop -------------------------------------------------------------

    def start(self) -> None:
        for child in self.children:
            child.start()

    def send(self, message: dict[str, Any] | str) -> bool:
        """Send a command to every process; False if one of them is gone."""
        if isinstance(message, dict) and message.get("cmd") == protocol.CMD_FLUSH:
            # A flush given up on (FLUSH_TIMEOUT_S) must not complete the next one.
            self._acks.pop((protocol.CMD_FLUSH, None), None)
        sent = [child.send(message) for child in self.children]
        return all(sent)

    def stop(self) -> None:
        for child in self.children:
            child.close_stdin()  # all of them go at once; then each is waited for
        for child in self.children:
            child.stop()
        self._release_listener()

    def _release_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
            self._listener = None

    # -- frames -----------------------------------------------------------------------------

    def merge(self, frame: dict[str, Any]) -> dict[str, Any] | None:
        """The frame as the session should see it, or None while it waits for the others."""
        kind = frame.get("t")
        if self.count == 1:
            return frame
        process = int(frame.get(PROCESS_KEY, 0))
        if kind == protocol.HELLO:
            return self._hello(process, frame)
        if kind == protocol.ACK:
            return self._ack(process, frame)
        if kind == protocol.EVENTS:
            self._renumber(process, frame)
        return frame

    def _hello(self, process: int, frame: dict[str, Any]) -> dict[str, Any] | None:
        self._hellos[process] = frame
        if len(self._hellos) < self.count:
            return None
        # Every child listens now: our copy of the socket (or the port held) may go, so
        # that the port closes when the children do.
        self._release_listener()
        hello = dict(self._hellos[0])
        hello["processes"] = [
            {"index": index, "pid": self._hellos[index].get("pid", 0)}
            for index in range(self.count)
        ]
        return hello

    def _ack(self, process: int, frame: dict[str, Any]) -> dict[str, Any] | None:
        key = (frame.get("cmd"), frame.get("run"))
        acks = self._acks.setdefault(key, {})
        acks[process] = frame
        if len(acks) < self.count:
            return None
        del self._acks[key]
        merged = dict(acks[0])
        merged.pop(PROCESS_KEY, None)
        if frame.get("cmd") == protocol.CMD_FLUSH:
            merged["foreign"] = sum(int(ack.get("foreign", 0)) for ack in acks.values())
            merged["numbered"] = sum(int(ack.get("numbered", 0)) for ack in acks.values())
            merged["processes"] = [
                ServerProcess(
                    index,
                    int(self._hellos.get(index, {}).get("pid", 0)),
                    int(acks[index].get("served", -1)),
                    int(acks[index].get("connections", -1)),
                )
                for index in range(self.count)
            ]
        return merged

    def _renumber(self, process: int, frame: dict[str, Any]) -> None:
        """The frame's labels and pools in the session's numbering, in place."""
        numbering = self._numbering[process]
        new_labels = frame.get("labels", ())
        numbering.labels.extend(range(self._labels, self._labels + len(new_labels)))
        self._labels += len(new_labels)
        pools = []
        for pool, kind, name, capacity in frame.get("pools", ()):
            described = (str(kind), str(name), int(capacity))
            if int(pool) == protocol.ANYIO_POOL:
                number = 0
            else:
                number = self._pools.setdefault(described, len(self._pools) + 1)
            numbering.pools[int(pool)] = number
            pools.append([number, kind, name, capacity])
        frame["pools"] = pools
        label_map = np.asarray(numbering.labels, np.int64)
        for kind, columns in _LABEL_COLUMNS.items():
            if not frame.get(kind):
                continue
            rows = np.asarray(frame[kind], np.int64).reshape(-1, protocol.WIDTH[kind])
            for column in columns:
                known = rows[:, column] >= 0
                rows[known, column] = label_map[rows[known, column]]
            if kind in _POOL_COLUMNS:
                column = _POOL_COLUMNS[kind]
                rows[:, column] = [numbering.pools.get(p, p) for p in rows[:, column].tolist()]
            frame[kind] = rows


def _tagged(on_frame: OnFrame, process: int) -> OnFrame:
    """Tags each frame with its process, on the reader thread (the frame is its own)."""

    def tag(frame: dict[str, Any]) -> None:
        frame[PROCESS_KEY] = process
        on_frame(frame)

    return tag


def _reserved_port(port: int) -> socket.socket:
    """A socket bound to ``port`` (0: a free one) with SO_REUSEPORT, never listening: it
    holds the port for the children, who listen on it beside one another."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock
