"""Which Qt platform to use: with no display to talk to, paint offscreen.

On Linux without X11 or Wayland, Qt's default platform (xcb) aborts the process
(exit 134) before a line of ours runs. The offscreen platform paints into memory
just as well, which is all that pictures and ``--screenshot … --quit`` need.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping


def use_offscreen_without_display(env: MutableMapping[str, str] | None = None) -> bool:
    """Choose the offscreen platform when Linux has no display; return whether it did.

    A platform the user chose (``QT_QPA_PLATFORM``) is theirs and stays.
    Call it before the QApplication is made.
    """
    env = os.environ if env is None else env
    has_display = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not has_display and not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "offscreen"
        return True
    return False


def painting_offscreen() -> bool:
    """Whether Qt paints into memory: its "screen" then is a made-up size."""
    return os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen")
