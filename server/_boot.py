"""How the server's processes start: our code under a private name, the user's names free.

``python -P .../server/_boot.py MODULE`` loads the folder this file is in as the
package ``_schedviz_server`` and runs ``_schedviz_server.MODULE.main()``. Our code is
found by its path, never by a name on ``sys.path``: a ``server/`` in the working
directory or on PYTHONPATH cannot replace it, and the names ``server``,
``visualizer`` and ``app`` stay free for the user's own app in the same process
(``-P`` keeps the script's folder and the working directory off ``sys.path``).

Where schedviz is installed, its ``server`` and ``visualizer`` packages sit in
site-packages, which is on ``sys.path``: a finder hides them there, so that an
``import server`` in the process finds the user's package or none, never ours.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

#: The name our server package has inside the processes this file starts.
PRIVATE_NAME = "_schedviz_server"
#: Our top-level packages, whose names belong to the user's code in those processes.
OUR_NAMES = ("server", "visualizer")

_HERE = Path(__file__).resolve().parent


def command(module: str, *args: str, isolated: bool = False, python: str = "") -> list[str]:
    """The command line that runs ``server.MODULE.main()`` in a new process, on the
    interpreter ``python`` (by default the one running now).

    ``isolated`` also ignores PYTHON* variables and the user's site-packages
    (``-I``), for processes that never host the user's code.
    """
    flags = ["-I"] if isolated else ["-P"]
    return [python or sys.executable, *flags, "-u", str(_HERE / "_boot.py"), module, *args]


class _OursAreHidden(importlib.abc.MetaPathFinder):
    """Finds ``server`` and ``visualizer`` anywhere but in the folder that holds ours."""

    def __init__(self, ours: Path) -> None:
        self._ours = ours

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in OUR_NAMES:
            return None
        elsewhere = [
            entry for entry in sys.path if isinstance(entry, str) and not self._ours_at(entry)
        ]
        spec = importlib.machinery.PathFinder.find_spec(fullname, elsewhere)
        if spec is not None:
            return spec
        for finder in sys.meta_path:  # an editable install's finder: the user's, or ours
            if finder is self or finder is importlib.machinery.PathFinder:
                continue
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None and not self._ours_at(spec.origin or ""):
                return spec  # type: ignore[no-any-return]
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)

    def _ours_at(self, location: str) -> bool:
        """Whether ``location`` is our folder or lies in it."""
        where = Path(location or ".").resolve()
        return where == self._ours or self._ours in where.parents


def load_privately() -> ModuleType:
    """Import this folder as ``_schedviz_server``, once."""
    if PRIVATE_NAME in sys.modules:
        return sys.modules[PRIVATE_NAME]
    spec = importlib.util.spec_from_file_location(
        PRIVATE_NAME, _HERE / "__init__.py", submodule_search_locations=[str(_HERE)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[PRIVATE_NAME] = package
    spec.loader.exec_module(package)
    return package


def expose_privately_named() -> Path | None:
    """Let a process started from this one (a spawned pool worker, which unpickles our
    functions by their module's name) import ``_schedviz_server`` too: a folder of ours
    holding a link of that name to this one, on ``sys.path``, which such a process is
    given. Best effort: where no link can be made, a forked worker still finds it.
    Returns the folder, for the caller to remove when it leaves."""
    folder = Path(tempfile.mkdtemp(prefix="schedviz-importable-"))
    try:
        (folder / PRIVATE_NAME).symlink_to(_HERE, target_is_directory=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    sys.path.append(str(folder))
    return folder


def main() -> None:
    sys.meta_path.insert(0, _OursAreHidden(_HERE.parent))
    load_privately()
    module, *sys.argv[1:] = sys.argv[1:]
    importlib.import_module(f"{PRIVATE_NAME}.{module}").main()


if __name__ == "__main__":
    main()
