"""RequestPlan: what a run of the user's app sends, from the command line or a TOML file."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from visualizer.model.request_plan import (
    PlanError,
    PlannedRequest,
    RequestPlan,
    plan_from_words,
)

PLAN = """\
# a shop's load
[[request]]
method = "GET"
path = "/items/1?verbose=true"
weight = 9
headers = { authorization = "Bearer demo" }

[[request]]
method = "POST"
path = "/orders"
json = { item = 1, quantity = 2, note = "no \\"gift\\" wrap" }
"""


def test_a_plan_file_reads_as_written_and_writes_back_the_same() -> None:
    plan = RequestPlan.from_toml(PLAN)
    first, second = plan.requests
    assert first == PlannedRequest(
        "GET", "/items/1?verbose=true", (("authorization", "Bearer demo"),), None, 9
    )
    assert (second.method, second.target, second.weight) == ("POST", "/orders", 1)
    assert second.body is not None and '"quantity": 2' in second.body
    text = plan.to_toml()
    tomllib.loads(text)  # strict TOML
    assert RequestPlan.from_toml(text) == plan


def test_every_string_survives_the_round_trip_through_toml() -> None:
    awkward = 'quote " backslash \\ tab \t newline \n DEL \x7f é 🙂'
    plan = RequestPlan(
        (PlannedRequest("POST", "/x?q=%20a", (("x-note", "tab\there"),), '{"s": "é 🙂"}'),)
    )
    assert RequestPlan.from_toml(plan.to_toml()) == plan
    with_body = RequestPlan((PlannedRequest("POST", "/x", body=_json_of(awkward)),))
    assert RequestPlan.from_toml(with_body.to_toml()) == with_body


def _json_of(text: str) -> str:
    import json

    return json.dumps({"text": text})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[request]]\npath = "/a"\nmethd = "GET"\n',
            "line 3: request 1: key 'methd' is not known",
        ),
        (
            '[[request]]\npath = "/a"\n\n[[request]]\npath = "/b"\nmethod = "FETCH"\n',
            "line 6: request 2: method 'FETCH' is not one of GET",
        ),
        ('[[request]]\npath = "items"\n', "line 2: request 1: path 'items' is not a path"),
        ('[[request]]\npath = "/a"\nweight = 0\n', "line 3: request 1: weight 0"),
        (
            '[[request]]\npath = "/a"\nweight = "9"\n',
            "line 3: request 1: weight '9' is not a whole",
        ),
        ('[[request]]\npath = "/a"\nbody = "{x"\n', "line 3: request 1: body '{x' is not JSON"),
        (
            '[[request]]\npath = "/a"\nheaders = { Host = "x" }\n',
            "line 3: request 1: header 'Host'",
        ),
        ('[[request]]\npath = "/a"\nbody = "{}"\njson = {}\n', "line 4: request 1: give body"),
        ("speed = 3\n", "line 1: key 'speed' is not known"),
        ("", "has no [[request]] table"),
        ("[[request]\n", "is not valid TOML: Expected ']]'"),
    ],
)
def test_a_malformed_plan_file_names_the_line_and_the_key(text: str, message: str) -> None:
    with pytest.raises(PlanError) as refused:
        RequestPlan.from_toml(text, "plan.toml")
    assert str(refused.value).startswith("plan.toml")
    assert message in str(refused.value)


def test_a_missing_or_unreadable_plan_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"plan '.*nothing\.toml' cannot be read"):
        RequestPlan.read(tmp_path / "nothing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PlanError, match="not UTF-8 text"):
        RequestPlan.read(binary)


def test_command_line_words_attach_to_the_request_before_them(tmp_path: Path) -> None:
    body = tmp_path / "order.json"
    body.write_text('{"item": 1}')
    plan = plan_from_words(
        [
            ("header", "Authorization: Bearer x"),
            ("request", "GET /items/1"),
            ("weight", "3"),
            ("request", "post /orders"),
            ("header", "X-Trace: on"),
            ("body", f"@{body}"),
        ]
    )
    assert plan is not None
    items, orders = plan.requests
    assert (items.label, items.weight, items.headers) == (
        "GET /items/1",
        3,
        (("Authorization", "Bearer x"),),
    )
    assert orders.label == "POST /orders"
    assert orders.headers == (("Authorization", "Bearer x"), ("X-Trace", "on"))
    assert orders.body == '{"item": 1}'
    assert plan_from_words([]) is None
    only_path = plan_from_words([("request", "/health")])
    assert only_path is not None and only_path.requests[0].label == "GET /health"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ([("weight", "3")], "--weight '3' comes before any --request"),
        ([("request", "GETT /a")], "method 'GETT' is not one of"),
        ([("request", "GET a b")], "is not 'METHOD /path?query'"),
        ([("request", "GET http://x/a")], "is not a path on the app"),
        ([("request", "GET http://x/a")], "(for example '/a')"),
        ([("request", "GET api/items/1")], "starts with a single '/' (for example '/api/items/1')"),
        ([("request", "GET /a"), ("weight", "x")], "weight 'x' is not a whole number"),
        ([("request", "GET /a"), ("weight", "1001")], "weight 1001 is out of range"),
        ([("request", "GET /a"), ("header", "no colon")], "header 'no colon' is not 'Name: value'"),
        ([("request", "GET /a"), ("header", "Bad Name: v")], "header name 'Bad Name'"),
        ([("request", "GET /a"), ("body", "{")], "body '{' is not JSON"),
        ([("request", "GET /a"), ("body", "@/no/such/file")], "body file '/no/such/file'"),
    ],
)
def test_bad_command_line_words_are_refused_naming_the_value(
    words: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        plan_from_words(words)


def test_a_weighted_mix_is_spread_evenly_through_the_run() -> None:
    plan = RequestPlan(
        (
            PlannedRequest("GET", "/items/1", weight=9),
            PlannedRequest("POST", "/orders", weight=1),
        )
    )
    entries = [plan.entry_of(request) for request in range(1, 101)]
    assert Counter(entries) == {0: 90, 1: 10}
    rare = [request for request, entry in enumerate(entries, 1) if entry == 1]
    gaps = {b - a for a, b in itertools.pairwise(rare)}
    assert gaps == {10}, f"the rare request should come every tenth time, came at {rare}"


def test_a_plan_has_one_to_a_hundred_requests() -> None:
    with pytest.raises(PlanError, match="at least one request"):
        RequestPlan(())
    with pytest.raises(PlanError, match="at most 100"):
        RequestPlan(tuple(PlannedRequest("GET", f"/{n}") for n in range(101)))
