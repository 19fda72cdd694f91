"""SettingsStore: what the app remembers between launches, in one QSettings file.

Always the INI format (organisation "schedviz", application "schedviz"), so tests
can point ``QSettings.setPath(IniFormat, UserScope, folder)`` at a temporary folder
on every platform. A remembered value that is no longer valid (edited by hand, or
from an older version with other ranges) falls back to the default, silently:
preferences must never stop the app from starting.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from server.routes import STYLE_NAMES
from visualizer.app.server_target import PORTS, ServerTarget
from visualizer.model.request_plan import PlanError, RequestPlan
from visualizer.model.server_setup import SETUP_FIELDS
from visualizer.model.settings import RANGES, AppTarget, RunSettings, SettingError, parse_value

ORGANISATION = "schedviz"
APPLICATION = "schedviz"
#: Keys of a command line's preset that are about the target, not the numbers.
_TARGET_KEYS = ("app", "plan")


def open_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


class SettingsStore:
    """The last run's settings, the server's target and plan, the window's geometry and layout."""

    def __init__(self) -> None:
        self.qsettings = open_settings()

    def run_settings(self, preset: dict[str, Any] | None = None) -> RunSettings:
        """The remembered settings of a style run, with ``preset`` (from the command line)
        on top; a preset's app and plan are the target's (see :meth:`server_target`)."""
        defaults = RunSettings()
        style = self.qsettings.value("run/style", defaults.style)
        values: dict[str, Any] = {"style": style if style in STYLE_NAMES else defaults.style}
        for name in RANGES:
            if name in SETUP_FIELDS:  # how the server runs is the command line's, never kept
                continue
            values[name] = _remembered_number(
                self.qsettings.value(f"run/{name}"), name, getattr(defaults, name)
            )
        for key, value in (preset or {}).items():
            if key not in _TARGET_KEYS and not (key == "style" and not value):
                values[key] = value
        return RunSettings(**values)

    def save_run_settings(self, settings: RunSettings) -> None:
        """The numbers and the style of a style run (an app run's settings have no style)."""
        for name, value in settings.to_dict().items():
            if (name in RANGES and name not in SETUP_FIELDS) or (name == "style" and value):
                self.qsettings.setValue(f"run/{name}", value)

    # -- what the server hosts --------------------------------------------------------------

    def server_target(self, preset: dict[str, Any] | None = None, port: int = 0) -> ServerTarget:
        """The command line's choice (an app, or a style), else the remembered one."""
        preset = preset or {}
        if preset.get("app") is not None:
            return ServerTarget(preset["app"], port)
        if preset.get("style"):
            return ServerTarget(None, port)
        remembered = self.last_app()
        if remembered is None or self.qsettings.value("target/kind") != "app":
            return ServerTarget(None, port)
        return ServerTarget(remembered.app, port or remembered.port)

    def last_app(self) -> ServerTarget | None:
        """The user's app last chosen, even while the styles are shown; None if none is."""
        target = self.qsettings.value("target/app")
        if not isinstance(target, str) or not target:
            return None
        try:
            app = AppTarget(
                target,
                str(self.qsettings.value("target/app_dir", ".")),
                str(self.qsettings.value("target/factory", "false")).lower() == "true",
            )
        except SettingError:
            return None
        return ServerTarget(app, _remembered_port(self.qsettings.value("target/port")))

    def save_server_target(self, target: ServerTarget) -> None:
        self.qsettings.setValue("target/kind", "app" if target.app is not None else "styles")
        if target.app is None:
            return  # the app last chosen stays, to go back to
        self.qsettings.setValue("target/app", target.app.target)
        self.qsettings.setValue("target/app_dir", target.app.app_dir)
        self.qsettings.setValue("target/factory", "true" if target.app.factory else "false")
        self.qsettings.setValue("target/port", target.port)

    def plan(self, app: AppTarget) -> RequestPlan | None:
        """The plan last made for ``app``; None if none was, or it no longer reads."""
        text = self.qsettings.value(_plan_key(app))
        if not isinstance(text, str) or not text:
            return None
        try:
            return RequestPlan.from_toml(text)
        except PlanError:
            return None

    def save_plan(self, app: AppTarget, plan: RequestPlan | None) -> None:
        """Each app keeps its own plan: one slot for all lost a plan of six requests to a
        mistyped app's empty one, when the user went to it and came back."""
        self.qsettings.setValue(_plan_key(app), plan.to_toml() if plan is not None else "")

    # -- the window ---------------------------------------------------------------------------

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


def _remembered_port(raw: object) -> int:
    """A remembered port if it is one, else 0 (any free port)."""
    try:
        port = int(str(raw))
    except ValueError:
        return 0
    return port if PORTS[0] <= port <= PORTS[1] else 0


def _plan_key(app: AppTarget) -> str:
    """``plans/<app dir and target, escaped>``: QSettings reads a '/' as a group."""
    return "plans/" + urllib.parse.quote(f"{app.app_dir}|{app.target}", safe="")
