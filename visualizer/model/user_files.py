"""The user's files, as schedviz reads and names them: a lesson, a plan, a request
body, the source a route or a held line points into.

Read as UTF-8 text, or refused with the reason in words ("No such file or directory",
"not UTF-8 text"); named from the user's app folder when inside it, as they know them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def read_text(path: str | Path, refusal: Callable[[str], Exception]) -> str:
    """``path``'s text; else ``refusal(reason)`` is raised, the reason in words."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise refusal(reason) from None


def relative_to_app(path: str, app_dir: str) -> str:
    """The file as the user knows it: relative to their app's folder when inside it."""
    if not path or not app_dir:
        return path
    try:
        return str(Path(path).relative_to(Path(app_dir)))
    except ValueError:
        return path
