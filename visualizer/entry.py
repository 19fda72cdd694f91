"""The ``schedviz`` command's entry point: our own packages first, then the command line.

The command's process never hosts the user's code, so it may put the folder that
holds our ``server`` and ``visualizer`` first on its path. A FastAPI project run
with ``PYTHONPATH=.`` often has a ``server/`` (or ``app/``) package of its own,
which would otherwise hide ours here. The children start isolated by other means
(see :mod:`visualizer.runner.children`).
"""

from __future__ import annotations

import sys
from pathlib import Path

_OUR_ROOT = str(Path(__file__).resolve().parent.parent)


def main() -> int:
    if sys.path[:1] != [_OUR_ROOT]:
        sys.path.insert(0, _OUR_ROOT)
    from visualizer.cli import main as command_line

    return command_line()
