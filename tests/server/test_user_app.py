"""Loading the user's app: found as uvicorn finds it, every failure told in their terms."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.user_app import AppLoadError, AppSpec, is_asgi_app, load_app


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder for a user's module with a name no other test uses; sys.path and
    sys.modules are left as they were."""
    name = f"userapp_{uuid.uuid4().hex[:8]}"
    path_before, modules_before = list(sys.path), set(sys.modules)
    yield tmp_path, name
    sys.path[:] = path_before
    for module in set(sys.modules) - modules_before:
        del sys.modules[module]


def write(folder: Path, name: str, code: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(code))


def test_an_app_is_found_in_the_app_dir(project: tuple[Path, str]) -> None:
    folder, name = project
    write(folder, name, "from fastapi import FastAPI\napp = FastAPI()\n")
    app = load_app(AppSpec(f"{name}:app", str(folder)))
    assert type(app).__name__ == "FastAPI"


def test_a_factory_is_called_once_asked(project: tuple[Path, str]) -> None:
    folder, name = project
    write(folder, name, "from fastapi import FastAPI\ndef make():\n    return FastAPI()\n")
    assert type(load_app(AppSpec(f"{name}:make", str(folder), factory=True))).__name__ == "FastAPI"
    with pytest.raises(
        AppLoadError, match=r"is a function \(make\), not an ASGI app \(is it a factory"
    ):
        load_app(AppSpec(f"{name}:make", str(folder)))


def test_a_missing_module_says_where_it_was_looked_for(project: tuple[Path, str]) -> None:
    folder, name = project
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}.api:app", str(folder)))
    assert refused.value.stage == "module"
    assert f"no module named '{name}.api' in {folder}" in refused.value.message
    assert refused.value.user_traceback == ""


def test_a_misspelt_module_is_answered_with_the_nearest(project: tuple[Path, str]) -> None:
    """In the app dir and inside a package: the modules beside the missing one."""
    folder, name = project
    write(folder, name, "from fastapi import FastAPI\napp = FastAPI()\n")
    misspelt = name[:-2] + name[-1] + name[-2]
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{misspelt}:app", str(folder)))
    assert refused.value.message.endswith(f"; did you mean {name!r}?")
    package = folder / f"{name}_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text("app = None\n")
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}_pkg.mian:app", str(folder)))
    assert refused.value.message.endswith(f"; did you mean '{name}_pkg.main'?")
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}_pkg.zzzzzz:app", str(folder)))
    assert "did you mean" not in refused.value.message
    # The package itself misspelt: the rest of the name is kept in the suggestion.
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}_pgk.main:app", str(folder)))
    assert refused.value.message.endswith(f"; did you mean '{name}_pkg.main'?")


def test_a_suggestion_never_runs_the_users_package_again(project: tuple[Path, str]) -> None:
    """A package whose own import fails is not imported again to look for a suggestion:
    its code (a print, a connection) runs once, as the failed import ran it."""
    folder, name = project
    package = folder / f"{name}_pkg"
    package.mkdir()
    runs = folder / "runs.txt"
    (package / "__init__.py").write_text(
        f"with open({str(runs)!r}, 'a') as runs:\n    runs.write('ran\\n')\n"
        f"import {name}_pkg.mian\n"
    )
    (package / "main.py").write_text("app = None\n")
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}_pkg.mian:app", str(folder)))
    assert f"no module named '{name}_pkg.mian'" in refused.value.message
    assert runs.read_text() == "ran\n"


def test_a_missing_attribute_lists_what_the_module_has(project: tuple[Path, str]) -> None:
    folder, name = project
    write(folder, name, "from fastapi import FastAPI\napplication = FastAPI()\n")
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}:app", str(folder)))
    assert refused.value.stage == "attribute"
    assert "has no attribute 'app'; it has: FastAPI, application" in refused.value.message


def test_the_users_import_error_is_shown_with_their_traceback_only(
    project: tuple[Path, str],
) -> None:
    folder, name = project
    write(
        folder,
        name,
        """\
        import does_not_exist_anywhere_42
        """,
    )
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}:app", str(folder)))
    error = refused.value
    assert error.stage == "import"
    assert "ModuleNotFoundError: No module named 'does_not_exist_anywhere_42'" in error.message
    assert f'{name}.py", line 1, in <module>' in error.user_traceback
    assert "importlib" not in error.user_traceback
    assert "server/user_app.py" not in error.user_traceback


def test_an_exception_in_the_users_module_is_theirs(project: tuple[Path, str]) -> None:
    folder, name = project
    write(
        folder,
        name,
        """\
        def settings():
            return {}["DATABASE_URL"]

        DATABASE = settings()
        """,
    )
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}:app", str(folder)))
    assert refused.value.message.endswith("failed: KeyError: 'DATABASE_URL'")
    lines = refused.value.user_traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert f'{name}.py", line 4, in <module>' in lines[1]
    assert f'{name}.py", line 2, in settings' in refused.value.user_traceback


def test_a_factory_that_raises_is_theirs(project: tuple[Path, str]) -> None:
    folder, name = project
    write(folder, name, "def make():\n    raise RuntimeError('no config')\n")
    with pytest.raises(AppLoadError) as refused:
        load_app(AppSpec(f"{name}:make", str(folder), factory=True))
    assert refused.value.stage == "factory"
    assert "raised RuntimeError: no config" in refused.value.message
    assert f'{name}.py", line 2, in make' in refused.value.user_traceback


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("main", "is not of the form module:attribute"),
        ("main:", "is not of the form module:attribute"),
        ("my-app:app", "is not of the form module:attribute"),
        (":app", "is not of the form module:attribute"),
    ],
)
def test_a_target_not_of_the_form_module_attribute_is_refused(target: str, problem: str) -> None:
    with pytest.raises(AppLoadError, match=problem):
        load_app(AppSpec(target, "."))


def test_a_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(AppLoadError, match=r"app dir '.*nowhere' is not a folder"):
        load_app(AppSpec("main:app", str(tmp_path / "nowhere")))


def test_what_counts_as_an_asgi_app() -> None:
    async def asgi(scope: object, receive: object, send: object) -> None: ...

    class Instance:
        async def __call__(self, scope: object, receive: object, send: object) -> None: ...

    def sync(scope: object, receive: object, send: object) -> None: ...

    async def two(scope: object, receive: object) -> None: ...

    assert is_asgi_app(asgi) and is_asgi_app(Instance())
    assert not is_asgi_app(Instance) and not is_asgi_app(sync) and not is_asgi_app(two)
    assert not is_asgi_app(42) and not is_asgi_app(sys)
