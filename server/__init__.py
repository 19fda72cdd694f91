"""The observed side of schedviz: a traced FastAPI server run in a child process. No Qt.

Its parts: :mod:`server.styles` (the endpoint styles), :mod:`server.tracing`,
:mod:`server.protocol` (the frames its processes exchange) and :mod:`server.child`
(the server process). Inside the server's own processes this package is loaded
under a private name (see :mod:`server._boot`), so every import in it is relative.
"""
