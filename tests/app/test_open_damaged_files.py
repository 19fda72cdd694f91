"""File > Open of damaged and nonsensical traces: a message box, and the window goes on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _plot_area import check_window_plot

from visualizer.app import file_actions
from visualizer.app.main_window import MainWindow

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "mixed_c6_n12_w100.json"


def _damaged(tmp_path: Path) -> dict[str, bytes]:
    """Ten files of the kinds that used to raise out of File > Open."""
    raw = GOOD.read_bytes()
    request = raw.index(b'"cat":"request"')
    dur = raw.index(b'"dur":', request) + len(b'"dur":')
    begin, end = raw.rindex(b'{"ph"', 0, request), raw.index(b"}},", request) + 3
    return {
        "negative-duration": raw[:dur] + b"-610000" + raw[raw.index(b",", dur) :],
        "deep-nesting": b'{"traceEvents":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "5000-digits": raw[:dur] + b"9" * 5000 + raw[raw.index(b",", dur) :],
        "id-beyond-64-bits": raw.replace(b'"request":3}', b'"request":%d}' % 2**70, 1),
        "id-as-text": raw.replace(b'"request":3}', b'"request":"3"}', 1),
        "events-not-objects": b'{"traceEvents":[1,2,3],"metadata":{"schedviz":{}}}',
        "metadata-a-list": b'{"traceEvents":[],"metadata":{"schedviz":[]}}',
        "settings-a-string": b'{"traceEvents":[],"metadata":{"schedviz":{"settings":"x"}}}',
        "truncated": raw[: len(raw) // 2],
        "request-twice": raw[:end] + raw[begin:end] + raw[end:],
    }


def test_damaged_files_show_a_message_and_the_window_keeps_working(
    make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        file_actions.QMessageBox, "warning", lambda _p, title, text: shown.append((title, text))
    )
    window = make_window()
    window.resize(1280, 720)
    for name, content in _damaged(tmp_path).items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content)
        before = len(shown)
        assert window.files.open(path) is None, name
        assert len(shown) == before + 1, name
        title, text = shown[-1]
        assert title == "Cannot open this file" and path.name in text, (name, text)
    assert window.files.open(GOOD) is not None
    check_window_plot(window.grab().toImage(), window.timeline.plot, window).assert_ok(min_lanes=10)
