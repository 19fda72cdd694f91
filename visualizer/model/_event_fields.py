"""The fields of many trace events at once, checked in bulk: types, ranges, finiteness.

A file is anything a disk or a user hands us, so every field the reader uses is
checked before it becomes a number: its type (a string, a bool or a null where a
number belongs is refused, not converted), then its range, by numpy on the whole
column. A column is gathered by ``map`` (a C loop); only when a check fails does a
Python loop look for the first bad event, to name it: the price of a good message is
paid by bad files alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
#: Times beyond this many ns (146 years) are nonsense, and would not fit an int64.
LIMIT_NS = 2.0**62
#: Request ids are positive and fit a signed 32-bit integer.
MAX_REQUEST = 2**31 - 1
NUMBER = (int, float)
INTEGER = (int,)
_ABSENT = object()


class BadEvent(ValueError):
    """One event of the file holds something the reader refuses; the message names it."""


class Events:
    """Events of one category, with their indexes in the file's traceEvents list."""

    def __init__(self, category: str, events: list[Any], where: Sequence[int] | I64) -> None:
        self.category = category
        self.events = events
        self.where = np.asarray(where, np.int64)
        kinds = set(map(type, events))
        if not kinds <= {dict}:
            self.fail(_first(events, lambda e: type(e) is not dict), "", "is not an object")
        self.args: list[Any] = list(map(methodcaller("get", "args", _ABSENT), events))
        if not set(map(type, self.args)) <= {dict}:
            self.fail(_first(self.args, lambda a: type(a) is not dict), "args", "is not an object")

    def __len__(self) -> int:
        return len(self.events)

    def fail(self, at: int, field: str, problem: str) -> None:
        """Refuse event ``at`` (its place in this batch) for ``problem`` of ``field``."""
        what = f" field {field!r}" if field else ""
        raise BadEvent(f"event {int(self.where[at])} ({self.category}){what} {problem}")

    def values(self, field: str, kinds: tuple[type, ...], optional: bool = False) -> list[Any]:
        """``field`` of every event (``args.x`` for an argument), each of one of ``kinds``.

        With ``optional`` a missing field (or a null) reads as None.
        """
        source = self.args if field.startswith("args.") else self.events
        key = field.removeprefix("args.")
        values = list(map(methodcaller("get", key, None if optional else _ABSENT), source))
        allowed = set(kinds) | ({type(None)} if optional else set())
        if not set(map(type, values)) <= allowed:
            at = _first(values, lambda v: type(v) not in allowed)
            value = values[at]
            problem = "is missing" if value is _ABSENT else f"is {_show(value)}, not {_kind(kinds)}"
            self.fail(at, field, problem)
        return values

    def numbers(
        self, field: str, kinds: tuple[type, ...], optional: bool
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """``field`` as float64 (0 where not given), and where it was given: in C loops."""
        values = self.values(field, kinds, optional)
        numbers = np.array(values, np.float64)
        if not optional:
            return numbers, np.ones(len(values), bool)
        # Only numbers and None are left, and JSON has no NaN: a NaN here was a None.
        given = ~np.isnan(numbers)
        numbers[~given] = 0
        return numbers, given

    def ns(
        self, field: str, optional: bool = False, signed: bool = False
    ) -> tuple[I64, npt.NDArray[np.bool_]]:
        """A time or duration in µs as whole ns, checked finite (and >= 0 unless ``signed``);
        and where it was given (0 where not)."""
        micros, given = self.numbers(field, NUMBER, optional)
        # Numbers too large for a float64 became inf: refused below like any huge number.
        with np.errstate(over="ignore", invalid="ignore"):
            numbers = micros * 1000
            low = -LIMIT_NS if signed else 0.0
            bad = ~((numbers >= low) & (numbers < LIMIT_NS))  # NaN fails this too
        if bad.any():
            at = int(np.argmax(bad))
            value = _show(self.values(field, NUMBER, optional)[at])
            self.fail(at, field, f"is {value}, not {'finite' if signed else '>= 0'}")
        return np.rint(numbers).astype(np.int64), given

    def ints(self, field: str, low: int, high: int, optional: bool = False) -> I64:
        """A whole number in ``low..high``; None (where optional) reads as 0."""
        # JSON integers are at most 64-bit here (orjson reads larger ones as floats, which
        # the type check refuses), so float64 compares them to the range without overflow.
        numbers, given = self.numbers(field, INTEGER, optional)
        bad = given & ~((numbers >= low) & (numbers <= high))
        if bad.any():
            at = int(np.argmax(bad))
            value = _show(self.values(field, INTEGER, optional)[at])
            self.fail(at, field, f"is {value}, not a whole number {low}..{high}")
        return numbers.astype(np.int64)


class Recheck(Exception):
    """Typed events hold something to refuse: read them again as dicts, for the message."""


class TypedEvents(Events):
    """Events decoded by :mod:`._event_schema`, each field already of its JSON type.

    The same checks of ranges, finiteness and sense as for dicts; but a refusal raises
    Recheck rather than naming the event, so that the message comes from the one
    reading of dicts that every refusal goes through (its words, its number formats).
    """

    def __init__(self, category: str, events: list[Any], where: Sequence[int] | I64) -> None:
        self.category = category
        self.events = events
        self.where = np.asarray(where, np.int64)

    def fail(self, at: int, field: str, problem: str) -> None:
        raise Recheck

    def values(self, field: str, kinds: tuple[type, ...], optional: bool = False) -> list[Any]:
        # The decoder gave each field its type, or None where optional and not given.
        return list(map(attrgetter(field), self.events))

    def numbers(
        self, field: str, kinds: tuple[type, ...], optional: bool
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        try:
            return super().numbers(field, kinds, optional)
        except OverflowError:  # a whole number past any float's range, which orjson refuses
            raise Recheck from None


def _first(values: Sequence[Any], wrong: Any) -> int:
    return next(i for i, v in enumerate(values) if wrong(v))


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "missing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(kinds: tuple[type, ...]) -> str:
    return "a whole number" if kinds == INTEGER else "a number"
