"""HeldSource: the function that held a bar, as the code view shows it, its line marked.

The server names where a long slice was held as ``file:line in function``; the
reader wants the function around that line, as written, with the line pointed at.
The file is read here, on the machine that shows the run: the server's machine is
this one for a live run, but an opened trace may come from elsewhere, or from a
file changed since. Then the view says so, and shows the one line the server read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from visualizer.model.held_at import HeldAt
from visualizer.model.user_files import relative_to_app

#: Lines shown on either side of the held line when no function encloses it.
CONTEXT_LINES = 6
#: A function longer than this is shown as this many lines about the held line.
MAX_LINES = 80


@dataclass(frozen=True)
class HeldSource:
    """What the code view shows for a held bar: a heading, the code, the line to mark."""

    held: HeldAt
    #: ``# shop/routes.py:40 · async def get_order``: the file and the function's first line.
    heading: str
    #: The function's lines as written (or the one line the server read), after the heading.
    source: str
    #: The file's line number of the first line of ``source``.
    first_line: int
    #: Why the file's own lines are not shown; "" when they are.
    note: str = ""

    @property
    def text(self) -> str:
        """Heading and code, as one text for the view."""
        return f"{self.heading}\n{self.source}" if self.source else self.heading

    @property
    def marked_line(self) -> int:
        """The held line's number within :attr:`text` (0 is the heading), -1 if not shown."""
        if not self.source or not self.held.line:
            return -1
        offset = self.held.line - self.first_line
        return 1 + offset if 0 <= offset < len(self.source.splitlines()) else -1


def held_source(held: HeldAt, app_dir: str = "") -> HeldSource:
    """The function around ``held``'s line in its file; paths relative to ``app_dir``."""
    shown = relative_to_app(held.path, app_dir)
    if not held.path or held.line <= 0:
        return _without_file(held, shown, "the sample named no line of your code")
    try:
        text = Path(held.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return _without_file(held, shown, f"{shown} is not readable on this machine ({why})")
    lines = text.splitlines()
    if held.line > len(lines):
        return _without_file(
            held, shown, f"{shown} has {len(lines)} lines, not {held.line}: it changed since"
        )
    first, last, name = _enclosing(text, held.line)
    if last - first + 1 > MAX_LINES:
        first = max(first, held.line - MAX_LINES // 2)
        last = min(last, first + MAX_LINES - 1)
    name = name or f"in {held.function}"
    return HeldSource(
        held=held,
        heading=f"# {shown}:{first} · {name}",
        source="\n".join(lines[first - 1 : last]),
        first_line=first,
    )


def short_frame(frame: str) -> str:
    """``/home/me/shop/routes.py:42 in get_order`` as ``shop/routes.py:42 in get_order``:
    the folder says whose file it is (yours, starlette's); the rest is noise in a list."""
    path, sep, rest = frame.partition(":")
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:]) + sep + rest


def _without_file(held: HeldAt, shown: str, note: str) -> HeldSource:
    """The heading and the one line the server read when it sampled, if it read one."""
    where = f"{shown}:{held.line}" if shown else "(no file)"
    return HeldSource(
        held=held,
        heading=f"# {where} · in {held.function or '?'}",
        source=held.code,
        first_line=held.line,
        note=note,
    )


def _enclosing(text: str, line: int) -> tuple[int, int, str]:
    """First and last line (decorators included) of the innermost function around
    ``line``, and its ``kind name`` ("async def get_order"); a few lines about it and
    "" if no function encloses it (module level, or a file Python cannot parse)."""
    try:
        tree: ast.AST | None = ast.parse(text)
    except (SyntaxError, ValueError):
        tree = None
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree) if tree is not None else ():
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        # The innermost: the one that starts last (a nested def starts inside its parent).
        inside = top <= line <= (node.end_lineno or node.lineno)
        if inside and (best is None or node.lineno > best.lineno):
            best = node
    if best is None:
        count = len(text.splitlines())
        return max(1, line - CONTEXT_LINES), min(count, line + CONTEXT_LINES), ""
    top = min([best.lineno, *(d.lineno for d in best.decorator_list)])
    kind = "async def" if isinstance(best, ast.AsyncFunctionDef) else "def"
    # By the def's name: a lambda or a comprehension in it samples as "<lambda>".
    return top, best.end_lineno or best.lineno, f"{kind} {best.name}"
