"""The shared HTTP helpers of portal/core/http.py."""

import csv
import io
import re
from pathlib import Path

import pytest

from portal.core.http import CsvWriter, csv_cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Paula = partner", "Paula = partner"),
        ("", ""),
        (-3, -3),  # a number is never a formula
        (None, None),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_quoted(value, cell):
    assert csv_cell(value) == cell


def test_the_writer_quotes_every_cell_and_still_escapes_csv():
    out = io.StringIO()
    CsvWriter(out).writerow(['=HYPERLINK("https://evil.example")', "a,b", 7])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [
        '\'=HYPERLINK("https://evil.example")',
        "a,b",
        "7",
    ]


def test_no_export_writes_csv_around_the_guard():
    """Every CSV export uses portal.core.http.CsvWriter / csv_response (the admin listings use
    CsvSafeExportMixin, checked in test_admin_viewsets.py)."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("portal", "communities", "guests", "events", "documents", "integrations")
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "portal" / "core" / "http.py" and writers.search(path.read_text())
    ]
    assert offenders == []
