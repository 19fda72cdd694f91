"""RunSettings refuse bad values with a message that names the value and the range."""

from __future__ import annotations

import pytest

from visualizer.model.settings import RunSettings, SettingError, parse_value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("concurrency", 0, "concurrency 0 is out of range: allowed 1 to 1,000"),
        ("concurrency", 100_000, "concurrency 100,000 is out of range: allowed 1 to 1,000"),
        ("requests", 0, "requests 0 is out of range: allowed 1 to 1,000,000"),
        ("work_ms", -1, "work-ms -1 is out of range: allowed 0 to 60,000 ms"),
        ("pool", 0, "pool 0 is out of range: allowed 1 to 1,000"),
        ("concurrency", 2.5, "concurrency 2.5 is not a whole number"),
        ("concurrency", "5", "concurrency '5' is not a number"),
        ("work_ms", float("nan"), "work-ms nan is out of range"),
    ],
)
def test_bad_values_are_refused_by_name(field: str, value: object, message: str) -> None:
    with pytest.raises(SettingError, match=message.replace("(", r"\(")):
        RunSettings(**{field: value})  # type: ignore[arg-type]


def test_unknown_style_lists_the_choices() -> None:
    with pytest.raises(SettingError, match="unknown style 'fast': choose one of async_sleep"):
        RunSettings(style="fast")


def test_text_is_parsed_and_checked() -> None:
    assert parse_value("concurrency", "12") == 12
    assert parse_value("work_ms", "2.5") == 2.5
    with pytest.raises(SettingError, match="concurrency 'ten' is not a number: allowed 1 to 1,000"):
        parse_value("concurrency", "ten")


def test_settings_round_trip_through_a_dict() -> None:
    settings = RunSettings(style="sync_cpu", concurrency=3, requests=9, work_ms=12.5, pool=2)
    assert RunSettings.from_dict({**settings.to_dict(), "unknown": 1}) == settings
