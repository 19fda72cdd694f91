"""The README names every Debian/Ubuntu package Qt's X11 plugin needs to start.

Qt's own message names only libxcb-cursor0, so a desktop that lacks another one
(libxcb-icccm4 and libxcb-keysyms1 on a Debian 12 desktop) is stuck unless the
README's list is whole. The list is checked against the libraries the installed
plugin is linked against, so a Qt upgrade that needs a new one fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import PySide6
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
QT = Path(PySide6.__file__).resolve().parent / "Qt"
#: Linked libraries every Linux has (the C runtime) or that come with PySide6 itself.
NOT_PACKAGES = re.compile(r"^lib(c|m|gcc_s|stdc\+\+|Qt6\w*)$")


def debian_package(soname: str) -> str:
    """Debian's name for the package of a library: libxcb-icccm.so.4 is libxcb-icccm4.

    The library's name, lower case, and its major version, with a dash between them
    where the name ends in a digit (libxkbcommon-x11.so.0 is libxkbcommon-x11-0).
    """
    name, version = re.fullmatch(r"(.+)\.so\.(\d+)", soname).groups()  # type: ignore[union-attr]
    name = name.lower()
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def plugin_libraries() -> set[str]:
    """The shared libraries Qt's xcb platform plugin names (its ELF's needed entries)."""
    files = [QT / "plugins" / "platforms" / "libqxcb.so", *QT.glob("lib/libQt6XcbQpa.so*")]
    found: set[str] = set()
    for file in files:
        if file.is_file():
            found |= {m.decode() for m in re.findall(rb"lib[\w+-]+\.so\.\d+", file.read_bytes())}
    return {soname for soname in found if not NOT_PACKAGES.match(soname.split(".so")[0])}


def two_commands_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Two commands", 1)[1].split("\n## ", 1)[0]


def test_the_mapping_gives_debians_names() -> None:
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"


def test_the_readme_names_every_package_the_x11_plugin_needs() -> None:
    libraries = plugin_libraries()
    if not libraries:
        pytest.skip("this PySide6 has no xcb plugin (not Linux)")
    assert "libxcb-cursor.so.0" in libraries  # the checker found the plugin's list
    section = two_commands_section()
    missing = sorted(
        debian_package(soname)
        for soname in libraries
        if not re.search(rf"\b{re.escape(debian_package(soname))}\b", section)
    )
    assert not missing, f"README's Two commands does not name: {' '.join(missing)}"
