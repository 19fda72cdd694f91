"""The observed side of schedviz: a traced FastAPI server run in a child process. No Qt.

Its parts: :mod:`server.styles` (the endpoint styles), :mod:`server.tracing`,
:mod:`server.events` (the schema the visualizer reads) and ``python -m server``.
"""
