"""``python -m visualizer``: the same as the ``schedviz`` command."""

import sys

from visualizer.cli import main

sys.exit(main())
