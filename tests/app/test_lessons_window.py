"""Predict mode and lessons in the window, without a server: recorded runs, clicker keys.

A lesson is given on a pretend 1024x768 projector from its first question to its
end with nothing but Page Down (and the right arrow), the class's hands counted
with A to D; every beat's screen is checked: the candidate cards row by row, the
measured plot lane by lane, the pick outlined over it and said in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from _card_checks import check_cards
from _plot_area import check_rendered_picture
from _screen_checks import assert_fits, grab, settle
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from visualizer.app.lesson_player import Beat
from visualizer.app.main_window import MainWindow
from visualizer.app.picture_export import render
from visualizer.app.timeline.picture import PREDICTION_NOTE
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.lesson import Lesson
from visualizer.model.lesson_library import copy_lesson, find_lesson
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"


def _cards_image(window: MainWindow) -> QImage:
    """The prediction panel as painted now (its own grab: the cards' layout is its own)."""
    panel = window.predict.panel
    image = panel.grab().toImage()
    return image


def _assert_cards_drawn(window: MainWindow) -> None:
    panel = window.predict.panel
    image = _cards_image(window)
    problems = check_cards(image, panel.layout_now, panel.candidates, image.devicePixelRatio())
    assert not problems, problems[:5]


def _wait_for_the_run(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.lessons.running, timeout=20_000)


def test_a_lesson_runs_from_start_to_end_with_the_clicker_keys_on_a_1024x768_projector(
    make_window: Callable[..., MainWindow], qtbot: QtBot, screen: Callable[[int, int], QRect]
) -> None:
    area = screen(1024, 768)
    window = make_window()
    window.replay.clock.speed = 2.0  # the recordings grow again, faster than in class
    lesson = window.lesson_menu.start(find_lesson("async_or_def"))
    assert lesson is not None and window.lessons.active
    window.activateWindow()  # a clicker's keys go to the window that has the focus
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert window.presentation.active, "a lesson is given in presentation mode"
    assert not window.presentation.style_action.isVisible()
    player = window.lessons
    keys = [Qt.Key.Key_PageDown, Qt.Key.Key_Right]
    for number, step in enumerate(lesson.steps):
        # The question: the shapes to pick from, and the question in the largest type.
        settle(qtbot, window, area)
        assert (player.step, player.beat) == (number, Beat.QUESTION)
        assert window.pages.currentWidget() is window.predict.panel
        assert window.prompt.body.text() == step.question
        assert len(window.predict.panel.candidates) == len(step.choices)
        for letter in "BBA":  # three hands: two for B, one for A
            QTest.keyClick(window, getattr(Qt.Key, f"Key_{letter}"))
        assert window.predict.panel.votes == {"A": 1, "B": 2}
        _assert_cards_drawn(window)
        grab(window, f"lesson-1024x768-step{number + 1}-question")
        # The run: its recording grows again; Page Down on the last step hurries it.
        QTest.keyClick(window, keys[number % 2])
        assert player.beat == Beat.RUN
        if number == len(lesson.steps) - 1:
            QTest.keyClick(window, Qt.Key.Key_PageDown)
        _wait_for_the_run(qtbot, window)
        settle(qtbot, window, area)
        assert_fits(window, area)
        image = grab(window, f"lesson-1024x768-step{number + 1}-run")
        plot = window.comparison.plots[1] if step.is_comparison else window.timeline.plot
        assert plot.ghost.prediction is not None
        assert plot.ghost.prediction.letter == "B"
        assert window.prompt.body.text().startswith("You predicted B, ")
        assert "The measured run is closest to " in window.prompt.body.text()
        assert "recorded run" in window.prompt.heading.text()
        _assert_plots_drawn(image, window, step.is_comparison)
        # The reveal: the takeaway.
        QTest.keyClick(window, keys[(number + 1) % 2])
        assert player.beat == Beat.REVEAL
        assert window.prompt.body.text() == step.takeaway
        assert window.prompt.detail.text().startswith("You predicted B, ")
        grab(window, f"lesson-1024x768-step{number + 1}-reveal")
        QTest.keyClick(window, Qt.Key.Key_PageDown)
    assert player.ended and "the end" in window.prompt.heading.text()
    # Page Up walks back: the last reveal, its run, its question; then the step before.
    QTest.keyClick(window, Qt.Key.Key_PageUp)
    assert (player.step, player.beat) == (len(lesson.steps) - 1, Beat.REVEAL)
    QTest.keyClick(window, Qt.Key.Key_Left)
    assert player.beat == Beat.RUN and window.prompt.body.text().startswith("You predicted B")
    QTest.keyClick(window, Qt.Key.Key_PageUp)
    assert player.beat == Beat.QUESTION
    QTest.keyClick(window, Qt.Key.Key_PageUp)
    before = player.results[player.step]
    assert (player.step, player.beat) == (len(lesson.steps) - 2, Beat.REVEAL)
    assert window.result is before[0], "the step before is shown again, not run again"
    assert window.timeline.plot.ghost.prediction is not None
    # The last step's pick was over its comparison: a new comparison starts without it.
    assert window.comparison.plots[1].ghost.prediction is not None
    window.lessons.end()
    window.comparison.start(("async_blocking", "async_offload"))
    assert all(plot.ghost.prediction is None for plot in window.comparison.plots)


def _assert_plots_drawn(image: QImage, window: MainWindow, comparing: bool) -> None:
    from _plot_area import check_window_plot

    plots = window.comparison.plots if comparing else [window.timeline.plot]
    for plot in plots:
        check = check_window_plot(image, plot, window)
        check.assert_ok(min_lanes=4)


def test_the_keys_of_a_lesson_work_only_during_one(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    assert not window.next_beat_action.isEnabled()
    assert window.pan_right_action.isEnabled(), "the arrows pan the timeline outside a lesson"
    window.lesson_menu.start(find_lesson("cpu_and_the_gil"))
    assert window.next_beat_action.isEnabled() and not window.pan_right_action.isEnabled()
    assert not window.run_action.isEnabled(), "the lesson says what runs"
    window.lessons.end()
    assert not window.next_beat_action.isEnabled() and window.pan_right_action.isEnabled()
    assert not window.prompt.isVisible()


def test_a_lesson_file_that_cannot_be_given_is_refused_naming_its_line_and_key(
    make_window: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    # Beside the shipped lesson, so that its recordings are found.
    copied = copy_lesson(Lesson.read(find_lesson("async_or_def")), tmp_path)
    path = tmp_path / "broken.toml"
    path.write_text(copied.read_text().replace("concurrency = 5,", "concurency = 5,", 1))
    window = make_window()
    assert window.lesson_menu.open_file(path) is None
    assert not window.lessons.active
    assert len(said) == 1 and said[0].startswith("broken.toml, line ")
    assert "run key 'concurency' is not known" in said[0]


def _recorded(name: str) -> RunResult:
    return analyse(read_trace(DATA / name))


def _predict_and_finish(window: MainWindow, qtbot: QtBot, name: str, letters: str) -> RunResult:
    """Predict mode's two presses of Run, the class's hands, and the run's end, where the
    window has no server: the result the driver would hand over is a recorded one."""
    window.activateWindow()  # the keys are the window's shortcuts: it must have the focus
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.predict_action.trigger()
    window.start_run()
    assert window.predict.asking
    assert window.prompt.body.text().endswith("Which shape will the run take?")
    # What the style's code says will happen would answer the question: hidden meanwhile.
    code = window.controls.code_view
    assert "Predict first" in code.expect.text() and "#" not in code.code.toPlainText()
    for letter in letters:
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{letter}"))
    window.start_run()  # the second Run: no server here, so it is refused after the pick
    assert not window.predict.asking
    assert code.expect.text().startswith("<b>Expect:</b>") and "#" in code.code.toPlainText()
    result = _recorded(name)
    window.driver.run_finished.emit(result)
    return result


def test_predict_mode_asks_first_then_outlines_the_pick_over_the_run(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.controls.set_settings(_recorded("sync_sleep_c6_p2_w200.json").trace.settings)
    _predict_and_finish(window, qtbot, "sync_sleep_c6_p2_w200.json", "AC")
    prediction = window.timeline.plot.ghost.prediction
    assert prediction is not None and prediction.letter == "C"
    assert prediction.candidate is not None and prediction.candidate.name == "in waves of 2"
    words = window.prompt.body.text()
    assert words.startswith("You predicted C, in waves of 2: about 0.60 s. It took 0.62 s")
    assert "closest to C, in waves of 2" in words


def test_a_prediction_is_never_saved_and_a_picture_of_it_says_it_is_one(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window()
    window.controls.set_settings(_recorded("async_blocking_c5_w200.json").trace.settings)
    result = _predict_and_finish(window, qtbot, "async_blocking_c5_w200.json", "A")
    window.files.path = tmp_path / "saved.json"
    window.files.save(window.result)
    qtbot.waitUntil(lambda: (tmp_path / "saved.json").is_file(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.files.job.busy, timeout=10_000)
    saved = (tmp_path / "saved.json").read_text()
    assert "predict" not in saved.lower() and "all at once" not in saved
    assert json.loads(saved)["metadata"]["schedviz"]["settings"]["style"] == "async_blocking"
    picture = window.picture()
    assert picture is not None and picture.shows_prediction
    assert picture.lines[0] == PREDICTION_NOTE.format(label="A, all at once")
    assert picture.lines[1].startswith("You predicted A, all at once")
    rendered = render(picture, 1280)
    (check,) = check_rendered_picture(rendered, [result.timeline])
    check.assert_ok(min_lanes=6)
    # The dashed outline is there: all five predicted from 0 to 0.2 s, one box around
    # their lanes, its top edge on request 1's lane.
    placement = rendered.placements[0]
    x, y = placement.to_point(0.1, result.timeline.lane_of_request(1) + 0.14)
    dark = _dark_pixels(rendered.image, x * rendered.scale, y * rendered.scale)
    assert dark >= 20, "no dashed outline where requests were predicted"


def _dark_pixels(image: QImage, x: float, y: float) -> int:
    """Dark pixels in a short column around (x, y): an outline's edge crosses it."""
    found = 0
    for dy in range(-4, 5):
        for dx in range(-30, 30):
            colour = image.pixelColor(round(x) + dx, round(y) + dy)
            if colour.lightness() < 50:  # the ghost's ink, not a bar's blue (89)
                found += 1
    return found


def test_hands_are_counted_taken_back_and_a_dragged_makespan_wins_if_last(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.resize(1280, 720)
    lesson = Lesson.read(find_lesson("the_40_thread_pool"))
    window.predict.ask(lesson.steps[0].candidates(2), "heading", "question", "how")
    panel = window.predict.panel
    for letter in "ACCAD":  # there is no D among three: not counted
        panel.vote(letter) if letter in "ABC" else panel.vote("D")
    assert panel.votes == {"A": 2, "C": 2}
    assert panel.prediction() is not None and panel.prediction().letter == "A"  # type: ignore[union-attr]
    panel.take_back()
    assert panel.votes == {"A": 1, "C": 2} and panel.chosen == 2
    qtbot.wait(50)
    layout = panel.layout_now
    x = round(layout.x_of(0.45))
    QTest.mouseClick(panel, Qt.MouseButton.LeftButton, pos=QPoint(x, panel.height() // 2))
    guess = panel.prediction()
    assert guess is not None and guess.candidate is None
    assert guess.makespan_s == pytest.approx(0.45, abs=0.01)
    panel.vote("B")  # a hand after the drag: the hands decide again
    assert panel.prediction().letter == "C"  # type: ignore[union-attr]


APP_LESSON = """\
title = "your own app"

[[step]]
question = "Three at a time, nine requests to the shop: how does it go?"
choices = ["all_at_once", "one_at_a_time"]
takeaway = "Measured."
{trace}

[step.run]
app = "shop_api:app"
app_dir = "{app_dir}"
request = ["GET /items/1"]
concurrency = 3
requests = 9
"""


def test_a_step_of_an_app_the_server_does_not_host_plays_its_recording_or_says_why(
    make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    """The window's server hosts the styles: a step of the user's app cannot go to it."""
    recording = tmp_path / "shop.json"
    recording.write_bytes((DATA / "apps" / "shop_api_c3_n9.json").read_bytes())
    window = make_window()
    window.replay.clock.speed = 2.0
    path = tmp_path / "app.toml"
    path.write_text(APP_LESSON.format(app_dir="/tmp/ownapp", trace=""))
    assert window.lesson_menu.start(path) is not None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_PageDown)
    assert not window.lessons.running
    said = window.prompt.body.text()
    assert said.startswith("This step's run could not be shown: it runs shop_api:app")
    assert "the server hosts the built-in styles" in said
    path.write_text(APP_LESSON.format(app_dir="/tmp/ownapp", trace='trace = "shop.json"'))
    window.lesson_menu.start(path)
    QTest.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: not window.lessons.running, timeout=20_000)
    assert "recorded run" in window.prompt.heading.text()
    assert window.lessons.results[0][0].trace.settings.app is not None
