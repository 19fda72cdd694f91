"""The lanes a live view follows: the loop, the workers and the requests that matter now.

A run of more requests than fit on a screen cannot show all its lanes; showing the
first forty showed forty requests finished long ago, and a class saw none in flight.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from visualizer.model.live_timeline import BarColumns, GrowingTimeline
from visualizer.model.timeline import Timeline

I64 = npt.NDArray[np.int64]


def kept_request_lanes(latest: I64, resources: int, room: int) -> I64:
    """The ``room`` request lanes whose bars reach latest, in lane order.

    ``latest`` is each lane's latest bar end (-1 for none). Those in flight all reach
    "now"; among equals the lower lane (the older request) goes first.
    """
    order = np.argsort(-latest[resources:], kind="stable")
    return np.sort(order[:room]).astype(np.int64) + resources


def lanes_that_matter(timeline: Timeline, most: int) -> Timeline:
    """``timeline`` cut down to at most ``most`` lanes: every resource lane, then the
    request lanes that matter now (:func:`kept_request_lanes`). One that fits comes back."""
    resources = 1 + timeline.worker_count
    room = max(most - resources, 0)
    if len(timeline.lanes) - resources <= room:
        return timeline
    latest = np.full(len(timeline.lanes), -1, np.int64)
    np.maximum.at(latest, timeline.lane, timeline.end)
    kept = np.concatenate([np.arange(resources), kept_request_lanes(latest, resources, room)])
    renumbered = np.full(len(timeline.lanes), -1, np.int32)
    renumbered[kept] = np.arange(len(kept), dtype=np.int32)
    bars = renumbered[timeline.lane] >= 0
    return Timeline(
        lanes=[timeline.lanes[int(lane)] for lane in kept],
        lane=renumbered[timeline.lane[bars]],
        start=timeline.start[bars],
        end=timeline.end[bars],
        kind=timeline.kind[bars],
        request=timeline.request[bars],
        cpu=timeline.cpu[bars],
        phases=timeline.phases,
        span=timeline.span,
        worker_count=timeline.worker_count,
        core_wait=timeline.core_wait[bars] if len(timeline.core_wait) else timeline.core_wait,
        func=timeline.func[bars] if len(timeline.func) else timeline.func,
        labels=timeline.labels,
        pools=timeline.pools,
        pool_lanes=timeline.pool_lanes,
    )


class FollowedLanes:
    """:func:`lanes_that_matter` of one live run, frame after frame, at the cost of its
    new bars: the loop's and the workers' bars (most of a run's) keep their lanes, so they
    stay a frozen prefix that a view indexes once; only the few request lanes are redone.
    """

    def __init__(self, most: int) -> None:
        self.most = most
        self._history: object = None
        self._reset(0)

    def _reset(self, resources: int) -> None:
        self._token = object()  # the history of the GrowingTimelines made from here on
        self._resources = resources
        self._columns = BarColumns(0)
        self._count = 0  # resource bars of the live run's frozen bars, at the front
        self._scanned = 0  # frozen bars of the live run looked at so far
        self._latest = np.full(0, -1, np.int64)  # latest end of each lane's frozen bars

    def update(self, timeline: GrowingTimeline) -> Timeline:
        resources = 1 + timeline.worker_count
        room = max(self.most - resources, 0)
        if len(timeline.lanes) - resources <= room:
            return timeline
        if (
            timeline.history is not self._history
            or resources != self._resources
            or timeline.frozen < self._scanned
        ):
            self._history = timeline.history
            self._reset(resources)
        if len(self._latest) < len(timeline.lanes):
            grown = np.full(max(len(timeline.lanes), 2 * len(self._latest)), -1, np.int64)
            grown[: len(self._latest)] = self._latest
            self._latest = grown
        self._count = self._columns.put(
            self._count, self._resource_bars(timeline, self._scanned, timeline.frozen, True)
        )
        self._scanned = timeline.frozen

        latest = self._latest[: len(timeline.lanes)].copy()
        tail = slice(timeline.frozen, len(timeline.lane))
        np.maximum.at(latest, timeline.lane[tail], timeline.end[tail])
        kept = kept_request_lanes(latest, resources, room)
        renumbered = np.full(len(timeline.lanes), -1, np.int32)
        renumbered[kept] = np.arange(resources, resources + len(kept), dtype=np.int32)
        requests = np.flatnonzero(renumbered[timeline.lane] >= 0)
        size = self._columns.put(
            self._count, self._resource_bars(timeline, timeline.frozen, len(timeline.lane))
        )
        size = self._columns.put(size, _bars(timeline, requests, renumbered))
        lanes = timeline.lanes[:resources] + [timeline.lanes[int(lane)] for lane in kept]
        return GrowingTimeline(
            lanes=lanes,
            **self._columns.first(size),
            phases=timeline.phases,
            span=timeline.span,
            worker_count=timeline.worker_count,
            frozen=self._count,
            history=self._token,
            labels=timeline.labels,
            pools=timeline.pools,
            pool_lanes=timeline.pool_lanes,
        )

    def _resource_bars(
        self, timeline: Timeline, lo: int, hi: int, frozen: bool = False
    ) -> dict[str, np.ndarray]:
        """Bars ``lo:hi`` on resource lanes; of frozen bars, the request lanes' latest ends."""
        lane = timeline.lane[lo:hi]
        resource = lane < self._resources
        if frozen:
            np.maximum.at(self._latest, lane[~resource], timeline.end[lo:hi][~resource])
        return _bars(timeline, np.flatnonzero(resource) + lo, None)


def _bars(
    timeline: Timeline, rows: I64, renumbered: npt.NDArray[np.int32] | None
) -> dict[str, np.ndarray]:
    lane = timeline.lane[rows]
    return {
        "lane": lane if renumbered is None else renumbered[lane],
        "start": timeline.start[rows],
        "end": timeline.end[rows],
        "kind": timeline.kind[rows],
        "request": timeline.request[rows],
        "cpu": timeline.cpu[rows],
        "func": timeline.func[rows] if len(timeline.func) else np.full(len(rows), -1),
    }
