"""Another interpreter for the server (``--python``): checked before a server starts on it.

The server side needs Python 3.11 or newer and a few packages (FastAPI, uvicorn, AnyIO,
httpx) installed where that interpreter finds them; the window, the load generator
and the model keep running on schedviz's own interpreter. What the probe finds wrong
is said in one line naming the interpreter and what to do, never as a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class InterpreterError(ValueError):
    """The interpreter given for the server cannot run it: bad input, said in one line."""


#: The oldest Python the server's code runs on.
OLDEST = (3, 11)
#: What the server imports besides the standard library, by the names pip installs
#: them under (the styles' upstream and the server's hello need httpx too).
SERVER_PACKAGES = ("fastapi", "uvicorn", "anyio", "httpx")
PROBE_TIMEOUT_S = 30.0

# Runs on the interpreter checked, which may be any Python at all: nothing newer than
# what Python 2.7 and 3.0 understand, and it imports none of the packages it looks for.
_PROBE = """
import sys, json, platform
try:
    import importlib.util as u
    found = lambda name: u.find_spec(name) is not None
except Exception:
    import imp
    def found(name):
        try:
            imp.find_module(name)
            return True
        except ImportError:
            return False
gil = getattr(sys, "_is_gil_enabled", None)
try:
    import sysconfig
    free = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
except Exception:
    free = False
print(json.dumps({
    "version": list(sys.version_info[:3]),
    "text": platform.python_version(),
    "executable": sys.executable,
    "free_threaded": free,
    "gil": True if gil is None else bool(gil()),
    "found": dict((name, found(name)) for name in sys.argv[1:]),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    """A Python that can run the server: where it is, its version, and its GIL."""

    path: str
    version: str
    free_threaded: bool
    #: Whether the GIL is on at start-up (an extension may turn it on later: the
    #: server reports what held while it served).
    gil: bool

    def describe(self) -> str:
        build = ", free-threaded" if self.free_threaded else ""
        gil = "" if self.gil else ", GIL off"
        return f"Python {self.version}{build}{gil} ({self.path})"


def check_interpreter(python: str) -> Interpreter:
    """Probe ``python``; InterpreterError names what is wrong with it for the server."""
    path = _resolved(python)
    try:
        done = subprocess.run(
            [path, "-c", _PROBE, *SERVER_PACKAGES],
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            # Nothing in the user's working directory is imported by the probe.
            cwd=tempfile.gettempdir(),
            env=_clean_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InterpreterError(
            f"python {python!r} did not answer within {PROBE_TIMEOUT_S:g} s"
        ) from None
    except OSError as error:
        raise InterpreterError(
            f"python {python!r} cannot be run ({error.strerror or error}): give the path of "
            f"a Python {_oldest()} or newer"
        ) from None
    facts = _facts(done.stdout)
    if done.returncode != 0 or facts is None:
        raise InterpreterError(
            f"python {python!r} did not run as a Python interpreter: give the path of a "
            f"Python {_oldest()} or newer"
        )
    version = tuple(facts["version"])
    if version < OLDEST:
        raise InterpreterError(
            f"python {python!r} is Python {facts['text']}: the server needs {_oldest()} or newer"
        )
    missing = [name for name in SERVER_PACKAGES if not facts["found"].get(name, False)]
    if missing:
        raise InterpreterError(
            f"python {python!r} (Python {facts['text']}) lacks {', '.join(missing)}, which "
            f"the server needs: install them there ({path} -m pip install {' '.join(missing)})"
        )
    return Interpreter(path, str(facts["text"]), bool(facts["free_threaded"]), bool(facts["gil"]))


def _resolved(python: str) -> str:
    """An absolute path for ``python``: a path, or a command found on PATH."""
    if not python.strip():
        raise InterpreterError("python '' is empty: give the path of an interpreter")
    given = Path(python).expanduser()
    if given.parent != Path(".") or given.is_file():
        if not given.exists():
            raise InterpreterError(
                f"python {python!r} does not exist: give the path of a Python {_oldest()} or newer"
            )
        return str(given.absolute())
    from shutil import which

    found = which(python)
    if found is None:
        raise InterpreterError(f"python {python!r} is not a file or a command on PATH")
    return found


def _facts(stdout: bytes) -> dict[str, Any] | None:
    try:
        lines = stdout.decode(errors="replace").strip().splitlines()
        facts = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    if not isinstance(facts, dict) or not isinstance(facts.get("version"), list):
        return None
    return facts


def _clean_environment() -> dict[str, str]:
    """Our environment without what would point another Python at our packages."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _oldest() -> str:
    return ".".join(map(str, OLDEST))


def running_python() -> str:
    """The interpreter schedviz runs on: the server's unless ``--python`` says otherwise."""
    return sys.executable
