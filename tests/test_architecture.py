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


BROKEN_CONTRACT = """
[tool.importlinter]
root_packages = ["server", "visualizer"]
include_external_packages = true

[[tool.importlinter.contracts]]
name = "A contract the code breaks: the model uses numpy"
type = "forbidden"
source_modules = ["visualizer.model"]
forbidden_modules = ["numpy"]
"""


def test_the_import_contracts_hold_and_a_broken_one_fails_lint_imports(tmp_path: Path) -> None:
    """.ci/run's lint-imports gate: our contracts pass, and a broken contract fails it."""
    pytest.importorskip("importlinter", reason="the gates' tools come with the 'lint' extra")
    lint_imports = [
        sys.executable,
        "-c",
        "from importlinter.cli import lint_imports_command as c; c()",
    ]
    kept = subprocess.run(lint_imports, cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout
    broken_config = tmp_path / "broken.toml"
    broken_config.write_text(BROKEN_CONTRACT)
    broken = subprocess.run(
        [*lint_imports, "--config", str(broken_config)], cwd=ROOT, capture_output=True, text=True
    )
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout
