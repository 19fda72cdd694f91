"""Shared fixtures. Every test must leave no child process behind."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never try to open a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).parent))
from _processes import descendants, reap_children, wait_gone

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_process_left_behind() -> Iterator[None]:
    before = descendants(os.getpid())
    yield
    reap_children()
    left = wait_gone(descendants(os.getpid()) - before, timeout_s=5.0)
    assert not left, f"the test left child processes running: {sorted(left)}"


@pytest.fixture
def data_dir() -> Path:
    return DATA
