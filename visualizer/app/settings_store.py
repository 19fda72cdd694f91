"""SettingsStore: what the app remembers between launches, in one QSettings file.

Always the INI format (organisation "schedviz", application "schedviz"), so tests
can point ``QSettings.setPath(IniFormat, UserScope, folder)`` at a temporary folder
on every platform. A remembered value that is no longer valid (edited by hand, or
from an older version with other ranges) falls back to the default, silently:
preferences must never stop the app from starting.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from server.routes import STYLE_NAMES
from visualizer.model.settings import RANGES, RunSettings, SettingError, parse_value

ORGANISATION = "schedviz"
APPLICATION = "schedviz"


def open_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


class SettingsStore:
    """The last run's settings and the window's geometry and layout."""

    def __init__(self) -> None:
        self.qsettings = open_settings()

    def run_settings(self, preset: dict[str, Any] | None = None) -> RunSettings:
        """The remembered settings, with ``preset`` (from the command line) on top."""
        defaults = RunSettings()
        style = self.qsettings.value("run/style", defaults.style)
        values: dict[str, Any] = {"style": style if style in STYLE_NAMES else defaults.style}
        for name in RANGES:
            values[name] = _remembered_number(
                self.qsettings.value(f"run/{name}"), name, getattr(defaults, name)
            )
        values.update(preset or {})
        return RunSettings(**values)

    def save_run_settings(self, settings: RunSettings) -> None:
        """Remember the style and the numbers; the app and its plan come with --app."""
        for name, value in settings.to_dict().items():
            if name in RANGES or (name == "style" and value):
                self.qsettings.setValue(f"run/{name}", value)

    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def dark_theme(self) -> bool:
        return str(self.qsettings.value("view/dark_theme", "false")).lower() == "true"

    def save_dark_theme(self, dark: bool) -> None:
        self.qsettings.setValue("view/dark_theme", "true" if dark else "false")

    def sync(self) -> None:
        self.qsettings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) else None


def _remembered_number(raw: object, name: str, default: float) -> float:
    """A remembered number if it is still allowed, else the default."""
    try:
        value = parse_value(name, str(raw))
    except SettingError:
        return default
    return value
