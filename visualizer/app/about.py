"""Help > About: which schedviz this is, what it does and how, and what it runs on.

A teacher asked "which version is this?" should find the answer here, and a
colleague asked "is this a simulation?" should find the answer in one paragraph.
"""

from __future__ import annotations

import html
import platform
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pyqtgraph
import PySide6
from PySide6.QtCore import qVersion

DISTRIBUTION = "fastapi-schedviz"
#: A checkout's files; an installed wheel has neither, and says so by leaving them out.
_ROOT = Path(__file__).resolve().parents[2]

HOW_IT_WORKS = (
    "schedviz starts a real uvicorn server running FastAPI in a child process of its "
    "own, sends it real HTTP requests from a load generator in another process, and "
    "records, inside the server, every callback its asyncio event loop runs and every "
    "job its threadpool workers run, with the line of code behind each long one. Client "
    "and server stamp their events on one monotonic clock, so each request's story "
    "(queued, sent, waiting, running, awaiting, done) is drawn on one time axis from "
    "measurements, never from a simulation. A <code>def</code> endpoint runs on a worker "
    "and leaves the loop free; a blocking call inside <code>async def</code> freezes the "
    "loop for everyone."
)


def schedviz_version() -> str:
    """The installed version, or the checkout's (pyproject.toml) when run from source."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        pass
    try:
        with (_ROOT / "pyproject.toml").open("rb") as file:
            return f"{tomllib.load(file)['project']['version']} (from source)"
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def about_text() -> str:
    """The About box's rich text."""
    versions = (
        f"Python {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__}"
    )
    more = ""
    if (readme := _ROOT / "README.md").is_file():
        more = f"<p>More in <a href='{readme.as_uri()}'>the README</a>.</p>"
    return (
        f"<h3>schedviz {html.escape(schedviz_version())}</h3>"
        "<p>See what FastAPI really does with <code>async def</code> and <code>def</code> "
        "endpoints under load: a live timeline of the event loop, the threadpool workers "
        "and every request.</p>"
        f"<p>{HOW_IT_WORKS}</p>"
        f"<p>{html.escape(versions)}</p>"
        f"{more}"
    )
