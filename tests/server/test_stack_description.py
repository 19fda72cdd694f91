"""What the stack sampler says of a stack: the held line is the innermost frame of the
user's code, and the caller the outermost of the user's frames that run on from it
unbroken, the one a library called. Which files are the user's is decided where the
interpreter's library paths are known: here, by the real frames of a real stdlib."""

from __future__ import annotations

import copy
import importlib.util
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

APP = """
import sys
from server.tracing.stack_sampler import describe_stack

def slow_query():
    return describe_stack(sys._getframe())  # the held line

def report():
    return slow_query()

def held_in_the_endpoint():
    return describe_stack(sys._getframe())

class Order:
    def __copy__(self):
        return report()
"""


def _app(tmp_path: Path) -> ModuleType:
    path = tmp_path / "userapp_stacks.py"
    path.write_text(textwrap.dedent(APP))
    spec = importlib.util.spec_from_file_location("userapp_stacks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_helper_on_a_worker_names_the_endpoint_the_pool_called(tmp_path: Path) -> None:
    app = _app(tmp_path)
    with ThreadPoolExecutor(1) as pool:
        stack, held_at, code, caller = pool.submit(app.report).result()
    path = app.__file__
    assert held_at == f"{path}:6 in slow_query"
    assert code == "return describe_stack(sys._getframe())  # the held line"
    assert caller == f"{path}:9 in report"
    frames = stack.splitlines()
    assert frames[:2] == [held_at, caller]
    assert "concurrent/futures/thread.py" in frames[2]  # the library that called it


def test_held_in_the_endpoint_itself_there_is_no_caller(tmp_path: Path) -> None:
    app = _app(tmp_path)
    with ThreadPoolExecutor(1) as pool:
        _, held_at, _, caller = pool.submit(app.held_in_the_endpoint).result()
    assert held_at.endswith(":12 in held_in_the_endpoint") and caller == ""


def test_the_walk_stops_at_the_first_library_frame(tmp_path: Path) -> None:
    """copy.copy (the standard library) calls the user's __copy__, called by this test:
    the caller is __copy__, not this test's function further out."""
    app = _app(tmp_path)
    stack, _, _, caller = copy.copy(app.Order())
    assert caller == f"{app.__file__}:16 in __copy__"
    frames = stack.splitlines()
    assert frames[2] == caller and "copy.py" in frames[3]
    this_test = sys._getframe().f_code.co_name
    assert any(frame.endswith(f" in {this_test}") for frame in frames[4:])
