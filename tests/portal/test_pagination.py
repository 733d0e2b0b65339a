from portal.pagination import decode_cursor, encode_cursor


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(["Zoé", 42]), 2) == ["Zoé", 42]


def test_malformed_cursors_mean_first_page():
    for bad in ("", None, "%%%", encode_cursor(["only-one"]), encode_cursor({"a": 1}), "e30"):
        assert decode_cursor(bad, 2) is None
