"""What a worker ran, in words a FastAPI developer knows: ``get_db (enter)``,
``response validation``, ``next chunk of stream_rows``, ``file read``, ``background:
send_receipt``.

FastAPI and Starlette hand the threadpool wrappers, not the user's functions:
``functools.partial`` (``run_in_threadpool``), FastAPI's ``_run_sync_endpoint`` with
the endpoint as a keyword, a generator context manager's ``__enter__`` for a
``yield`` dependency, Starlette's ``_next`` for each chunk of a sync iterator, a
``Context.run`` for ``asyncio.to_thread``. Each is seen through to what the user
wrote. Naming happens once per trip, at dispatch, never per loop slice.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable
from types import FrameType
from typing import Any

#: How far up from the dispatching wrapper a background task's caller can be.
_BACKGROUND_DEPTH = 4


def describe_call(func: Callable[..., Any], args: tuple[Any, ...] = ()) -> str:
    """The name of what ``func(*args)`` runs, seen through the frameworks' wrappers."""
    keywords: dict[str, Any] = {}
    for _ in range(8):  # partials of partials, but never forever
        if isinstance(func, functools.partial):
            args, keywords = (*func.args, *args), {**func.keywords, **keywords}
            func = func.func
        elif getattr(func, "__name__", "") == "run" and _is_context(
            getattr(func, "__self__", None)
        ):
            func, args = args[0], args[1:]  # contextvars.Context.run(fn, *args): asyncio.to_thread
        else:
            break
    name = getattr(func, "__name__", "")
    if name == "_run_sync_endpoint" and "function" in keywords:
        return _qualname(keywords["function"])
    owner = getattr(func, "__self__", None)
    if name == "_next" and args and getattr(func, "__module__", "").startswith("starlette"):
        return f"next chunk of {_iterator_name(args[0])}"
    generator = getattr(owner, "gen", None)
    if name in ("__enter__", "__exit__") and generator is not None:
        return f"{_qualname(generator)} ({'enter' if name == '__enter__' else 'exit'})"
    if name == "validate" and type(owner).__name__ == "ModelField":
        return "response validation"
    if _is_file(owner):
        return f"file {name}"
    return _qualname(func)


def from_background(frame: FrameType | None) -> bool:
    """Whether a dispatch called from ``frame`` came from a background task (Starlette's
    ``BackgroundTask.__call__``, a few calls up): work after the response, holding a
    token of the pool like any other."""
    for _ in range(_BACKGROUND_DEPTH):
        if frame is None:
            return False
        code = frame.f_code
        if code.co_name == "__call__" and code.co_filename.endswith(
            os.path.join("starlette", "background.py")
        ):
            return True
        frame = frame.f_back
    return False


def _qualname(func: Any) -> str:
    if hasattr(func, "gi_code"):  # a generator object
        return _iterator_name(func)
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    if name is None:
        return type(func).__qualname__
    return str(name).replace(".<locals>", "")


def _iterator_name(iterator: Any) -> str:
    code = getattr(iterator, "gi_code", None)
    if code is not None:
        return str(getattr(code, "co_qualname", code.co_name)).replace(".<locals>", "")
    return type(iterator).__qualname__


def _is_context(value: Any) -> bool:
    return type(value).__name__ == "Context" and type(value).__module__ == "_contextvars"


def _is_file(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, io.IOBase):
        return True
    kind = type(value)
    return kind.__name__ in ("SpooledTemporaryFile", "PosixPath", "WindowsPath", "Path")
