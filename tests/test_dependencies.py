"""Every package our code imports is declared in pyproject.toml, not merely brought in by
another one (a transitive dependency can disappear in any upgrade of its parent)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_imported_package_is_declared():
    deptry = Path(sys.executable).parent / "deptry"
    result = subprocess.run(
        [str(deptry), "--no-ansi", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
