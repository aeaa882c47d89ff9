"""The layers point one way, checked over the static imports of every module (top-level and inside functions,
`if TYPE_CHECKING:` included: a lazy import is still a dependency):

    web          -> kiosk, capture, calibration   (routes, forms, templates: HTTP only)
    calibration  -> kiosk
    kiosk        -> capture                      (the core: never web, never calibration)
    capture      -> nothing of ours

`kiosk/cli.py` is the composition root. `python -m kiosk` is the program's entry point, so its registry
`COMMANDS` names the command module of every layer, `web.serve` and `calibration.cli` among them, as strings that
are imported only when that command runs. That is not a dependency of the core on the upper layers: kiosk.cli
has no static import of web or calibration (the graph below would show one), only kiosk/__main__.py imports
kiosk.cli, and nothing else in kiosk reaches the upper layers through it. So the rule for kiosk.cli is the rule
for all of kiosk, and this test adds two checks of its own: every registered module exists and has
`add_arguments` and `run`, and no module but kiosk/__main__.py imports kiosk.cli.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("web", "calibration", "kiosk", "capture")
ALLOWED: dict[str, frozenset[str]] = {
    "web": frozenset({"web", "kiosk", "capture", "calibration"}),
    "calibration": frozenset({"calibration", "kiosk"}),
    "kiosk": frozenset({"kiosk", "capture"}),
    "capture": frozenset({"capture"}),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `module`'s source imports (absolute names; relative imports resolved)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


def violations(module: str, imported: set[str]) -> list[str]:
    """The imports of `module` that point against the layers."""
    layer = module.split(".")[0]
    bad = []
    for name in sorted(imported):
        top = name.split(".")[0]
        if top in LAYERS and top not in ALLOWED[layer]:
            bad.append(f"{module} imports {name}")
    return bad


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))
            if "migrations/versions" not in p.as_posix()}


def test_layers_point_one_way() -> None:
    modules = project_modules()
    assert len(modules) > 100  # every module was found
    problems = []
    for module, path in modules.items():
        problems += violations(module, imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("module", "source", "caught"), [
    ("kiosk.cases", "from web.services import get_archive", "web.services"),
    ("kiosk.cases", "def f():\n    import calibration.cli", "calibration.cli"),
    ("kiosk.booth.live", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from web import booth", "web"),
    ("kiosk.photo.judge", "from calibration import evaluate", "calibration"),
    ("capture.grabber", "from kiosk.text import Text", "kiosk.text"),
    ("calibration.cli", "import capture", "capture"),
    ("web.booth", "from kiosk.booth import station\nimport calibration.backdrop\nimport capture", None),
])
def test_an_upward_import_is_caught(module: str, source: str, caught: str | None) -> None:
    """The checker itself: an import against the layers, however it is written, is reported."""
    found = violations(module, imports_of(source, module))
    assert (f"{module} imports {caught}" in found) if caught else found == []


def test_relative_imports_are_resolved() -> None:
    assert imports_of("from . import session\nfrom ..models import Case", "kiosk.booth.attempts") >= {
        "kiosk.booth.session", "kiosk.models.Case"}


def test_the_cli_registry_is_the_composition_root() -> None:
    """Every registered command module exists and has the command interface; only kiosk/__main__.py imports
    kiosk.cli (see the module docstring)."""
    from kiosk.cli import COMMANDS

    for name, (module, _help) in COMMANDS.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        assert importlib.util.find_spec(module) is not None and path.is_file(), (name, module)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert {"add_arguments", "run"} <= defined, (name, module)
    importers = [m for m, p in project_modules().items()
                 if "kiosk.cli" in imports_of(p.read_text(encoding="utf-8"), m, p.name == "__init__.py")]
    assert importers == ["kiosk.__main__"]
