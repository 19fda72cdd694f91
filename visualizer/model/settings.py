"""RunSettings: what one run does, checked once against the ranges the app allows."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from server.routes import STYLE_NAMES


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
}


class SettingError(ValueError):
    """A setting outside what schedviz allows; the message names the value and the range."""


@dataclass(frozen=True)
class RunSettings:
    style: str = "async_blocking"
    concurrency: int = 5
    requests: int = 5
    work_ms: float = 200.0
    pool: int = 40
    timeout_s: float = 60.0
    #: Every n-th request goes to a handler that raises (a 500); 0 for none.
    fail_every: int = 0

    def __post_init__(self) -> None:
        check_style(self.style)
        for name, allowed in RANGES.items():
            check_value(name, getattr(self, name), allowed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        """Settings from a trace file or saved preferences; unknown keys are ignored."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
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
