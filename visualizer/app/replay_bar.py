"""Replay of a finished run: a clock that walks through its time, and the bar that drives it.

The clock only says *when* in the run we are; whoever listens cuts the trace at
that moment (:func:`visualizer.model.replay.timeline_at`) and shows it, so a
replay grows exactly as the live run did, at a tenth of its speed up to twice it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from visualizer.app import palette

#: Replay speeds offered, as fractions of real time.
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0)
DEFAULT_SPEED = 0.25
TIMES = "\N{MULTIPLICATION SIGN}"
FRAME_MS = 33
#: Slider resolution: positions along the run.
SLIDER_STEPS = 1000
#: One step of the step buttons, as a share of the run.
STEP_SHARE = 0.02


class ReplayClock(QObject):
    """Where a replay is (ns from the start of the run); advances while playing."""

    position_changed = Signal(object)  # int ns: past 2.1 s a C++ int overflows
    playing_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.span = 0
        self.position = 0
        self.speed = DEFAULT_SPEED
        self.playing = False
        self._last_tick = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)

    def load(self, span: int) -> None:
        """A new run to replay, ``span`` ns long; the clock waits at its end."""
        self.pause()
        self.span = span
        self.seek(span)

    def play(self) -> None:
        if self.span <= 0:
            return
        if self.position >= self.span:
            self.seek(0)
        self.playing = True
        self._last_tick = time.monotonic()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        self._timer.stop()
        if self.playing:
            self.playing = False
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, position: int) -> None:
        self.position = max(0, min(self.span, position))
        self.position_changed.emit(self.position)

    def step(self, direction: int) -> None:
        """Pause and move one step (a fiftieth of the run) forwards (1) or back (-1)."""
        self.pause()
        self.seek(self.position + direction * max(1, round(self.span * STEP_SHARE)))

    def _tick(self) -> None:
        now = time.monotonic()
        advance = round((now - self._last_tick) * 1e9 * self.speed)
        self._last_tick = now
        self.seek(self.position + advance)
        if self.position >= self.span:
            self.pause()


class ReplayBar(QWidget):
    """Play/pause, step, speed and a slider over the run, under the timeline."""

    def __init__(self, clock: ReplayClock) -> None:
        super().__init__()
        self.clock = clock
        self.play_button = QPushButton("Replay")
        self.back_button = QPushButton("◀ Step")
        self.forward_button = QPushButton("Step ▶")
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}{TIMES}", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed_box.setToolTip("Replay speed: 0.1 shows a 1-second run in 10 seconds")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.time_label = QLabel()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        for widget in (self.play_button, self.back_button, self.forward_button, self.speed_box):
            row.addWidget(widget)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time_label)
        self.restyle()

        self.play_button.clicked.connect(clock.toggle)
        self.back_button.clicked.connect(lambda: clock.step(-1))
        self.forward_button.clicked.connect(lambda: clock.step(1))
        self.speed_box.currentIndexChanged.connect(self._on_speed)
        self.slider.sliderMoved.connect(self._on_slider)
        clock.position_changed.connect(self._show_position)
        clock.playing_changed.connect(self._show_playing)
        self.setEnabled(False)

    def restyle(self) -> None:
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.speed_box,
            self.time_label,
        ):
            widget.setFont(palette.FONTS.base())

    def _on_speed(self, index: int) -> None:
        self.clock.speed = float(self.speed_box.itemData(index))

    def _on_slider(self, value: int) -> None:
        self.clock.pause()
        self.clock.seek(round(self.clock.span * value / SLIDER_STEPS))

    def _show_position(self, position: int) -> None:
        span = max(self.clock.span, 1)
        self.slider.blockSignals(True)
        self.slider.setValue(round(SLIDER_STEPS * position / span))
        self.slider.blockSignals(False)
        self.time_label.setText(f"{position / 1e9:.3f} s of {self.clock.span / 1e9:.3f} s")

    def _show_playing(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Replay")
