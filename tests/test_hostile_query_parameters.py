"""Hand-made paging parameters never crash a page (issue 15, item 4).

The routes come from the permission matrix (which has a row for every route of ours); the
parameters each one reads are found in its view's source, and in the module's helpers it
passes the request to, by looking for ``request.GET``. Every paging parameter found is then
sent hostile values: a bad cursor or key means the first page (or 404), never a 500.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import sys

import pytest
from django.urls import resolve, reverse

# The matrix's world (built once for the module) and its fixtures.
from tests.test_permission_matrix import MATRIX, Row, _world_once, world  # noqa: F401

PAGING = {"cursor", "after", "before", "at", "page", "month", "comment"}
READS = (
    re.compile(r"request\.GET\.get\(\s*[\"'](\w+)[\"']"),
    re.compile(r"request\.GET\[\s*[\"'](\w+)[\"']\s*\]"),
    re.compile(r"[\"'](\w+)[\"']\s+in\s+request\.GET"),
    re.compile(r"\(\s*request\s*,\s*[\"'](\w+)[\"']\s*\)"),  # _int_param(request, "after")
)
CALLS = re.compile(r"\b(\w+)\(\s*request\b")


def _b64(value) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


HOSTILE = [
    "W1siYSJdLDFd",  # [["a"],1]
    "WzFlOTk5LDFd",  # [1e999,1]
    "WzEsMl0",  # [1,2]
    _b64([2**70, 2**70]),
    _b64([-(2**70), -1]),
    _b64([-1, -1]),
    _b64([0, 0]),
    _b64(["x", 1]),
    _b64([None, 1]),
    _b64([True, True]),
    _b64([1.5, 1.5]),
    _b64([{}, []]),
    _b64(["\x00", 1]),
    _b64(["2026-13-45T00:00:00", 1]),
    _b64(["2026-03-01T00:00:00", 1]),  # naive
    _b64(["0001-01-01T00:00:00+05:00", 1]),
    _b64(["9999-12-31T23:59:59-05:00", 1]),
    _b64([1]),
    _b64([1, 2, 3]),
    _b64({"a": 1}),
    _b64([]),
    _b64("text"),
    _b64(7),
    _b64([[[[[[[[1]]]]]]]] * 2),
    base64.urlsafe_b64encode(b"[" * 5000).decode(),
    base64.urlsafe_b64encode(b"\xff\xfe not json").decode(),
    "%%%",
    "====",
    "a",
    "a" * 5000,
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    str(2**63),
    "²",  # str.isdigit() is true, int() refuses it
    "١٢٣",  # Arabic-Indic digits
    "１２",  # full-width digits
    "99991231T090000Z",
    "00010101T000000Z",
    "18991231T230000Z",
    "9999-12",
    "0001-01",
    "2026-00",
    "-2026-01",
    "2026-01-01",
    "\x00",
    "🙂",
]


def _view_source(func) -> tuple[str, object]:
    view = getattr(func, "view_class", None) or getattr(func, "cls", None)
    if view is None:
        view = inspect.unwrap(func)
    return inspect.getsource(view), sys.modules[view.__module__]


def parameters_read(url: str) -> set[str]:
    """The query parameters the view of ``url`` reads, itself or through the helpers of its
    module that it hands the request to."""
    source, module = _view_source(resolve(url).func)
    sources, seen, todo = [source], set(), list(CALLS.findall(source))
    while todo:
        name = todo.pop()
        helper = getattr(module, name, None)
        if name in seen or not inspect.isfunction(helper):
            continue
        seen.add(name)
        if helper.__module__ == module.__name__:
            text = inspect.getsource(helper)
            sources.append(text)
            todo.extend(CALLS.findall(text))
    text = "\n".join(sources)
    return {name for pattern in READS for name in pattern.findall(text)}


GET_ROWS = [row for row in MATRIX if row.method == "get"]


def _paged(world) -> list[tuple[Row, str, set[str]]]:  # noqa: F811
    """(row, url, paging parameters) of every list route, once per route."""
    found, routes = [], set()
    for row in GET_ROWS:
        if row.route in routes:
            continue
        url = reverse(row.route, args=row.args(world))
        params = parameters_read(url) & PAGING
        if params:
            found.append((row, url, params))
            routes.add(row.route)
    return found


def test_every_list_route_is_found(world):  # noqa: F811 (the fixture)
    routes = {row.route for row, _url, _params in _paged(world)}
    expected = {
        "communities:feed",
        "communities:hashtag",
        "communities:detail",
        "communities:post",
        "communities:notifications",
        "documents:library",
        "accounts:directory",
        "events:calendar",
        "events:community",
        "events:detail",
        "events:edit",
        "api:posts",
        "api:comments",
        "api:documents",
        "api:events",
    }
    assert expected <= routes, expected - routes


# Every hostile value, dealt into parts: each (role, part) is a test of its own, so a parallel
# run (pytest-xdist) shares the thousands of requests out between its workers.
PARTS = 4


@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part{part + 1}of{PARTS}")
@pytest.mark.parametrize("role", ["lead", "staff", "guest_a"])
def test_hostile_paging_parameters_never_answer_500(client, world, role, part):  # noqa: F811
    client.force_login(world["users"][role])
    client.raise_request_exception = False
    crashes = []
    for _row, url, params in _paged(world):
        for name in sorted(params):
            for value in HOSTILE[part::PARTS]:
                # htmx asks for the next items only: another template, another path.
                htmx = name in {"cursor", "after", "before"}
                for headers in ({}, {"HTTP_HX_REQUEST": "true"}) if htmx else ({},):
                    response = client.get(url, {name: value}, **headers)
                    if response.status_code >= 500:
                        crashes.append((url, name, value[:40], bool(headers)))
    assert not crashes, crashes


def test_the_parts_hold_every_hostile_value_once():
    parts = [value for part in range(PARTS) for value in HOSTILE[part::PARTS]]
    assert sorted(parts) == sorted(HOSTILE)
