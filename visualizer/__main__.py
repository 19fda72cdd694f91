"""``python -m visualizer``: the same as the ``schedviz`` command."""

import sys

from visualizer.entry import main

sys.exit(main())
