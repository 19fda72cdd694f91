"""The user's own ASGI app, found and loaded as uvicorn would, with failures told as theirs.

``module:attribute`` is resolved as ``uvicorn.importer.import_from_string`` resolves
it, from ``app_dir`` first on ``sys.path`` (uvicorn's ``--app-dir``), and called when
it is a factory. What can go wrong is told apart, because each asks the user for
something different: a module that is not there, an attribute that is not, an
exception raised by *their* code while it imports (shown with their traceback, our
frames and importlib's left out), a factory that fails, or an object that is no
ASGI app at all.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Frames of these files are ours or Python's import machinery, never the user's.
_OUR_FOLDER = Path(__file__).resolve().parent
_IMPORT_MACHINERY = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
#: The frameworks that call into the user's code: their frames before the first of the
#: user's are how the call got there, not where it went wrong, and are left out.
_FRAMEWORKS = ("starlette", "fastapi", "uvicorn", "anyio", "asyncio", "contextlib", "importlib")


class AppLoadError(Exception):
    """The user's app could not be loaded: ``stage`` says where, ``user_traceback`` is
    their code's traceback (empty when no code of theirs ran)."""

    def __init__(self, stage: str, message: str, user_traceback: str = "") -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message
        self.user_traceback = user_traceback


@dataclass(frozen=True)
class AppSpec:
    """Which app to host: ``module:attribute``, where to import it from, and how."""

    target: str
    app_dir: str = "."
    factory: bool = False

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def attributes(self) -> str:
        return self.target.partition(":")[2]


def check_spec(target: str) -> None:
    """Refuse a target that is not ``module:attribute``, naming it and the form."""
    module, colon, attributes = target.partition(":")
    names = [*module.split("."), *attributes.split(".")]
    if not colon or not all(name.isidentifier() for name in names):
        raise AppLoadError(
            "spec",
            f"app {target!r} is not of the form module:attribute (for example main:app or "
            "shop.api:create_app with --factory)",
        )


def load_app(spec: AppSpec) -> Callable[..., Any]:
    """Import the user's app; raise AppLoadError saying what went wrong, in their terms."""
    check_spec(spec.target)
    folder = Path(spec.app_dir).resolve()
    if not folder.is_dir():
        raise AppLoadError("app dir", f"app dir {spec.app_dir!r} is not a folder")
    sys.path.insert(0, str(folder))
    module = _import_module(spec.module, folder)
    app: Any = module
    for name in spec.attributes.split("."):
        try:
            app = getattr(app, name)
        except AttributeError:
            found = sorted(n for n in vars(module) if not n.startswith("_"))[:12]
            raise AppLoadError(
                "attribute",
                f"module {spec.module!r} ({_where(module)}) has no attribute "
                f"{spec.attributes!r}" + (f"; it has: {', '.join(found)}" if found else ""),
            ) from None
    if spec.factory:
        if not callable(app):
            raise AppLoadError("factory", f"{spec.target} is not callable, so not a factory")
        try:
            app = app()
        except (Exception, SystemExit) as error:
            raise AppLoadError(
                "factory", f"the factory {spec.target}() raised {_one_line(error)}", _user_tb()
            ) from None
    if not is_asgi_app(app):
        hint = " (is it a factory? then add --factory)" if _takes_no_arguments(app) else ""
        raise AppLoadError(
            "not asgi",
            f"{spec.target} is {_describe(app)}, not an ASGI app{hint}",
        )
    return app  # type: ignore[no-any-return]


def _nearest_module(missing: str, folder: Path, wanted: str = "") -> str:
    """``; did you mean 'shop.main'?`` for a misspelt ``shop.mian``: the modules beside
    the missing one (in its package, or in the app dir), the closest by spelling."""
    parent, _, last = missing.rpartition(".")
    # Only a package the failed import left imported: importing it again would run the
    # user's code a second time (its print, its connection) for a mere suggestion.
    package = sys.modules.get(parent) if parent else None
    where = getattr(package, "__path__", None) if parent else [str(folder)]
    if where is None:
        return ""
    siblings = [module.name for module in pkgutil.iter_modules(where)]
    nearest = difflib.get_close_matches(last, siblings, n=1)
    if not nearest:
        return ""
    found = f"{parent}.{nearest[0]}" if parent else nearest[0]
    # ``pgk.main`` for ``pkg.main``: the rest of what was asked for, after the typo.
    rest = wanted[len(missing) :] if wanted.startswith(missing + ".") else ""
    return f"; did you mean {found + rest!r}?"


def _import_module(name: str, folder: Path) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise AppLoadError(
                "module",
                f"no module named {name!r} in {folder} (the app dir) or on the Python path"
                + _nearest_module(error.name, folder, name),
            ) from None
        raise AppLoadError(
            "import", f"importing {name!r} failed: {_one_line(error)}", _user_tb()
        ) from None
    except (Exception, SystemExit) as error:
        # sys.exit("set SHOP_ENV first") at import is the user's code refusing to start,
        # as much as an exception is: theirs to read, with their traceback.
        raise AppLoadError(
            "import", f"importing {name!r} failed: {_one_line(error)}", _user_tb()
        ) from None


def is_asgi_app(app: Any) -> bool:
    """An ASGI 3 app: ``await app(scope, receive, send)``; a class instance counts by its
    ``__call__``. (ASGI 2 double-callables are not hosted: uvicorn wraps them, we do not.)"""
    if inspect.isclass(app) or not callable(app):
        return False
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else app.__call__
    if not inspect.iscoroutinefunction(call) and not inspect.iscoroutinefunction(app):
        return False
    try:
        parameters = inspect.signature(call).parameters.values()
    except (TypeError, ValueError):
        return True  # a builtin we cannot inspect: let the server try it
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 3 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def _takes_no_arguments(app: Any) -> bool:
    if not callable(app) or inspect.isclass(app):
        return False
    try:
        return not any(
            p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            for p in inspect.signature(app).parameters.values()
        )
    except (TypeError, ValueError):
        return False


def user_traceback(error: BaseException) -> str:
    """``error``'s traceback with our frames and importlib's left out: the user's code."""
    exception = traceback.TracebackException.from_exception(error)
    _keep_user_frames(exception)
    return "".join(exception.format())


def _user_tb() -> str:
    error = sys.exc_info()[1]
    return user_traceback(error) if error is not None else ""


def _keep_user_frames(exception: traceback.TracebackException) -> None:
    frames = [frame for frame in exception.stack if not _ours(frame.filename)]
    while len(frames) > 1 and _framework(frames[0].filename):
        del frames[0]
    exception.stack = traceback.StackSummary.from_list(frames)
    for linked in (exception.__cause__, exception.__context__):
        if linked is not None:
            _keep_user_frames(linked)


def _ours(filename: str) -> bool:
    if filename in _IMPORT_MACHINERY:
        return True
    try:
        return _OUR_FOLDER in Path(filename).resolve().parents
    except (OSError, ValueError):
        return False


def _framework(filename: str) -> bool:
    parts = Path(filename).parts
    return any(name in parts or f"{name}.py" in parts[-1:] for name in _FRAMEWORKS)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _describe(value: Any) -> str:
    if inspect.ismodule(value):
        return f"a module ({value.__name__})"
    if inspect.isclass(value):
        return f"a class ({value.__qualname__})"
    if inspect.isfunction(value):
        kind = "an async function" if inspect.iscoroutinefunction(value) else "a function"
        return f"{kind} ({value.__qualname__})"
    return f"a {type(value).__qualname__}"


def _where(module: Any) -> str:
    return str(getattr(module, "__file__", None) or module.__name__)
