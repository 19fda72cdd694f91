"""The listening socket of the server and of the upstream."""

from __future__ import annotations

import socket


def tcp_listener(port: int = 0, backlog: int = 4096, reuse_port: bool = False) -> socket.socket:
    """A socket listening on 127.0.0.1 at ``port`` (0: a free one); never reachable from
    another machine. An OSError says why the port cannot be had (in use, privileged).

    The protocol must be named: asyncio turns Nagle off (TCP_NODELAY) only for
    sockets whose ``proto`` is IPPROTO_TCP, and a socket made with the default 0
    answers every keep-alive request about 40 ms late (Nagle meets delayed ACK
    between the header and body writes). Measured here: 44 ms vs 1 ms a request.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if port:  # a fixed port is free again at once after the last server on it ended
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def inherited_listener(fd: int) -> socket.socket:
    """The listening socket our parent bound and handed down as descriptor ``fd``, as
    ``uvicorn --workers`` hands its one socket to every worker: one accept queue, and
    whichever process accepts first gets the connection.

    The socket's family, type and protocol are read from the descriptor, so asyncio
    still sees IPPROTO_TCP and turns Nagle off (see :func:`tcp_listener`).
    """
    sock = socket.socket(fileno=fd)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock
