"""Frames survive being cut anywhere in the byte stream, and a corrupt stream is named."""

from __future__ import annotations

import marshal
import os
import struct

import pytest

from server.protocol import FrameReader, FrameWriter


def test_frames_split_at_every_byte_come_out_whole() -> None:
    frames = [{"t": "events", "loop": [(1, 2, 3)] * 50}, {"t": "ack", "cmd": "flush"}]
    data = b"".join(struct.pack("<I", len(p)) + p for p in map(marshal.dumps, frames))
    reader = FrameReader()
    out = []
    for i in range(len(data)):
        out += reader.feed(data[i : i + 1])
    assert out == frames


def test_writer_and_reader_agree_through_a_pipe() -> None:
    read_fd, write_fd = os.pipe()
    try:
        FrameWriter(write_fd).write({"t": "hello", "port": 8000})
        assert FrameReader().feed(os.read(read_fd, 1 << 16)) == [{"t": "hello", "port": 8000}]
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_an_impossible_frame_length_is_reported() -> None:
    with pytest.raises(ValueError, match="corrupt trace stream"):
        FrameReader().feed(struct.pack("<I", 2**31) + b"x")
