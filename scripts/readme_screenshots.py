"""The README's screenshots (docs/screenshots/NAME.png), taken by the browser tests' `shot`
fixture (tests/e2e/screenshots/NAME.png). Used by `make screenshots`:

    python scripts/readme_screenshots.py tests   # the test files that take them
    python scripts/readme_screenshots.py copy    # copy the fresh ones into docs/screenshots/

A README image whose name no test takes is an error: the README would show a stale picture.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs" / "screenshots"
TAKEN = ROOT / "tests" / "e2e" / "screenshots"
TESTS = ROOT / "tests" / "e2e"


def readme_names() -> list[str]:
    return sorted(set(re.findall(r"docs/screenshots/([\w-]+)\.png", README.read_text())))


def test_files(names: list[str]) -> list[str]:
    files, missing = set(), []
    for name in names:
        taking = [
            path
            for path in sorted(TESTS.glob("test_*.py"))
            if re.search(rf"""shot\(\w+, ["']{re.escape(name)}["'][,)]""", path.read_text())
        ]
        if not taking:
            missing.append(name)
        files.update(str(path.relative_to(ROOT)) for path in taking)
    if missing:
        sys.exit(f"README.md shows screenshots no browser test takes: {', '.join(missing)}")
    return sorted(files)


def copy(names: list[str]) -> None:
    missing = [name for name in names if not (TAKEN / f"{name}.png").exists()]
    if missing:
        sys.exit(f"not taken by the browser tests: {', '.join(missing)}")
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(TAKEN / f"{name}.png", DOCS / f"{name}.png")
    print(f"{len(names)} README screenshots copied to {DOCS.relative_to(ROOT)}/")


def main(argv: list[str]) -> None:
    names = readme_names()
    if argv == ["tests"]:
        print(" ".join(test_files(names)))
    elif argv == ["copy"]:
        copy(names)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
