"""A bug of ours in the window is said in one line, once, its traceback kept in a file:
never a traceback in the user's terminal, never a window that stops."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from visualizer.app import bug_report
from visualizer.app.bug_report import BugReport


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "bugs.log"
    monkeypatch.setattr(bug_report, "log_path", lambda: path)
    return path


def _raise_in_a_slot(qtbot: QtBot, message: str) -> None:
    def broken() -> None:
        raise ValueError(message)

    QTimer.singleShot(0, broken)
    qtbot.wait(50)


def test_a_bug_in_a_slot_is_logged_and_said_once(
    qtbot: QtBot, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    hook = BugReport()
    with qtbot.capture_exceptions():  # pytest-qt's own hook, put back below
        hook.install()
        try:
            assert sys.excepthook is hook
            _raise_in_a_slot(qtbot, "a bug of ours")
            _raise_in_a_slot(qtbot, "the same bug again")
        finally:
            hook.uninstall()
    assert sys.excepthook is not hook
    assert len(said) == 1  # the same place: said once, logged each time
    assert "ValueError: a bug of ours" in said[0] and str(log) in said[0]
    text = log.read_text()
    assert text.count("Traceback (most recent call last)") == 2
    assert "in broken" in text and "the same bug again" in text


def test_unattended_it_says_one_line_on_stderr(
    qtbot: QtBot, log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert QApplication.instance() is not None
    hook = BugReport(unattended=True)
    try:
        raise KeyError("lanes")
    except KeyError:
        hook(*sys.exc_info())  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert err == f"schedviz: a bug of ours: KeyError: 'lanes'. The details are in {log}.\n"
    assert "Traceback" in log.read_text()
