"""``schedviz run --app`` from a user's project: what goes wrong is theirs, said clearly.

Every bad input exits with status 2 and one line that names the value; where their
code raised, their traceback follows (their file and line), never ours. Mistakes the
command line can see (a body that is not JSON, a plan file with a wrong key, a port
out of range, options that do not go together) are refused in this process, before a
server starts: those tests are not marked live, and conftest.py fails a test that
starts a server without the mark. The rest run the installed command in the project,
as a user does. An app whose package is named ``server`` or ``app`` (names of ours, or
common ones) is served as theirs, by the command line and by the window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import server
import visualizer
from visualizer.cli import EXIT_BAD_INPUT, main

#: Where our packages are: no frame of theirs may show in the user's traceback.
OURS = (str(Path(server.__file__).parent), str(Path(visualizer.__file__).parent))

GOOD = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Order(BaseModel):
    item: int


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


@app.post("/orders")
async def place_order(order: Order) -> Order:
    return order


def create_app() -> FastAPI:
    return app
"""

BROKEN = """
import os

from fastapi import FastAPI


def load_settings() -> dict[str, str]:
    return {"db": os.environ["SHOP_DATABASE_URL"]}


settings = load_settings()
app = FastAPI()
"""

EXITS = """
import sys

from fastapi import FastAPI

if sys.platform:
    sys.exit("set SHOP_ENV first")
app = FastAPI()
"""

LIFESPAN_FAILS = """
from contextlib import asynccontextmanager

from fastapi import FastAPI


async def connect_to_database() -> None:
    raise ConnectionRefusedError("the database at db:5432 refused the connection")


@asynccontextmanager
async def lifespan(app: FastAPI):
    await connect_to_database()
    yield


app = FastAPI(lifespan=lifespan)
"""

#: A package's main module; it imports a sibling, so the package must really be theirs.
PACKAGE_MAIN = """
import time

from fastapi import FastAPI

from {package}.greetings import GREETING

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    time.sleep(0.02)
    return {{"greeting": GREETING}}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A FastAPI project no test has seen: apps that work, apps that fail, and two
    packages named as ours (``server``) and as many projects name theirs (``app``)."""
    folder = tmp_path_factory.mktemp("project")
    for name, text in (
        ("good", GOOD),
        ("broken", BROKEN),
        ("exits", EXITS),
        ("lifespan_fails", LIFESPAN_FAILS),
    ):
        (folder / f"{name}.py").write_text(textwrap.dedent(text).lstrip())
    for package in ("server", "app"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text("")
        (folder / package / "main.py").write_text(PACKAGE_MAIN.format(package=package).lstrip())
        greeting = f"GREETING = 'hello from their {package} package'\n"
        (folder / package / "greetings.py").write_text(greeting)
    (folder / "bad_key.toml").write_text(
        '[[request]]\nmethod = "GET"\npath = "/items/1"\nwieght = 2\n'
    )
    (folder / "bad_syntax.toml").write_text('[[request]]\nmethod = "GET"\npath = "/items/1\n')
    return folder


def _schedviz() -> str:
    command = Path(sys.executable).with_name("schedviz")
    assert command.exists(), "install the project (pip install .) to run this test"
    return str(command)


def _run_in(project: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The installed command, run in the project as a user runs it (no PYTHONPATH)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(project / ".cfg"))
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [_schedviz(), *argv], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def _assert_theirs(stderr: str, message: str, their_frames: tuple[str, ...] = ()) -> None:
    """One line naming the value; then, if their code raised, their traceback only."""
    first, *rest = stderr.splitlines()
    assert first == f"schedviz: {message}", stderr
    if not their_frames:
        assert rest == [], stderr
        return
    assert rest[:2] == ["", "Traceback (most recent call last):"], stderr
    for frame in their_frames:
        assert frame in stderr, stderr
    for folder in (*OURS, "site-packages", "_schedviz_server"):
        assert folder not in stderr, f"a frame of ours or of a library: {stderr}"


# -- refused before a server starts --------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--request", "POST /orders", "--body", "{item: 1}"],
            "body '{item: 1}' is not JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 2)",
        ),
        (
            ["--plan", "bad_key.toml"],
            "bad_key.toml, line 4: request 1: key 'wieght' is not known: "
            "use method, path, weight, headers, body, json",
        ),
        (
            ["--plan", "bad_syntax.toml"],
            "bad_syntax.toml is not valid TOML: Illegal character '\\n' (at line 3, column 17)",
        ),
        (["--port", "70000"], "port 70000 is out of range: allowed 1 to 65,535"),
        (["--work-ms", "100"], "--work-ms is for the built-in styles, not --app"),
        # Also the style's default, given on purpose: it would be ignored, not used.
        (["--work-ms", "200.0"], "--work-ms is for the built-in styles, not --app"),
        (
            ["--style", "async_blocking"],
            "give --style or --app, not both: a run is of a style or of your app",
        ),
        (["--request", "GET /items/1", "--header", "bad"], "header 'bad' is not 'Name: value'"),
    ],
    ids=[
        "body",
        "plan-key",
        "plan-syntax",
        "port",
        "work-ms",
        "work-ms-default",
        "style",
        "header",
    ],
)
def test_a_mistake_on_the_command_line_is_refused_before_any_server(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(project)
    assert main(["run", "--app", "good:app", *argv]) == EXIT_BAD_INPUT
    _assert_theirs(capsys.readouterr().err, message)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--request", "GET /items/1"],
         "--request is for your own app: give --app MODULE:ATTR too"),
        (["--app", "good"], "app 'good' is not of the form module:attribute (for example "
         "main:app or shop.api:create_app with --factory)"),
        (["--app", "good:app", "--app-dir", "nowhere"], "app dir 'nowhere' is not a folder"),
    ],
    ids=["request-without-app", "no-colon", "app-dir"],
)  # fmt: skip
def test_options_that_need_an_app_or_a_real_one_are_refused(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(project)
    assert main(["run", *argv]) == EXIT_BAD_INPUT
    _assert_theirs(capsys.readouterr().err, message)


# -- found by the server: the app and its routes -----------------------------------


@pytest.mark.live
@pytest.mark.parametrize(
    ("app", "message"),
    [
        (
            "nosuch:app",
            "your app could not be served: no module named 'nosuch' in {project} "
            "(the app dir) or on the Python path",
        ),
        (
            "good:application",
            "your app could not be served: module 'good' ({project}/good.py) has no "
            "attribute 'application'; it has: BaseModel, FastAPI, Order, app, create_app, "
            "place_order, read_item",
        ),
        (
            "good:create_app",
            "your app could not be served: good:create_app is a function (create_app), "
            "not an ASGI app (is it a factory? then add --factory)",
        ),
    ],
    ids=["module", "attribute", "not-asgi"],
)
def test_an_app_that_is_not_there_is_named_with_what_is(
    project: Path, app: str, message: str
) -> None:
    done = _run_in(project, "run", "--app", app, "--request", "GET /items/1")
    assert done.returncode == EXIT_BAD_INPUT
    _assert_theirs(done.stderr, message.format(project=project))


@pytest.mark.live
def test_their_import_error_shows_their_traceback(project: Path) -> None:
    done = _run_in(project, "run", "--app", "broken:app", "--request", "GET /")
    assert done.returncode == EXIT_BAD_INPUT
    _assert_theirs(
        done.stderr,
        "your app could not be served: importing 'broken' failed: KeyError: 'SHOP_DATABASE_URL'",
        (
            f'File "{project}/broken.py", line 10, in <module>',
            f'File "{project}/broken.py", line 7, in load_settings',
        ),
    )


@pytest.mark.live
def test_their_sys_exit_at_import_is_theirs_too(project: Path) -> None:
    """sys.exit() at import is their code refusing to start: told as theirs, status 2
    (it was 'the server exited with status 1', status 1)."""
    done = _run_in(project, "run", "--app", "exits:app", "--request", "GET /")
    assert done.returncode == EXIT_BAD_INPUT
    _assert_theirs(
        done.stderr,
        "your app could not be served: importing 'exits' failed: SystemExit: set SHOP_ENV first",
        (f'File "{project}/exits.py", line 6, in <module>',),
    )


@pytest.mark.live
def test_their_lifespan_error_shows_their_traceback(project: Path) -> None:
    done = _run_in(project, "run", "--app", "lifespan_fails:app", "--request", "GET /")
    assert done.returncode == EXIT_BAD_INPUT
    _assert_theirs(
        done.stderr,
        "your app could not be served: the app's lifespan failed at startup: "
        "ConnectionRefusedError: the database at db:5432 refused the connection",
        (
            f'File "{project}/lifespan_fails.py", line 12, in lifespan',
            f'File "{project}/lifespan_fails.py", line 7, in connect_to_database',
        ),
    )
    assert done.stderr.rstrip().endswith(
        "ConnectionRefusedError: the database at db:5432 refused the connection"
    )


@pytest.mark.live
@pytest.mark.parametrize(
    ("request_line", "message"),
    [
        ("GET /item/1",
         "no route of good:app matches GET /item/1; did you mean GET /items/{item_id}?"),
        ("DELETE /items/1", "DELETE /items/1: /items/1 of good:app takes GET, not DELETE"),
    ],
    ids=["no-route", "method"],
)  # fmt: skip
def test_a_request_no_route_takes_is_refused_before_the_run(
    project: Path, request_line: str, message: str
) -> None:
    done = _run_in(project, "run", "--app", "good:app", "--request", request_line)
    assert done.returncode == EXIT_BAD_INPUT
    _assert_theirs(done.stderr, message)


# -- what works ------------------------------------------------------------------------


@pytest.mark.live
@pytest.mark.parametrize(
    ("argv", "route"),
    [
        (["--app", "server.main:app", "--request", "GET /hello"], "GET /hello"),
        (["--app", "app.main:app", "--request", "GET /hello"], "GET /hello"),
        (["--app", "good:create_app", "--factory", "--request", "GET /items/7"],
         "GET /items/{item_id}"),
    ],
    ids=["package-server", "package-app", "factory"],
)  # fmt: skip
def test_their_server_and_app_packages_and_a_factory_are_served(
    project: Path, tmp_path: Path, argv: list[str], route: str
) -> None:
    out = tmp_path / "run.json"
    done = _run_in(project, "run", *argv, "--concurrency", "2", "--requests", "2",
                   "--json", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] == 2 and summary["requests_by_route"] == {route: 2}
    if "/hello" in route:  # a def endpoint: their sleep ran on workers
        assert summary["workers_used"] >= 1
    events = json.loads(out.read_text())["traceEvents"]
    assert {e["args"]["route"] for e in events if e.get("cat") == "request"} == {route}


@pytest.mark.live
def test_the_window_serves_their_server_package(project: Path, tmp_path: Path) -> None:
    picture = tmp_path / "window.png"
    done = _run_in(project, "--app", "server.main:app", "--request", "GET /hello",
                   "--concurrency", "2", "--requests", "2", "--run",
                   "--screenshot", str(picture), "--quit")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not QImage(str(picture)).isNull()
