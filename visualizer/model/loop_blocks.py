"""The loop block a run's story is told around, chosen once for the words and the marks.

In an async_blocking run every request blocks the loop for about W, and the slices
differ by microseconds: "the longest" is then chance, and it is often the last one,
behind which nobody waits any more. The block that tells the lesson is the first of
the longest: the one the rest of the queue waited behind. "As long" is generous, half
the longest: a real driver's queries, or a loaded machine, vary by a third (sqlite
blocks of 166, 170, 190 and 230 ms), and a tighter share picked the last of them,
"0 requests waited behind it", while three had.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Slices at least this share of the longest count as "as long as" it.
AS_LONG_SHARE = 0.5


def telling_block(starts: np.ndarray[Any, Any], held: np.ndarray[Any, Any]) -> int | None:
    """Index of the first (by ``starts``) of the loop slices that held the loop longest
    (``held``: ns each, garbage collection left out), or None if there are none."""
    if len(starts) == 0:
        return None
    as_long = np.flatnonzero(held >= AS_LONG_SHARE * held.max())
    return int(as_long[np.argmin(starts[as_long])])


def blockers_like_it(
    requests: np.ndarray[Any, Any], held: np.ndarray[Any, Any], block: int
) -> tuple[int, float, float]:
    """How many requests blocked the loop about as long as slice ``block`` did, and the
    shortest and longest of their blocks (ns)."""
    like = (held >= AS_LONG_SHARE * held[block]) & (requests > 0)
    if not like.any():
        return 0, float(held[block]), float(held[block])
    return len(np.unique(requests[like])), float(held[like].min()), float(held[like].max())
