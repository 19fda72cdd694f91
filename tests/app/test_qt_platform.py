"""Without a display, Qt paints offscreen; a display or a platform the user chose stays."""

from __future__ import annotations

import sys

import pytest

from visualizer.app.qt_platform import use_offscreen_without_display

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's rule")


@linux_only
def test_no_display_means_offscreen() -> None:
    env: dict[str, str] = {"HOME": "/home/teacher"}
    assert use_offscreen_without_display(env)
    assert env["QT_QPA_PLATFORM"] == "offscreen"


@linux_only
@pytest.mark.parametrize(
    "env",
    [{"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}, {"QT_QPA_PLATFORM": "vnc"}],
    ids=["x11", "wayland", "chosen"],
)
def test_a_display_or_a_chosen_platform_is_kept(env: dict[str, str]) -> None:
    before = dict(env)
    assert not use_offscreen_without_display(env)
    assert env == before
