"""The loop block a run's story is told around, chosen once for the words and the marks.

In an async_blocking run every request blocks the loop for about W, and the slices
differ by microseconds: "the longest" is then chance, and it is often the last one,
behind which nobody waits any more. The block that tells the lesson is the first of
the longest: the one the rest of the queue waited behind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Slices at least this share of the longest count as "as long as" it.
AS_LONG_SHARE = 0.9


def telling_block(loop: np.ndarray[Any, Any]) -> int | None:
    """Index into ``loop`` (rows with start, end, request) of the first of the longest
    slices, or None if there are none."""
    if len(loop) == 0:
        return None
    durations = loop["end"] - loop["start"]
    as_long = np.flatnonzero(durations >= AS_LONG_SHARE * durations.max())
    return int(as_long[np.argmin(loop["start"][as_long])])


def blockers_like_it(loop: np.ndarray[Any, Any], block: int) -> int:
    """How many requests blocked the loop about as long as ``block`` did."""
    durations = loop["end"] - loop["start"]
    as_long = durations >= AS_LONG_SHARE * durations[block]
    requests = loop["request"][as_long]
    return len(np.unique(requests[requests > 0]))
