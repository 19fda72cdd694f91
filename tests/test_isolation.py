"""Nothing in the user's folder or on their PYTHONPATH replaces our code, and our code
takes none of the names their app may need (``server``, ``visualizer``, ``app``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from server import _boot

pytestmark = pytest.mark.live

HIJACK = 'raise SystemExit("HIJACKED: the user\'s {name} was imported")\n'


def _schedviz() -> str:
    """The installed command, which is how users start schedviz."""
    command = Path(sys.executable).with_name("schedviz")
    assert command.exists(), "install the project (pip install .) to run this test"
    return str(command)


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    """A FastAPI project whose top-level packages have our names, and a server/__main__."""
    project = tmp_path / "project"
    for name in ("server", "visualizer", "app"):
        (project / name).mkdir(parents=True)
        (project / name / "__init__.py").write_text(HIJACK.format(name=name))
    (project / "server" / "__main__.py").write_text(HIJACK.format(name="server/__main__"))
    (project / "server" / "protocol.py").write_text(HIJACK.format(name="server.protocol"))
    return project


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env.pop("PYTHONPATH", None)
    return {**env, **extra}


def test_a_run_from_a_project_with_our_names_works(hostile_project: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [_schedviz(), "run", "--style", "async_sleep", "--concurrency", "3", "--requests", "3",
         "--work-ms", "30", "--json"],
        cwd=hostile_project, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "HIJACKED" not in done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] == 3


def test_a_project_on_pythonpath_with_a_server_and_an_app_package_does_not_hide_ours(
    hostile_project: Path, tmp_path: Path
) -> None:
    # A visualizer/ on PYTHONPATH would hide the command itself: that one name is ours.
    (hostile_project / "visualizer" / "__init__.py").unlink()
    (hostile_project / "visualizer").rmdir()
    done = subprocess.run(
        [_schedviz(), "run", "--style", "sync_sleep", "--concurrency", "2", "--requests", "2",
         "--work-ms", "20", "--json"],
        cwd=tmp_path, env=_env(tmp_path, PYTHONPATH=str(hostile_project)),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["workers_used"] == 2


def test_the_window_runs_from_a_project_with_our_names(
    hostile_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "window.png"
    done = subprocess.run(
        [_schedviz(), "--style", "async_sleep", "--concurrency", "2", "--requests", "2",
         "--work-ms", "30", "--run", "--screenshot", str(out), "--quit"],
        cwd=hostile_project, env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "HIJACKED" not in done.stderr
    assert not QImage(str(out)).isNull()


PROBE = """
import runpy, sys
boot = runpy.run_path(sys.argv[1], run_name="schedviz_boot")
sys.meta_path.insert(0, boot["_OursAreHidden"](boot["_HERE"].parent))
boot["load_privately"]()
sys.path[:0] = [str(boot["_HERE"].parent), *sys.argv[2:]]  # ours as if installed, theirs
try:
    import server
    print("found", server.__file__)
except SystemExit as hijack:
    print(hijack)
except ModuleNotFoundError as error:
    print(error)
print(sorted(name for name in sys.modules if name.split(".")[0] == "server"))
"""


@pytest.mark.parametrize("theirs", [True, False])
def test_in_the_server_process_import_server_finds_theirs_or_nothing_never_ours(
    hostile_project: Path, theirs: bool
) -> None:
    """What server/_boot.py sets up: our package under a private name, theirs free."""
    argv = [sys.executable, "-P", "-c", PROBE, _boot.__file__]
    done = subprocess.run(
        argv + ([str(hostile_project)] if theirs else []),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found, modules = done.stdout.splitlines()
    if theirs:
        assert found == "HIJACKED: the user's server was imported"
    else:
        assert found == "No module named 'server'"
    assert modules == "[]"
