"""The arrows go one way: the server never imports the visualizer or Qt; the model never Qt.

pyproject.toml states the same contracts for import-linter; this test keeps them
without it, so that every test run checks them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "pyqtgraph", "shiboken6")


def imported_modules(package: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("server", ("visualizer", *QT)), ("visualizer/model", QT)],
)
def test_forbidden_imports_are_absent(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        path: sorted(name for name in names if name.split(".")[0] in forbidden)
        for path, names in imported_modules(ROOT / package).items()
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_the_model_imports_without_loading_qt() -> None:
    code = (
        "import sys, visualizer.model, visualizer.runner.headless\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'pyqtgraph'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"
