"""``python -m server``: the server child, by hand.

schedviz itself starts it through :mod:`server._boot`, under a private name.
"""

from .child import main

main()
