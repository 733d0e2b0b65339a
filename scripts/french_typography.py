"""Put a no-break space (U+00A0) before « : ; ? ! » in the French catalogue's translations.

Touches msgstr lines only (never a msgid, never the header), and never inside what is not
prose: %(placeholders)s, {braces}, HTML tags and entities, <code>…</code>, URLs, times such
as 12:30, or protocol words such as BEGIN:VCALENDAR. Run it after appending French entries:

    .venv/bin/python scripts/french_typography.py locale/fr/LC_MESSAGES/django.po
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NBSP = "\u00a0"
SEP = "\x00"  # where one quoted line of a msgstr ends and the next begins
PROTECTED = re.compile(
    r"<code>.*?</code>"
    r"|<[^>]*>"
    r"|&#?\w+;"
    r"|%\([^)]*\)[a-z]"
    r"|\{[^}]*\}"
    r"|\b[a-z][a-z0-9+.-]*://[^\s\"]*"
    r"|\b[a-z]+:(?=//)"
    r"|\b[A-Z]{2,}:"
    r"|\d:\d",
    flags=re.S,
)
BEFORE = re.compile(rf"(?P<before>[^\s{SEP}])?(?P<space>[ {NBSP}]?)(?P<sep>{SEP}?)(?P<mark>[:;?!])")


def fix(text: str) -> str:
    """``text``: the msgstr's quoted lines joined with SEP (still escaped as in the file)."""
    spans = [m.span() for m in PROTECTED.finditer(text)]

    def protected(index: int) -> bool:
        return any(start <= index < end for start, end in spans)

    def replace(match: re.Match) -> str:
        mark_at = match.start("mark")
        if protected(mark_at) or (match["before"] is None and not match["space"]):
            return match[0]
        before = match["before"] or ""
        if match["sep"] and not match["space"]:
            return before + NBSP + SEP + match["mark"]
        return before + NBSP + match["sep"] + match["mark"]

    return BEFORE.sub(replace, text)


def process(lines: list[str]) -> list[str]:
    out: list[str] = []
    block: list[str] = []  # the msgstr's lines
    header = False

    def flush() -> None:
        if not block:
            return
        if header:
            out.extend(block)
        else:
            keyword, first = block[0].split('"', 1)
            parts = ['"' + first, *block[1:]]
            inner = SEP.join(p[1:-1] for p in parts)
            fixed = fix(inner).split(SEP)
            assert len(fixed) == len(parts)
            out.append(keyword + '"' + fixed[0] + '"')
            out.extend('"' + f + '"' for f in fixed[1:])
        block.clear()

    previous_msgid: list[str] = []
    in_msgid = False
    for line in lines:
        if line.startswith("msgstr"):
            flush()
            header = "".join(previous_msgid) == '""'
            block.append(line)
            in_msgid = False
        elif line.startswith('"') and block:
            block.append(line)
        else:
            flush()
            if line.startswith("msgid "):
                previous_msgid = [line[len("msgid ") :]]
                in_msgid = True
            elif line.startswith('"') and in_msgid:
                previous_msgid.append(line)
            elif not line.startswith("msgid_plural"):
                in_msgid = False
            out.append(line)
    flush()
    return out


def main(path: str) -> None:
    file = Path(path)
    lines = file.read_text(encoding="utf-8").split("\n")
    fixed = process(lines)
    changed = sum(a != b for a, b in zip(lines, fixed, strict=True))
    file.write_text("\n".join(fixed), encoding="utf-8")
    print(f"{changed} msgstr lines changed")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "locale/fr/LC_MESSAGES/django.po")
