"""The desktop app: a live Gantt timeline of the event loop and the threadpool workers."""

from visualizer.app.launcher import launch

__all__ = ["launch"]
