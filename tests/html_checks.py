"""Checks on rendered HTML that the design system's components rely on."""

from __future__ import annotations

from html.parser import HTMLParser


class StackedCells(HTMLParser):
    """Collects, for every <td> inside a table.table-stack, its data-label (or None). A cell
    of actions (class "actions") is left out: it has no label and takes the card's width."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # nesting of table-stack tables
        self.labels: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "table-stack" in (attrs.get("class") or "").split():
            self.depth += 1
        elif tag == "td" and self.depth and "actions" not in (attrs.get("class") or "").split():
            self.labels.append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


def stacked_cell_labels(html: str) -> list[str | None]:
    parser = StackedCells()
    parser.feed(html)
    return parser.labels
