"""The layer contracts (pyproject.toml [tool.importlinter], run by lint-imports in .ci/run) see
every module of the site: a new module beside ``portal/urls.py`` that no contract names would
be free to import anything, and the core would be free to import it."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def _site_modules() -> set[str]:
    """portal's own modules and packages, apart from the core and the settings."""
    names = set()
    for path in (ROOT / "portal").iterdir():
        if path.suffix == ".py" and path.stem != "__init__":
            names.add(f"portal.{path.stem}")
        elif (path / "__init__.py").exists():
            names.add(f"portal.{path.name}")
    return names - {"portal.core", "portal.settings"}


def test_every_site_module_is_in_a_layer():
    layers = _contracts()["layers"]["layers"]
    named = {part.strip() for layer in layers for part in layer.replace("|", ":").split(":")}
    assert _site_modules() - named == set()


def test_the_core_may_import_no_site_module():
    forbidden = set(_contracts()["core-is-a-leaf"]["forbidden_modules"])
    assert _site_modules() - forbidden == set()
    assert {"communities", "guests", "events", "documents", "integrations"} <= forbidden
