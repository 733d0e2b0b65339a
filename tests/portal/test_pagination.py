from django.db import models

from portal.core.http import positive_int
from portal.core.pagination import cursor_value, decode_cursor, encode_cursor


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(["Zoé", 42]), 2) == ["Zoé", 42]


def test_malformed_cursors_mean_first_page():
    for bad in ("", None, "%%%", encode_cursor(["only-one"]), encode_cursor({"a": 1}), "e30"):
        assert decode_cursor(bad, 2) is None


def test_a_cursor_value_must_be_one_we_could_have_written():
    moment, number, text = models.DateTimeField(), models.BigAutoField(), models.CharField()
    assert cursor_value(moment, "2026-12-07T10:00:00+00:00").year == 2026
    for bad in ("2026-12-07T10:00:00", "0001-01-01T00:00:00+05:00", 1, ["a"], None):
        assert cursor_value(moment, bad) is None
    assert cursor_value(number, 42) == 42
    for bad in (2**70, float("inf"), True, "1", ["a"], 1.5):
        assert cursor_value(number, bad) is None
    assert cursor_value(text, "Zoé") == "Zoé" and cursor_value(text, "a\x00") is None
    assert positive_int(" 12 ") == 12
    for bad in ("²", "١٢", "１２", "-1", "0", "1e3", str(2**63), "", None):
        assert positive_int(bad) is None
