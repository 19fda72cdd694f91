"""RunSettings: what one run does, checked once against the ranges the app allows."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from server.routes import STYLE_NAMES
from server.user_app import AppLoadError, check_spec
from visualizer.model.request_plan import PlanError, RequestPlan


@dataclass(frozen=True)
class Range:
    """The allowed values of one numeric setting, and how to talk about them."""

    low: float
    high: float
    integer: bool
    unit: str = ""

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{_number(self.low)} to {_number(self.high)}{unit}"


RANGES: dict[str, Range] = {
    "concurrency": Range(1, 1_000, integer=True),
    "requests": Range(1, 1_000_000, integer=True),
    "work_ms": Range(0, 60_000, integer=False, unit="ms"),
    "pool": Range(1, 1_000, integer=True),
    "timeout_s": Range(0.1, 3_600, integer=False, unit="s"),
    "fail_every": Range(0, 1_000_000, integer=True),
    "stack_ms": Range(1, 10_000, integer=False, unit="ms"),
    "workers": Range(1, 64, integer=True),
}


class SettingError(ValueError):
    """A setting outside what schedviz allows; the message names the value and the range."""


@dataclass(frozen=True)
class AppTarget:
    """The user's own app: ``module:attribute`` as uvicorn takes it, the folder it is
    imported from (uvicorn's ``--app-dir``, absolute), and whether it is a factory."""

    target: str
    app_dir: str = "."
    factory: bool = False

    def __post_init__(self) -> None:
        try:
            check_spec(self.target)
        except AppLoadError as error:
            raise SettingError(error.message) from None

    @classmethod
    def from_dict(cls, data: Any) -> AppTarget:
        if not isinstance(data, dict) or type(data.get("target")) is not str:
            raise SettingError(f"app {data!r} is not an object with a target")
        return cls(
            target=data["target"],
            app_dir=str(data.get("app_dir", ".")),
            factory=data.get("factory", False) is True,
        )


@dataclass(frozen=True)
class RunSettings:
    """One run: a built-in ``style``, or the user's ``app`` with a ``plan`` of requests
    (no plan: a passive run, which traces whatever arrives), and the numbers."""

    style: str = "async_blocking"
    concurrency: int = 5
    requests: int = 5
    work_ms: float = 200.0
    pool: int = 40
    timeout_s: float = 60.0
    #: Every n-th request goes to a handler that raises (a 500); 0 for none.
    fail_every: int = 0
    #: A loop slice or worker run this long has its stack sampled: the line that held it.
    stack_ms: float = 10.0
    app: AppTarget | None = None
    plan: RequestPlan | None = None
    #: Server processes on one socket (uvicorn's --workers); see model.server_setup.
    workers: int = 1
    #: The interpreter that runs the server; "" for the one that runs schedviz.
    python: str = ""
    #: With several workers: each its own socket on the port (SO_REUSEPORT), not one.
    reuse_port: bool = False

    def __post_init__(self) -> None:
        if self.app is None:
            check_style(self.style)
            if self.plan is not None:
                raise SettingError("a plan of requests is for your own app (--app), not a style")
        elif self.style:
            raise SettingError(f"a run of your app {self.app.target} has no style ({self.style!r})")
        for name, allowed in RANGES.items():
            check_value(name, getattr(self, name), allowed)
        if type(self.python) is not str or type(self.reuse_port) is not bool:
            raise SettingError(f"python {self.python!r} is not a path, or reuse-port not a flag")
        if self.workers > 1 and self.passive:
            # Each process would number what arrives on its own: two requests 1.
            raise SettingError(
                f"workers {self.workers}: a recording (no requests planned) runs one "
                "server process; plan requests to run several"
            )

    @property
    def subject(self) -> str:
        """What the run ran, in a word: the style, or the app's ``module:attribute``."""
        return self.app.target if self.app is not None else self.style

    @property
    def passive(self) -> bool:
        """A run of the user's app that sends nothing: it traces whatever arrives."""
        return self.app is not None and self.plan is None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.plan is not None:
            data["plan"] = self.plan.to_dicts()
        # The server's own interpreter and one socket are the usual: not said.
        if not self.python:
            del data["python"]
        if not self.reuse_port:
            del data["reuse_port"]
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        """Settings from a trace file or saved preferences; unknown keys are ignored."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if "app" in known:
            known["app"] = AppTarget.from_dict(known["app"])
            known.setdefault("style", "")
        if "plan" in known:
            try:
                known["plan"] = RequestPlan.from_dicts(known["plan"])
            except PlanError as error:
                raise SettingError(str(error)) from None
        return cls(**known)


def check_style(style: str) -> None:
    if style not in STYLE_NAMES:
        raise SettingError(f"unknown style {style!r}: choose one of {', '.join(STYLE_NAMES)}")


def check_value(name: str, value: object, allowed: Range) -> None:
    label = name.replace("_", "-")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingError(f"{label} {value!r} is not a number: allowed {allowed.describe()}")
    if math.isnan(value) or not allowed.low <= value <= allowed.high:
        raise SettingError(
            f"{label} {_number(value)} is out of range: allowed {allowed.describe()}"
        )
    if allowed.integer and value != int(value):
        raise SettingError(f"{label} {value!r} is not a whole number: allowed {allowed.describe()}")


def parse_value(name: str, text: str) -> float:
    """Turn the text of a command-line option or a field into a checked number."""
    allowed = RANGES[name]
    label = name.replace("_", "-")
    try:
        value = float(text)
    except ValueError:
        raise SettingError(
            f"{label} {text!r} is not a number: allowed {allowed.describe()}"
        ) from None
    check_value(name, value, allowed)
    return int(value) if allowed.integer else value


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
