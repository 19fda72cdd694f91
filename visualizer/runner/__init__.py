"""The runner: the processes of a run (server, load generator) and the session that drives them.

No Qt and no FastAPI: the window, the command line and the tests share it.
"""
