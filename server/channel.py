"""Frames between a child process and its parent: a 4-byte length, then a marshalled dict.

marshal is the fastest encoder in the standard library for tuples of ints (several
times faster than json), which matters because the shipper runs in the observed
process and every millisecond it holds the GIL is stolen from the handlers. Both
ends run the same interpreter (the parent starts the child with ``sys.executable``),
so the marshal format always matches.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO

_HEADER = struct.Struct("<I")
#: A frame larger than this is a corrupt stream, not a real batch.
MAX_FRAME_BYTES = 512 * 1024 * 1024


def take_stdout_for_frames() -> FrameWriter:
    """Keep the real stdout for frames, and point fd 1 at stderr for everyone else.

    A library that prints (uvicorn's access log, a stray print) would otherwise
    corrupt the frame stream.
    """
    channel = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return FrameWriter(channel)


class FrameWriter:
    """Writes frames to a file descriptor; safe to call from several threads."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def write(self, frame: dict[str, Any]) -> None:
        payload = marshal.dumps(frame)
        data = _HEADER.pack(len(payload)) + payload
        with self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]


class FrameReader:
    """Splits a byte stream into frames, keeping the bytes of a frame not yet complete."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        frames: list[dict[str, Any]] = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME_BYTES:
                raise ValueError(f"corrupt trace stream: frame of {size} bytes")
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            frames.append(marshal.loads(bytes(self._buffer[_HEADER.size : end])))
            del self._buffer[:end]
        return frames


def read_frames(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """Yield the frames of a stream until it ends (the child exited or closed it)."""
    reader = FrameReader()
    while chunk := stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16):
        yield from reader.feed(chunk)
