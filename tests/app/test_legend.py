"""The legend names what the plot can show, and the rare kinds only when it shows them.

"abandoned" and "still running" on every legend made a third legend row at 1024 px,
taken from the lanes, for runs that have neither.
"""

from __future__ import annotations

from collections.abc import Callable

from _traces import recorded
from pytestqt.qtbot import QtBot

from tests._worker_traces import timed_out_def_requests
from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.model.analysis import analyse
from visualizer.model.timeline import BarKind


def test_abandoned_is_named_only_while_the_plot_draws_it(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    legend = window.timeline.legend
    plain = analyse(recorded("sync_sleep_c6_p2_w200.json"))
    window.timeline.set_timeline(plain.timeline)
    qtbot.wait(10)
    assert legend.shown_kinds() == set()
    assert all(entry.isVisible() for entry in legend.entries)
    rows_without = legend.height()

    abandoned = analyse(timed_out_def_requests(handlers_end=False))
    assert {BarKind.ABANDONED, BarKind.UNFINISHED} <= set(abandoned.timeline.kind.tolist())
    window.timeline.set_timeline(abandoned.timeline)
    qtbot.wait(10)
    assert legend.shown_kinds() == {BarKind.ABANDONED, BarKind.UNFINISHED}
    tips = {entry.toolTip() for entry in legend.entries}
    assert palette.legend_entry(BarKind.ABANDONED)[1] in tips
    assert palette.legend_entry(BarKind.UNFINISHED)[1] in tips
    assert legend.height() >= rows_without

    window.timeline.clear()
    assert legend.shown_kinds() == set()


def test_a_new_theme_keeps_the_rare_kinds_named(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.timeline.set_timeline(analyse(timed_out_def_requests(handlers_end=False)).timeline)
    window.timeline.restyle()
    assert window.timeline.legend.shown_kinds() == {BarKind.ABANDONED, BarKind.UNFINISHED}
