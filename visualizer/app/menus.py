"""The main window's commands: its actions, and the menus and toolbar they go in.

Kept apart from the window's behaviour: this module says which command has which
shortcut and tip, and where it goes; what each does is the window's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from visualizer.app.actions import make_action
from visualizer.app.file_actions import example_files, example_title
from visualizer.app.lesson_menu import LessonMenu
from visualizer.model.prediction import LETTERS

if TYPE_CHECKING:
    from visualizer.app.main_window import MainWindow


class WindowActions:
    """The window's commands, as :func:`create_actions` makes them (a mixin of MainWindow,
    so that each is typed where it is made)."""

    run_action: QAction
    open_app_action: QAction
    styles_action: QAction
    open_plan_action: QAction
    save_plan_action: QAction
    stop_action: QAction
    restart_action: QAction
    quit_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    whole_run_action: QAction
    follow_action: QAction
    pan_left_action: QAction
    pan_right_action: QAction
    clear_highlight_action: QAction
    about_action: QAction
    compare_action: QAction
    sweep_action: QAction
    replay_action: QAction
    open_action: QAction
    save_action: QAction
    save_as_action: QAction
    export_png_action: QAction
    export_svg_action: QAction
    copy_picture_action: QAction
    export_csv_action: QAction
    presentation_action: QAction
    leave_presentation_action: QAction
    dark_action: QAction
    predict_action: QAction
    next_beat_action: QAction
    previous_beat_action: QAction
    vote_actions: list[QAction]
    take_back_action: QAction
    lesson_menu: LessonMenu


def create_actions(window: MainWindow) -> None:
    """Every command of the window as a QAction, with its shortcut and tip."""
    window.run_action = _action(window, "&Run", window.start_run, "Ctrl+R", "Start a run (Ctrl+R)")
    window.open_app_action = _action(
        window,
        "Open &App…",
        window.hosting.ask_for_app,
        "Ctrl+Shift+O",
        "Host your own FastAPI app instead of the styles (Ctrl+Shift+O)",
    )
    window.styles_action = _action(
        window, "Built-in St&yles", window.hosting.use_styles, None, "Host the built-in styles"
    )
    window.open_plan_action = _action(
        window, "Open &Plan…", lambda: window.controls.plan_panel.open_plan()
    )
    window.save_plan_action = _action(
        window, "Save P&lan…", lambda: window.controls.plan_panel.save_plan()
    )
    window.stop_action = _action(
        window, "&Stop", window.stop_run, ["Esc", "Ctrl+."], "Stop the run (Esc)"
    )
    window.restart_action = _action(window, "Restart &Server", window.restart_server)
    window.quit_action = _action(window, "&Quit", window.close, "Ctrl+Q")
    window.zoom_in_action = _action(
        window,
        "Zoom &In",
        window.timeline.zoom_in,
        ["Ctrl+=", "Ctrl++"],
        "Zoom in on time (Ctrl+=)",
    )
    window.zoom_out_action = _action(
        window, "Zoom &Out", window.timeline.zoom_out, "Ctrl+-", "Zoom out (Ctrl+-)"
    )
    window.whole_run_action = _action(
        window, "&Whole Run", window.timeline.show_whole_run, "Ctrl+0", "Show every lane (Ctrl+0)"
    )
    window.follow_action = _action(
        window, "&Follow Now", window.timeline.follow_now, "Ctrl+L", "Follow the live run (Ctrl+L)"
    )
    window.follow_action.setCheckable(True)
    window.follow_action.setChecked(True)
    window.pan_left_action = _action(window, "Pan &Left", window.timeline.pan_left, "Left")
    window.pan_right_action = _action(window, "Pan &Right", window.timeline.pan_right, "Right")
    for action in (window.pan_left_action, window.pan_right_action):
        # Arrow keys pan only while the timeline has focus; fields keep theirs.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.timeline.addAction(action)
    window.clear_highlight_action = _action(
        window, "&Clear Highlight", lambda: window.timeline.highlight(None)
    )
    window.about_action = _action(window, "&About schedviz", window._show_about)
    window.compare_action = _action(
        window,
        "&Compare…",
        window.ask_compare,
        "Ctrl+Shift+R",
        "Run two styles, one above the other",
    )
    window.sweep_action = _action(
        window,
        "S&weep…",
        window.ask_sweep,
        None,
        "Run over concurrency x pool size, one server each: find the knee",
    )
    window.replay_action = _action(
        window,
        "Re&play / Pause",
        window.replay.clock.toggle,
        "Ctrl+P",
        "Replay the run slowly (Ctrl+P)",
    )
    window.open_action = _action(window, "&Open…", lambda: window.files.open(), "Ctrl+O")
    window.save_action = _action(
        window, "&Save", lambda: window.files.save(window.result), "Ctrl+S"
    )
    window.save_as_action = _action(
        window, "Save &As…", lambda: window.files.save(window.result, ask=True), "Ctrl+Shift+S"
    )
    window.export_png_action = _action(
        window, "Export &PNG…", lambda: window.files.export_png(window.picture()), "Ctrl+E"
    )
    window.export_svg_action = _action(
        window, "Export S&VG…", lambda: window.files.export_svg(window.picture())
    )
    window.copy_picture_action = _action(
        window, "&Copy Picture", lambda: window.files.copy_picture(window.picture()), "Ctrl+Shift+C"
    )
    window.export_csv_action = _action(
        window, "Export Requests as CS&V…", lambda: window.files.export_csv(window.result)
    )
    window.presentation_action = _action(
        window,
        "&Presentation Mode",
        window.toggle_presentation,
        "F11",
        "Full screen, large text (F11)",
    )
    window.presentation_action.setCheckable(True)
    # Esc leaves presentation mode when no run is live (while one is, Esc stops it).
    window.leave_presentation_action = _action(
        window, "Leave Presentation", lambda: window.set_presentation(False), "Esc"
    )
    window.addAction(window.leave_presentation_action)
    window.dark_action = _action(window, "&Dark Theme", window.set_dark_theme)
    window.dark_action.setCheckable(True)
    _create_prediction_actions(window)


def _create_prediction_actions(window: MainWindow) -> None:
    """Predict mode's and a lesson's: a presenter's clicker sends Page Down / Page Up (some
    send the arrows); the class's hands are counted with A to D."""
    window.predict_action = _action(
        window,
        "Pre&dict First",
        _set_predicting(window),
        "Ctrl+Shift+P",
        "Before each run, the class predicts its shape (Ctrl+Shift+P)",
    )
    window.predict_action.setCheckable(True)
    window.next_beat_action = _action(
        window, "&Next", window.lessons.next, ["PgDown", "Right"], "On a step (Page Down)"
    )
    window.previous_beat_action = _action(
        window, "&Back", window.lessons.previous, ["PgUp", "Left"], "Back a step (Page Up)"
    )
    window.vote_actions = [
        _action(window, f"Hand for {letter}", _voter(window, letter), letter) for letter in LETTERS
    ]
    window.take_back_action = _action(
        window, "Take Back a Hand", window.predict.panel.take_back, "Backspace"
    )
    for action in (
        window.next_beat_action,
        window.previous_beat_action,
        *window.vote_actions,
        window.take_back_action,
    ):
        window.addAction(action)  # they work with the menus and toolbars hidden
    window.lesson_menu = LessonMenu(window, window.lessons)


def _set_predicting(window: MainWindow) -> Callable[[bool], None]:
    def set_predicting(on: bool) -> None:
        window.predict.enabled = on
        if not on:
            window.predict.close_panel()
            window.prompt.clear()

    return set_predicting


def _voter(window: MainWindow, letter: str) -> Callable[[], None]:
    return lambda: window.predict.panel.vote(letter)


def update_actions(window: MainWindow) -> None:
    """Which commands can be used now, and what Run is called (Record, for a recording)."""
    live = window.driver.live or window.compare_runner.active
    passive = window.controls.passive
    window.run_action.setText("&Record" if passive else "&Run")
    window.run_action.setToolTip(
        "Record whatever requests arrive, until Stop (Ctrl+R)"
        if passive
        else "Start a run (Ctrl+R)"
    )
    window.controls.run_button.setText(f"{'Record' if passive else 'Run'}  (Ctrl+R)")
    window.controls.run_button.setToolTip(window.run_action.toolTip())
    lesson = window.lessons.active
    window.run_action.setEnabled(not live and not lesson and window.driver.session.server_running)
    # Two styles side by side; the user's app has no styles to compare.
    is_app = window.hosting.target.is_app
    window.compare_action.setEnabled(window.run_action.isEnabled() and not is_app)
    for action in (window.open_app_action, window.styles_action):
        action.setEnabled(not live)
    window.styles_action.setEnabled(not live and is_app)
    window.stop_action.setEnabled(live)
    window.replay_action.setEnabled(not live and window.replay.available)
    window.leave_presentation_action.setEnabled(window.presentation.active and not live)
    update_lesson_actions(window)
    window.controls.run_button.setEnabled(window.run_action.isEnabled())
    window.controls.stop_button.setEnabled(live)


def update_lesson_actions(window: MainWindow) -> None:
    """The keys of a lesson work only during one; the hands only while the shapes show."""
    lesson = window.lessons.active
    for action in (window.next_beat_action, window.previous_beat_action):
        action.setEnabled(lesson)
        action.setVisible(lesson)
    asking = window.predict.asking
    for action in (*window.vote_actions, window.take_back_action):
        action.setEnabled(asking)
    window.controls.code_view.hide_answers(asking)
    # The arrows go to the lesson while one is given; to the timeline's pan otherwise
    # (both enabled would make each key ambiguous, and neither would fire).
    for action in (window.pan_left_action, window.pan_right_action):
        action.setEnabled(not lesson)
    window.predict_action.setEnabled(not lesson)
    # The lesson says what runs: the compact toolbar's style picker would only mislead.
    window.presentation.show_style_box(not lesson and window.hosting.target.app is None)
    window.lesson_menu.update_actions()


def _action(window: MainWindow, text: str, slot: Any, *args: Any) -> QAction:
    return make_action(window, text, slot, *args)


def build_menus(window: MainWindow) -> None:
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    file_menu.addActions([window.open_app_action, window.styles_action])
    file_menu.addActions([window.open_plan_action, window.save_plan_action])
    file_menu.addSeparator()
    file_menu.addAction(window.open_action)
    examples = file_menu.addMenu("&Examples")
    for path in example_files():
        examples.addAction(make_action(window, example_title(path), _opener(window, path)))
    file_menu.addActions([window.save_action, window.save_as_action])
    file_menu.addSeparator()
    file_menu.addActions([window.export_png_action, window.export_svg_action])
    file_menu.addActions([window.copy_picture_action, window.export_csv_action])
    run_menu = menus.addMenu("&Run")
    run_menu.addActions([window.run_action, window.stop_action, window.compare_action])
    run_menu.addAction(window.sweep_action)
    run_menu.addAction(window.replay_action)
    run_menu.addAction(window.predict_action)
    run_menu.addSeparator()
    run_menu.addAction(window.restart_action)
    run_menu.addSeparator()
    run_menu.addAction(window.quit_action)
    view_menu = menus.addMenu("&View")
    view_menu.addActions([window.zoom_in_action, window.zoom_out_action, window.whole_run_action])
    view_menu.addActions([window.follow_action, window.pan_left_action, window.pan_right_action])
    view_menu.addSeparator()
    view_menu.addAction(window.clear_highlight_action)
    view_menu.addActions([window.presentation_action, window.dark_action])
    view_menu.addAction(make_action(window, "&Reset Layout", window.reset_layout))
    for dock in (window.controls_dock, window.summary_dock):
        view_menu.addAction(dock.toggleViewAction())
    window.lesson_menu.build(menus.addMenu("&Lessons"))
    menus.addMenu("&Help").addAction(window.about_action)


def build_toolbar(window: MainWindow) -> None:
    toolbar = window.addToolBar("Run")
    toolbar.setObjectName("runToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    toolbar.addActions([window.run_action, window.stop_action, window.compare_action])
    toolbar.addSeparator()
    toolbar.addActions([window.zoom_in_action, window.zoom_out_action, window.whole_run_action])
    toolbar.addAction(window.follow_action)
    window.presentation.toolbar.addActions(
        [window.run_action, window.stop_action, window.compare_action, window.replay_action]
    )
    window.presentation.toolbar.addAction(window.presentation_action)
    window.presentation.toolbar.addActions([window.previous_beat_action, window.next_beat_action])
    controls = window.controls
    controls.stop_button.setText("Stop  (Esc)")
    controls.run_button.clicked.connect(window.run_action.trigger)
    controls.stop_button.clicked.connect(window.stop_action.trigger)


def _opener(window: MainWindow, path: Path) -> Callable[[], object]:
    return lambda: window.files.open(path)
