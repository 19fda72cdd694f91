"""The Qt-free heart of schedviz: measured events in, lanes, phases, figures and words out."""

from server.protocol import Outcome
from visualizer.model.narrative import narrate
from visualizer.model.phases import Phase, derive_phases
from visualizer.model.settings import RunSettings, SettingError
from visualizer.model.summary import RunSummary, summarize
from visualizer.model.timeline import BarKind, Lane, LaneKind, Timeline, build_timeline
from visualizer.model.trace import RunTrace

__all__ = [
    "BarKind",
    "Lane",
    "LaneKind",
    "Outcome",
    "Phase",
    "RunSettings",
    "RunSummary",
    "RunTrace",
    "SettingError",
    "Timeline",
    "build_timeline",
    "derive_phases",
    "narrate",
    "summarize",
]
