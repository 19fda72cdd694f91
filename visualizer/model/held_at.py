"""HeldAt: the line of code a long loop slice or worker run was held at.

The server samples a slice's stack each time it runs another threshold past its
start (see server.tracing.stack_sampler); a slice may have many samples. The one
most samples agree on is the slice's: for a blocking call every sample is the same
line, for a CPU-bound loop the line it spent most of its time on.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

import numpy as np

from visualizer.model.trace import RunTrace


@dataclass(frozen=True)
class HeldAt:
    """Where a slice was held: ``path:line in function`` of the user's innermost frame,
    that line's code, the whole stack (innermost first), and the samples that agreed."""

    where: str
    code: str
    stack: tuple[str, ...]
    samples: int
    #: ``path:line in function`` of the user's frame a library called to get to the held
    #: line (the endpoint that called a slow helper); "" when that is the held frame.
    #: The server decides it, where its interpreter's library paths are known.
    caller: str = ""
    #: The user's app dir: its files are named from there (``shop/routes.py:42``), so two
    #: files of one name in different packages are told apart. Others by their name.
    root: str = ""

    @property
    def path(self) -> str:
        return self.where.rpartition(" in ")[0].rpartition(":")[0]

    @property
    def line(self) -> int:
        number = self.where.rpartition(" in ")[0].rpartition(":")[2]
        return int(number) if number.isdigit() else 0

    @property
    def function(self) -> str:
        return self.where.rpartition(" in ")[2]

    def short(self) -> str:
        """```time.sleep(0.2)`` in get_order (routes.py:42)``: the line's code without
        its comment; the handler it was called from too, when that is another function:
        ```time.sleep(0.2)`` in slow_query (db.py:3, called by report in api.py:23)``."""
        place = _place(self.where, self.root)
        if caller := self.caller:
            place += f", called by {caller.rpartition(' in ')[2]} in {_place(caller, self.root)}"
        code = closed(without_comment(self.code))
        return f"`{code}` in {self.function} ({place})" if code else f"{self.function} ({place})"


def _place(where: str, root: str = "") -> str:
    """``shop/routes.py:42`` of ``/app/shop/routes.py:42 in get_order`` with root
    ``/app``; ``routes.py:42`` when the file is not under ``root``."""
    path, _, line = where.rpartition(" in ")[0].rpartition(":")
    path = path.replace("\\", "/")
    top = root.replace("\\", "/").rstrip("/") + "/"
    shown = path[len(top) :] if root and path.startswith(top) else path.rsplit("/", 1)[-1]
    return f"{shown}:{line}"


def closed(code: str) -> str:
    """The first line of a statement that goes on (``rows = db.execute(``), closed with an
    ellipsis (``rows = db.execute(…)``), so the quote does not read as broken code."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    open_ = [ch for ch in _outside_strings(code) if ch in pairs or ch in pairs.values()]
    stack: list[str] = []
    for ch in open_:
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and stack[-1] == ch:
            stack.pop()
    return code + "…" + "".join(reversed(stack)) if stack else code


def _outside_strings(code: str) -> str:
    """``code`` with the text inside its string literals left out."""
    kept, quote = [], ""
    for ch in code:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        else:
            kept.append(ch)
    return "".join(kept)


def without_comment(line: str) -> str:
    """A line of Python without its trailing comment (a '#' inside a string stays)."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # a statement that goes on past this line: its tokens so far will do
    comment = next((token for token in tokens if token.type == tokenize.COMMENT), None)
    return (line[: comment.start[1]] if comment else line).strip()


def held_places(trace: RunTrace) -> dict[tuple[int, int], HeldAt]:
    """(lane, start) of each sampled slice or run -> where it was held. Lane 0 is the
    loop; a worker run's lane is its thread as the server numbered it."""
    rows = trace.stack.rows
    labels = trace.labels
    if len(rows) == 0:
        return {}
    root = trace.settings.app.app_dir if trace.settings.app is not None else ""
    keys = np.stack([rows["lane"], rows["start"], rows["stack"]], axis=1)
    unique, which = np.unique(keys, axis=0, return_inverse=True)
    # Live, each sample is a row of its own; a file keeps one row with their count.
    counts = np.bincount(which.ravel(), weights=rows["samples"]).astype(np.int64)
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for (lane, start, stack), count in zip(unique.tolist(), counts.tolist(), strict=True):
        key = (lane, start)
        if count > best.get(key, (-1, 0))[1]:
            best[key] = (stack, count)
    held_at = dict(zip(rows["stack"].tolist(), rows["held_at"].tolist(), strict=True))
    code = dict(zip(rows["stack"].tolist(), rows["code"].tolist(), strict=True))
    caller = dict(zip(rows["stack"].tolist(), rows["caller"].tolist(), strict=True))
    places = {}
    for key, (stack, count) in best.items():
        places[key] = HeldAt(
            where=_label(labels, held_at[stack]),
            code=_label(labels, code[stack]),
            stack=tuple(_label(labels, stack).splitlines()),
            samples=count,
            caller=_label(labels, caller[stack]),
            root=root,
        )
    return places


def _label(labels: list[str], index: int) -> str:
    return labels[index] if 0 <= index < len(labels) else ""
