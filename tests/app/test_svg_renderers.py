"""An exported SVG looks in other renderers as the PNG export does.

librsvg (GNOME, Inkscape's import) and resvg know no ``vector-effect`` and handle
Qt's pattern masks their own way; browsers know no font called "Sans Serif". The
SVG is converted by each renderer found on the PATH and its plot area checked lane
by lane, as the PNG's is; without one, the test says so and skips.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from _plot_area import PAINT_DISTANCE, _rgb, _rgb_array, check_plot_area, scaled
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from visualizer.app import palette
from visualizer.app.picture_export import render, save_svg
from visualizer.app.timeline.picture import LAYOUT_WIDTH, TimelinePicture
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"
GENERIC = ("sans-serif", "serif", "monospace")
#: The trace with pool-full hatching, the separator line and every phase but failed.
TRACE = "sync_sleep_c6_p2_w200.json"


def _result() -> RunResult:
    return analyse(read_trace(DATA / TRACE))


def _convert(tool: str, svg: Path, png: Path) -> list[str]:
    if tool == "rsvg-convert":
        return [tool, "-w", str(LAYOUT_WIDTH), str(svg), "-o", str(png)]
    return [tool, "-w", str(LAYOUT_WIDTH), str(svg), str(png)]


def test_every_font_family_ends_in_a_generic_family_and_nothing_is_a_pattern(
    qtbot: QtBot, tmp_path: Path
) -> None:
    out = tmp_path / "timeline.svg"
    save_svg(TimelinePicture.of_run(_result()), out)
    text = out.read_text()
    families = re.findall(r'font-family="([^"]*)"', text)
    assert families
    assert all(f.rsplit(",", 1)[-1].strip() in GENERIC for f in families), set(families)
    root = ET.parse(out).getroot()
    # The hatching is lines: a pattern or mask fill is what renderers drew as a block.
    fills = {el.get("fill", "") for el in root.iter()}
    assert not any(fill.startswith("url(") for fill in fills)
    assert not any(el.tag.endswith(("pattern", "mask")) for el in root.iter())


@pytest.mark.parametrize("tool", ["rsvg-convert", "resvg"])
def test_an_svg_converted_by_another_renderer_shows_the_plot_as_the_png_does(
    qtbot: QtBot, tmp_path: Path, tool: str
) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install librsvg2-bin; resvg-cli on PyPI)")
    result = _result()
    picture = TimelinePicture.of_run(result)
    svg, png = tmp_path / "timeline.svg", tmp_path / "timeline.png"
    save_svg(picture, svg)
    subprocess.run(_convert(tool, svg, png), check=True, capture_output=True, timeout=60)
    image = QImage(str(png))
    assert not image.isNull()
    # The PNG export of the same layout width says where the panel lands.
    placement = render(picture, LAYOUT_WIDTH).placements[0]
    timeline = result.timeline
    to_pixel = scaled(placement.to_point, image.width() / LAYOUT_WIDTH)
    check_plot_area(image, timeline, to_pixel, (placement.seconds, placement.lanes)).assert_ok(
        min_lanes=6
    )
    rgb = _rgb_array(image).astype(float)
    # No band crosses the picture: just under the line that ends the workers, where
    # the first request's lane is empty (it ended at a third of the run), is background.
    resources = 1 + timeline.worker_count
    x0, y = to_pixel(placement.seconds[1] * 0.6, resources + 0.07)
    x1, _ = to_pixel(placement.seconds[1] * 0.9, resources + 0.07)
    row = rgb[int(y), int(x0) : int(x1)]
    off = np.abs(row - _rgb(palette.BACKGROUND)).sum(axis=1) > PAINT_DISTANCE
    assert off.mean() < 0.05, f"{off.mean():.0%} of the empty row under the workers is painted"
    # The legend is words and swatches: vermillion only in two swatches, not a block.
    _, legend_top = to_pixel(0, placement.lanes[0])
    band = rgb[: int(legend_top)]
    vermillion = np.abs(band - _rgb(palette.ANNOTATION)).sum(axis=2) < 60
    assert vermillion.mean() < 0.01, f"{vermillion.mean():.1%} of the legend is vermillion"
